"""The shapes and contexts that make a term a candidate: regular expressions and their word sets.

Contexts that name a person ("thank you, X", "my colleague X", "X said") or an organisation ("I work
at X", "a company called X", "University of ..."); organisation suffixes; contact-like shapes
(spelled-out emails and web addresses, domains); names spelled letter by letter. ``detectors.py``
applies them; each keyword-led pattern gets a literal prefilter read off it (``prefilter.py``).
"""

from __future__ import annotations

import re

ORG_SUFFIXES = (
    "Inc",
    "Ltd",
    "GmbH",
    "LLC",
    "LLP",
    "PLC",
    "Corp",
    "Corporation",
    "AG",
    "SA",
    "SARL",
    "BV",
    "NV",
    "Pty",
    "Limited",
    "Oy",
    "AB",
    "KG",
    "SpA",
    "Srl",
)


CAPITALISED = r"[^\W\d_a-z][\w'’&-]*"  # a capitalised word (any script's upper or title case)
_CAP_SEQ = rf"{CAPITALISED}(?:[ \t]+(?:(?:and|&|of|de|du|des|the|for|la|le)[ \t]+)?{CAPITALISED})*"
ORG = re.compile(rf"(?:[A-Z][\w&'\u2019.-]*\s+){{1,4}}(?:{'|'.join(ORG_SUFFIXES)})\b\.?")
_TLDS = r"com|org|net|io|ai|edu|gov|co|uk|de|fr|nl|ca"
EMAIL_LIKE = re.compile(
    rf"[\w.+-]+(?:\s+dot\s+[\w-]+)*\s*(?:@|\(at\)|\[at\]|\s+at\s+)\s*[\w-]+\s*(?:\.|\(dot\)|\[dot\]|\s+dot\s+)\s*"
    rf"(?:{_TLDS})\b|(?<![\w\[])@\w+",
    re.IGNORECASE,
)
URL_LIKE = re.compile(rf"\b\w+://\S+|\bwww\s*\.\s*\w+|\b[\w-]+\s*(?:\.|\s+dot\s+)\s*(?:{_TLDS})\b", re.IGNORECASE)
# Shapes the detectors leave, being unsure (any top-level domain): "quenby.zz", "kestrel at mailbox dot zz".
DOMAIN_LIKE = re.compile(r"(?<![\w@.-])(?:[a-z0-9-]+\.)+[a-z]{2,24}(?![\w.-]*\w)", re.IGNORECASE)
LOOSE_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+\s+at\s+[\w-]+(?:\s+dot\s+[\w-]+)+(?![\w-])", re.IGNORECASE)
# File names and code (model.py, data.csv, df.head) are no address.
_FILE_SUFFIX_LIST = (
    "py ipynb r csv tsv json jsonl yaml yml xml txt md pdf doc docx xls xlsx ppt pptx png jpg jpeg gif svg html htm "
    "css js ts sh exe pkl pickle pt pth onnx h5 parquet db sqlite sql log cfg ini toml zip gz tar whl jar java c cpp "
    "h go rs rb php swift kt scala mat npy tex mp3 mp4 wav avi mov tif bmp dat tmp bak env tf proto pb"
)
FILE_SUFFIXES = frozenset(_FILE_SUFFIX_LIST.split())
SPELLED = re.compile(r"(?<![\w'’-])(?:[A-Za-z](?:[ .-]|\s*-\s*)){3,}[A-Za-z](?![\w-])")
SENTENCE_END = '.!?…:;"“”'
_NAME = r"(?P<name>[^\W\d_][\w'’-]*)"
_TITLES = r"(?:(?:dr|mr|mrs|ms|miss|prof|professor|madame|monsieur|mme|m)\.?\s+)?"
PERSON_CONTEXTS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "vocative or thanks",
        re.compile(
            r"\b(?:hi|hello|hey|thanks|thank\s+you(?:\s+(?:so|very)\s+much)?|bye|goodbye|cheers|welcome|sorry|"
            r"merci(?:\s+beaucoup)?|bonjour|salut|au\s+revoir)\s*,?\s+" + _TITLES + _NAME + r"(?=\s*[,.!?;:]|\s*$)",
            re.IGNORECASE,
        ),
    ),
    (
        "colleague",
        re.compile(
            r"\b(?:my|our|mon|ma|notre)\s+(?:(?:former|old|new|previous|current|ancien|ancienne)\s+)?"
            r"(?:colleague|co-?worker|supervisor|manager|boss|advisor|adviser|professor|mentor|teammate|lead|director|"
            r"friend|intern|student|collègue|responsable|chef|directeur|directrice|encadrante?|patronne?|professeur)"
            r"s?(?=[\s,(])\s*[,(]?\s*" + _TITLES + _NAME,
            re.IGNORECASE,
        ),
    ),
    ("title", re.compile(r"\b(?:Dr|Mr|Mrs|Ms|Prof|Professor|Madame|Monsieur|Mme)\.?\s+(?P<name>[A-Z][\w'’-]+)")),
    (
        "named",
        re.compile(
            r"\b(?:my\s+name\s+is|my\s+name's|je\s+m['’]appelle|call\s+me|i\s+am\s+called|"
            r"(?:guy|girl|man|woman|person|lady|someone|somebody|colleague|friend|student|intern)\s+"
            r"(?:called|named))\s+" + _TITLES + _NAME,
            re.IGNORECASE,
        ),
    ),
    ("team", re.compile(r"\bl['’]équipe\s+d['’]\s*" + _NAME, re.IGNORECASE)),
)
# Contexts that follow the name ("Ingrid said", "Okafor's team"): searched for on their own, and the
# name is the word just before (a pattern starting with the name would be tried at every word).
PERSON_BEFORE: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "said",
        re.compile(
            r"\s+(?:(?:always|also|just|then|once|actually|even|still|never|had|has|would|will)\s+)?"
            r"(?:said|says|told|tells|mentioned|asked|asks|thinks|thought|wrote|explained|suggested|"
            r"a\s+dit|m'a\s+dit|disait)\b",
            re.IGNORECASE,
        ),
    ),
    ("team", re.compile(r"['’]s\s+(?:team|group|lab|department|squad)\b", re.IGNORECASE)),
)
WORD_BEFORE = re.compile(r"(?<![\w'’-])(?P<name>[^\W\d_][\w'’-]*)\Z")
ORG_CONTEXTS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "works there",
        re.compile(
            r"\b(?:work(?:ing|ed|s)?|employed|intern(?:ing|ed)?|consult(?:ing|ed)?|based|hired|acquired|bought|funded)"
            r"\s+(?:at|for|with|by)\s+"
            r"(?:the\s+)?(?P<name>" + _CAP_SEQ + ")",
        ),
    ),
    (
        "works there",
        re.compile(
            r"\b(?:[Ii]nternship|[Jj]ob|[Pp]osition|[Pp]hD|[Mm]asters?|[Mm]aster['’]s|[Dd]egree|[Pp]ostdoc|[Tt]hesis|"
            r"[Ss]tudied|[Jj]oined|[Ll]eft|[Tt]hèse|[Ss]tage)\s+(?:(?:at|with|in|à|chez)\s+)?(?:the\s+|l['’])?"
            r"(?P<name>" + _CAP_SEQ + ")",
        ),
    ),
    ("works there", re.compile(r"\bchez\s+(?P<name>" + _CAP_SEQ + ")")),
    (
        "company called",
        re.compile(
            r"\b(?i:(?:company|startup|start-up|firm|business|bank|vendor|supplier|agency|consultancy|employer|client|"
            r"customer|app|product|tool|platform|boîte|entreprise|société|produit)\s+(?:is\s+)?(?:called|named|"
            r"appelée?|nommée?))\s+(?P<name>" + _CAP_SEQ + r"|[a-z][\w'’-]+)",
        ),
    ),
    (
        "client",
        re.compile(
            r"\b(?:[Oo]ur|[Mm]y|[Tt]heir|[Nn]otre|[Nn]os)\s+(?:(?:main|biggest|big|largest|first|new|old|former)\s+)?"
            r"(?:client|customer|vendor|supplier|partner|employer|product)s?(?:\s+principal)?\s*"
            r"(?:,?\s*(?:is|was|c['’]est|were)\s*)?,?\s+(?P<name>" + _CAP_SEQ + ")",
        ),
    ),
    (
        "university or lab",
        re.compile(
            r"\b(?P<name>(?:[Uu]niversit(?:y|é|e|ät|à|ad)|College|Institute|Institut|School|Academy|Polytechnic|"
            r"Politecnico|École|Ecole)\s+(?:of|de|du|des|d['’]|for|für|di|del|of\s+the)\s*" + _CAP_SEQ + ")"
        ),
    ),
    (
        "university or lab",
        re.compile(
            r"(?P<name>(?:" + CAPITALISED + r"[ \t]+){1,4}(?:University|College|Lab|Labs|Laboratory|Institute|Institut|"
            r"Centre|Center|Polytechnic|School of \w+))\b"
        ),
    ),
    (
        "university or lab",
        re.compile(r"\b(?i:laboratoire|labo|institut|lab)\s+(?P<name>" + _CAP_SEQ + ")"),
    ),
    ("university or lab", re.compile(r"\b(?P<name>Polytechnique|Politecnico|Sorbonne|Polytechnic)\b")),
)
# "everyone calls it see quest", 'it sounds like "sea quest"': what a speech-recognition slip or a
# reluctant speaker makes of a company name.
CALLED_IT = re.compile(
    r"\b(?:call(?:s|ed)?\s+(?:it|them)|sounds?\s+like)\s*,?\s*(?:like\s*,?\s*)?"
    r"(?:(?P<q>[\"“‘])(?P<quoted>[^\"”’\n]{2,40})[\"”’]|(?P<name>[^\W\d_][\w'’-]*(?:\s+[^\W\d_][\w'’-]*)?))",
    re.IGNORECASE,
)
CALLED_IT_STOP = frozenset(
    [
        "the",
        "a",
        "an",
        "that",
        "this",
        "it",
        "my",
        "our",
        "your",
        "their",
        "his",
        "her",
        "some",
        "like",
        "on",
        "in",
        "at",
        "for",
        "and",
        "or",
        "to",
    ]
)
PLACE_PREPOSITIONS = frozenset(
    [
        "in",
        "at",
        "from",
        "to",
        "near",
        "around",
        "outside",
        "across",
        "visit",
        "visited",
        "moved",
        "based",
        "for",
        "à",
        "en",
        "au",
        "aux",
        "de",
        "du",
        "dans",
        "vers",
        "depuis",
    ]
)
