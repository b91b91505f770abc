"""Built-in detectors: emails, URLs, handles, IP addresses, phone numbers and long numbers.

Each detector is a regular expression with a typed placeholder, cheap *hints* for the prefilter
(``prefilter.py``), and, where a regex cannot decide, a function that accepts or refuses a match.
They run on transcript text only (quotes, speaker labels). ``unsure_identifiers`` lists the shapes
a detector leaves alone because it cannot be sure, for the audit to show a person.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

_URL_TLDS = (
    "com|org|net|io|ai|edu|gov|co|uk|de|fr|nl|ca|au|in|info|biz|dev|app|me|ly|us|eu|ch|se|no|dk|fi|es|it|be|at"
    # Country codes that no file extension or common abbreviation uses.
    "|ae|ar|br|cl|cn|cz|ee|gr|hk|hr|hu|ie|il|jp|kr|lt|lu|lv|mx|nz|pe|ph|pk|pt|ro|ru|sg|si|sk|th|tr|tw|ua|uy|vn|za"
    # Generic TLDs that read as nothing else in an interview.
    "|xyz|online|site|tech|cloud|consulting|company|agency|digital|solutions|services|group|systems|software"
    "|studio|space|store|shop|email|blog|network|global|team|tools|works|world|academy|institute"
    "|ventures|partners|capital|health|science|engineering|education|energy|media|news|website|page|host"
    "|name|pro|mobi|asia|int|mil|museum|coop|aero|jobs|travel"
    # Names of private networks: never public, always somebody's intranet.
    "|corp|internal|intranet|local|lan|home|localdomain|private|example|onion"
)
_SURE_TLDS = frozenset(_URL_TLDS.split("|"))
# Suffixes of file names and code (model.py, data.csv, notes.md): a domain only with a scheme or "www.".
_FILE_EXTENSION_LIST = (
    "py ipynb r rmd rda rds csv tsv json jsonl yaml yml xml txt md rst pdf doc docx odt xls xlsx ods ppt pptx "
    "png jpg jpeg gif svg webp html htm css js mjs ts tsx jsx vue sh bash zsh ps1 bat cmd exe dll so dylib "
    "bin pkl pickle pt pth onnx h5 hdf5 ckpt safetensors parquet feather arrow avro orc db sqlite sql log cfg "
    "ini toml conf lock zip gz tgz tar bz2 xz rar whl egg jar war class java c cc cpp cxx hpp h cs go rs rb "
    "pl php swift kt scala m mat npy npz tex bib mp3 mp4 wav flac avi mov mkv webm tif tiff bmp ico woff ttf "
    "dat out tmp bak env tf tfrecord proto pb gguf mdx ipy sas dta sav spss qdpx qdc nvp atlproj mx22 vtt srt"
)
_FILE_EXTENSIONS = frozenset(_FILE_EXTENSION_LIST.split())


@dataclass(frozen=True)
class Detector:
    """A built-in pattern for one kind of contact detail or identifier."""

    name: str
    placeholder: str
    pattern: re.Pattern[str]
    hints: tuple[re.Pattern[str], ...] = ()
    """Cheap necessary conditions: wherever ``pattern`` matches, one of these is found too.

    Almost no paragraph holds a contact detail, so ``Redactor.matches`` first searches for
    these (each starts with a literal or a digit, which the regex engine skips to quickly) and
    runs the exact pattern only on a hit. A hint must also be found in texts joined by newlines
    wherever it was found in one of them (``Redactor.redact_all``): no anchors, and nothing that
    reads a newline as more than the end of the text. Empty: the pattern is its own hint.
    """
    accept: Callable[[str], bool] | None = None
    """Whether a match (trailing punctuation removed) really is one: the checks a regex cannot make."""


_DATE = re.compile(r"\d{1,2}[./-]\d{1,2}[./-](?:\d{2}|\d{4})|\d{4}[./-]\d{1,2}[./-]\d{1,2}")
_EXTENSION = re.compile(r"[ \t]*(?:ext\.?|extension|x|#)[ \t]*:?[ \t]*\d{1,6}$", re.IGNORECASE)


def _phone_ok(text: str) -> bool:
    text = _EXTENSION.sub("", text)  # "555-0199 ext. 42": the number decides, the extension goes with it
    digits = re.sub(r"\D", "", text)
    if not 7 <= len(digits) <= 20 or _DATE.fullmatch(text):
        return False
    groups = re.findall(r"\d+", text)
    if text.startswith("+") or "(" in text:
        return True
    # Thousands separators ("10 000 000") start with one to three digits, never with a 0 (a trunk
    # prefix: "07946 095 800" is a UK mobile number).
    thousands = len(groups[0]) <= 3 and not groups[0].startswith("0") and all(len(g) == 3 for g in groups[1:])
    if len(groups) >= 3 and not thousands:
        return True
    # Two groups: a local number such as 555-1234 or 0800 123456, not a year range such as 2019-2022.
    if len(groups) == 2 and groups[0].startswith("0") and len(digits) >= 9:
        return True
    return len(groups) == 2 and len(groups[0]) == 3 and len(groups[1]) == 4


def _url_ok(text: str) -> bool:
    """A URL with a scheme or "www." always; a bare domain when its suffix is surely a TLD, or a path follows."""
    if "://" in text or text.casefold().startswith("www."):
        return True
    host, slash, _ = text.partition("/")
    tld = host.rsplit(":", 1)[0].rsplit(".", 1)[-1].casefold()
    if tld in _FILE_EXTENSIONS:
        return False
    return tld in _SURE_TLDS or bool(slash)


# Hints of the detectors below (see Detector.hints). Each is implied by its detector's pattern:
# an email holds "@", "at" before a closing bracket, or a spoken " dot "; a handle holds "@"; a URL holds "://",
# "www." or ".TLD-shaped letters" not followed by a word character or "-" (letters compared
# case-insensitively, as in the pattern); a phone number or IP address holds two digits separated by
# one to three of " \t./-"; a long number holds seven digits in a row; a username "#" or "_" and a digit.
# Hints are searched in folded text (lower case): those that start with a lower-case literal let the
# regex engine jump from one occurrence of it to the next.
_AT = re.compile("@")
_BRACKET_AT = re.compile(r"at\s*[\])}>]")
_SPOKEN_DOT = re.compile(r"dot\s(?<=\sdot\s)")
_URL_HINTS = (
    re.compile("://"),
    re.compile(r"\.(?<=(?i:www)\.)"),  # starts with the dot, so the engine jumps from dot to dot
    re.compile(r"\.(?i:[a-z]{2,24})(?![\w-])"),
)
_DIGITS_HINT = re.compile(r"\d(?:[ \t./-]{1,3}\d|\d{6})")
_USERNAME_HINTS = (re.compile(r"#\d"), re.compile(r"_\d"))
# Hints rewritten for a text of ASCII characters only, where they find exactly the same hits:
# \d is any Unicode decimal digit, and testing that costs more than the class [0-9].
_ASCII_TWINS = {_DIGITS_HINT: re.compile(r"[0-9](?:[ \t./-]{1,3}[0-9]|[0-9]{6})")}
_PHONE_SEP = r"(?:[ \t]?[./-][ \t]?|[ \t])"
_OCTET = r"(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"
_BRACKETED = r"\s*[\[({{<]\s*{}\s*[\])}}>]\s*"

DETECTORS: tuple[Detector, ...] = (
    Detector(
        "email",
        "[email]",
        re.compile(
            r"(?<![\w.+-])[\w.+-]+(?:@|[ \t]@[ \t])[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+"
            # Written out: jo.doe [at] example [dot] com, jo.doe(at)example.com, jo.doe [@] example.com
            rf"|(?<![\w.+-])[\w.+-]+{_BRACKETED.format('(?:at|@)')}[\w-]+"
            rf"(?:(?:{_BRACKETED.format('dot')}|\.)[\w-]+)+"
            # Spoken: jo dot doe at example dot com; only with a TLD that reads as one.
            r"|(?<![\w.+-])[\w.+-]+(?:\s+dot\s+[\w+-]+)*\s+at\s+[\w-]+(?:\s+dot\s+[\w-]+)*\s+dot\s+"
            rf"(?:{_URL_TLDS})(?![\w-])",
            re.IGNORECASE,
        ),
        (_AT, _BRACKET_AT, _SPOKEN_DOT),
    ),
    Detector(
        "url",
        "[url]",
        re.compile(
            r"(?<![\w@])(?:(?:https?|ftp)://|www\.)[^\s<>\"'\]]+"
            r"|(?<![\w@.-])(?:[a-z0-9-]+\.)+[a-z]{2,24}(?![\w-])(?::\d{2,5})?(?:/[^\s<>\"'\]]*)?",
            re.IGNORECASE,
        ),
        _URL_HINTS,
        _url_ok,
    ),
    Detector(
        "handle",
        "[handle]",
        re.compile(r"(?<![\w@.])@[A-Za-z0-9_](?:[A-Za-z0-9_.]{0,38}[A-Za-z0-9_])?"),
        (_AT,),
    ),
    Detector(
        "username",
        "[handle]",
        # jdoe#1234 (a chat tag) and jdoe_42 (letters, then "_" and two or more digits).
        re.compile(
            r"(?<![\w@#.-])[a-z][\w.]{0,31}#\d{4}(?![\w-])|(?<![\w@#.-])[a-z][a-z0-9]*(?:[._][a-z0-9]+)*_\d{2,}(?![\w-])",
            re.IGNORECASE,
        ),
        _USERNAME_HINTS,
    ),
    Detector(
        "ip",
        "[ip address]",
        re.compile(rf"(?<![\w.])(?:{_OCTET}\.){{3}}{_OCTET}(?::\d{{1,5}})?(?!\w|\.\d)"),
        (_DIGITS_HINT,),
    ),
    Detector(
        "phone",
        "[phone]",
        # A country code takes a first group of any length (+33 1 …, +1 (0)…); without one, a
        # leading 1 only before three digits (1-800-555-0199). An extension goes with the number.
        re.compile(
            rf"(?<![\w+.])(?:\+\d{{1,3}}{_PHONE_SEP}?(?:\(\d{{1,5}}\){_PHONE_SEP}?)?\d{{1,5}}"
            rf"|(?:\(\d{{1,5}}\){_PHONE_SEP}?)?(?:\d{{2,5}}|1(?={_PHONE_SEP}\d{{3}})))"
            rf"(?:{_PHONE_SEP}\d{{2,8}}){{1,6}}(?:[ \t]*(?:ext\.?|extension|x|\#)[ \t]*:?[ \t]*\d{{1,6}})?(?!\w)",
            re.IGNORECASE,
        ),
        (_DIGITS_HINT,),
        _phone_ok,
    ),
    Detector("number", "[number]", re.compile(r"(?<![\w.])\d{7,}(?![\w])"), (_DIGITS_HINT,)),
)
DETECTOR_NAMES = tuple(d.name for d in DETECTORS)


# Shapes the phone detector leaves alone because it cannot be sure, for ``audit`` to show a person:
# two groups of digits that may be a local phone number (``9123 4567``) but are neither a year range
# nor thousands. (``audit`` finds the unsure domains and spelled-out emails itself.)
_YEAR = re.compile(r"(?:19|20)\d\d")
_UNSURE_PHONE = re.compile(r"(?<![\w+.,])\d{3,5}[ .\-/]\d{3,5}(?![\w]|[.,]\d)")


def unsure_identifiers(text: str) -> Iterator[tuple[int, str, str]]:
    """(offset, text, kind) for what may be a contact detail the detectors left (see ``_UNSURE_PHONE``).

    ``text`` is redacted already; ``audit`` lists these for a person to decide.
    """
    for m in _UNSURE_PHONE.finditer(text):
        found = m.group(0)
        if len(re.sub(r"\D", "", found)) >= 7 and not _phone_ok(found) and not _YEAR.match(found):
            yield m.start(), found, "phone-like"
