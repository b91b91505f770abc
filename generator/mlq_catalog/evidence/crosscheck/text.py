"""Cross-checks of text: titles and summaries are plain text, descriptions safe Markdown, and no link address
is unparseable or holds what a redaction rule replaces."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

from mlq_catalog.evidence.crosscheck.located import at
from mlq_catalog.evidence.redaction.redactor import Redactor
from mlq_catalog.evidence.redaction.rules import load_redactions
from mlq_catalog.structure.catalog import Catalog
from mlq_catalog.structure.errors import Problem
from mlq_catalog.text.mdsafe import description_problems

# Browsers and Python-Markdown treat "<" before a letter, "/", "!" or "?" as markup ("<svg/onload=...>" too);
# only Markdown autolinks may start that way.
RAW_HTML = re.compile(r"<(?!(?:https?|mailto|ftp):)[A-Za-z!/?]")
PLACEHOLDER = re.compile(r"\bTODO\b")
UNSAFE_LINK = re.compile(r"\]\(\s*<?\s*(javascript|vbscript|data):", re.IGNORECASE)


def check_plain_text(catalog: Catalog) -> list[Problem]:
    """Titles and summaries are plain text, escaped wherever they go: markup in them would only ever show as
    text, so it is refused as the mistake it is."""
    problems = []
    for kind in ("issues", "fixes", "contexts", "categories", "meta_codes"):
        for entity_id, entity in getattr(catalog, kind).items():
            for name in ("title", "summary"):
                value = getattr(entity, name, None)
                if isinstance(value, str) and RAW_HTML.search(value):
                    problems.append(
                        at(catalog, entity_id, (name,), f"raw HTML is not allowed in the {name}", code="raw-html")
                    )
    return problems


class _LinkAddresses(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found += [value for name, value in attrs if name in ("href", "src") and value is not None]


def link_addresses(markdown_text: str) -> list[str]:
    """Every address a Markdown text links to, as the HTML it becomes holds them: inline, reference,
    image and autolinks alike (entities decoded)."""
    if "](" not in markdown_text and "]:" not in markdown_text and "<" not in markdown_text:
        return []  # no link syntax at all: most descriptions
    import markdown  # type: ignore[import-untyped]

    parser = _LinkAddresses()
    parser.feed(markdown.markdown(markdown_text))
    parser.close()
    return parser.found


def check_link_addresses(catalog: Catalog) -> list[Problem]:
    """Refuse, before anything is built, a description link whose address MkDocs cannot parse, or that
    holds text a redaction rule replaces.

    A redaction inside an address (``https://[Company A].example.com/paper``) leaves a live link to a
    garbage host, and MkDocs crashed on it (issue 13); and an address naming what the rules hide
    would tell who it is by itself. Only the author can decide: drop the link, or its address.
    """
    rules_file, found = load_redactions(catalog.root, catalog.transcripts)  # reported by the redact stage
    usable = rules_file is not None and not any(p.severity == "error" for p in found)
    redactor = Redactor(rules_file.rules if usable and rules_file is not None else [])
    problems: list[Problem] = []
    for kind in ("issues", "fixes", "contexts", "categories", "meta_codes"):
        for entity_id, entity in getattr(catalog, kind).items():
            text = getattr(entity, "description", None)
            if not isinstance(text, str):
                continue
            for address in link_addresses(text):
                try:
                    urlsplit(address)
                except ValueError as exc:
                    problems.append(
                        at(
                            catalog,
                            entity_id,
                            ("description",),
                            f"link address '{address}' is not a valid URL ({exc})",
                            code="invalid-link",
                        )
                    )
                    continue
                hidden = redactor.matches(address, None, detectors=False)
                if hidden:
                    problems.append(
                        at(
                            catalog,
                            entity_id,
                            ("description",),
                            f"link address '{address}' holds '{hidden[0].original}', which "
                            "redactions.yaml replaces; a redacted address cannot be published: remove the link or "
                            "its address",
                            code="redacted-link",
                        )
                    )
    return problems


def check_markdown(catalog: Catalog, entity_id: str, text: str) -> list[Problem]:
    problems = []
    if RAW_HTML.search(text):
        problems.append(
            at(
                catalog,
                entity_id,
                ("description",),
                "raw HTML is not allowed in descriptions; use Markdown",
                code="raw-html",
            )
        )
    if UNSAFE_LINK.search(text) or _hidden_unsafe_link(text):
        problems.append(
            at(
                catalog,
                entity_id,
                ("description",),
                "javascript:, vbscript: and data: links are not allowed",
                code="unsafe-link",
            )
        )
    if not problems:  # attribute lists, and whatever else would render to live markup (mdsafe.py)
        problems += [
            at(catalog, entity_id, ("description",), m, code="live-markup") for m in description_problems(text)
        ]
    return problems


def _hidden_unsafe_link(text: str) -> bool:
    """Unsafe schemes that UNSAFE_LINK misses: reference definitions, entities, whitespace inside the scheme.

    Browsers decode entities in href and drop tabs and newlines inside a URL scheme, so
    ``[x](&#106;ava&#x09;script:...)`` and ``[x][1]`` with ``[1]: javascript:...`` run script too.
    """
    decoded = re.sub(r"\s+", "", html.unescape(html.unescape(text)))
    return bool(re.search(r"\](?:\(|:)<?(?:javascript|vbscript|data):", decoded, re.IGNORECASE))
