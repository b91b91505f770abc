"""The HTML safety check over a whole built site (imported explicitly, like conftest_site).

Every page (``*.html``, and ``*.svg`` that a browser would open as a document) is parsed and
checked with ``mlq_catalog.text.htmlsafety``: no event-handler attribute, no javascript:/vbscript:/data:
URL, no element that loads a document, and no ``<script>`` but the theme's own. The search
index counts as pages too: the theme shows its titles, texts and tags as HTML.

The theme's own scripts are recognised from Material's templates, not from the site under test:

* a script loaded from Material's bundle (``assets/javascripts/bundle.<hash>.min.js``, the name
  read from its ``base.html``), with nothing else on the tag;
* the configuration block, ``<script id="__config" type="application/json">`` holding JSON;
* an inline script whose text is one of ``partials/javascripts/*.html``, where each ``{{ ... }}``
  of the template may only be text that cannot leave its JavaScript string (no quote,
  backslash or angle bracket).
"""

from __future__ import annotations

import functools
import json
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import material  # type: ignore[import-untyped]

from mlq_catalog.text.htmlsafety import Attrs, find_unsafe, unsafe_url

THEME = Path(material.__file__).resolve().parent / "templates"
_SLOT = r"[^\"'\\<>\n]*"


@functools.lru_cache(maxsize=1)
def _theme_scripts() -> tuple[frozenset[str], tuple[re.Pattern[str], ...]]:
    base = (THEME / "base.html").read_text(encoding="utf-8")
    bundles = frozenset(re.findall(r"""<script src="\{\{ '([^']+\.js)' \| url \}\}"></script>""", base))
    assert bundles, "Material's base.html no longer loads its bundle the way this check expects"
    # The plugin's own packaged script (the search query rewrite) is put on every page by the plugin, not by a page.
    from mlq_catalog.commands.engine_config import SEARCH_SCRIPT

    bundles = bundles | {SEARCH_SCRIPT}
    inline = []
    for partial in sorted((THEME / "partials" / "javascripts").glob("*.html")):
        for body in re.findall(r"<script>(.*?)</script>", partial.read_text(encoding="utf-8"), re.DOTALL):
            pieces = re.split(r"\{\{.*?\}\}", body)
            inline.append(re.compile(_SLOT.join(re.escape(p) for p in pieces)))
    assert inline, "Material's inline scripts were not found"
    return bundles, tuple(inline)


def theme_script(attrs: Attrs, text: str) -> bool:
    """Whether a ``<script>`` is one that Material itself puts into every page."""
    bundles, inline = _theme_scripts()
    if set(attrs) == {"src"} and not text.strip():
        src = urlsplit(attrs["src"] or "")
        if src.scheme or src.netloc or src.query or src.fragment:
            return False
        # Relative (../../assets/...) or absolute from the site's root (/mlq-catalog/assets/..., on the 404 page).
        prefix = r"(?:\./)?(?:\.\./)*|/(?:[\w.-]+/)*"
        return any(re.fullmatch(f"(?:{prefix}){re.escape(b)}", src.path) for b in bundles)
    if attrs == {"id": "__config", "type": "application/json"}:
        try:
            json.loads(text)
        except ValueError:
            return False
        return True
    return not attrs and any(p.fullmatch(text.strip()) for p in inline)


def _pages(site: Path) -> Iterator[Path]:
    for pattern in ("*.html", "*.htm", "*.xhtml", "*.svg"):
        yield from site.rglob(pattern)


def unsafe_markup(site: Path) -> list[str]:
    """Every finding in the built site, as ``path:line: what`` (empty when the site is clean)."""
    found: list[str] = []
    for path in sorted(_pages(site)):
        text = path.read_text(encoding="utf-8", errors="replace")
        relative = path.relative_to(site).as_posix()
        found += [f"{relative}:{f.line}: {f.what}" for f in find_unsafe(text, theme_script)]
    index = site / "search" / "search_index.json"
    if index.is_file():
        docs = json.loads(index.read_text(encoding="utf-8"))["docs"]
        for number, doc in enumerate(docs):
            where = f"search/search_index.json: docs[{number}] ({doc.get('location', '')})"
            if unsafe_url(str(doc.get("location", ""))):
                found.append(f"{where}: unsafe location")
            fragments = [str(doc.get(field, "")) for field in ("title", "text", "keywords")]
            fragments += map(str, doc.get("tags") or ())
            found += [f"{where}: {f.what}" for fragment in fragments for f in find_unsafe(fragment)]
    return found


def main(argv: list[str]) -> int:
    """``python -m tests.sitecheck SITE_DIR``: each finding on one line; exit status 1 if there is any."""
    if len(argv) != 1 or not Path(argv[0]).is_dir():
        print("usage: python -m tests.sitecheck SITE_DIR", file=sys.stderr)
        return 2
    found = unsafe_markup(Path(argv[0]))
    for line in found:
        print(f"{argv[0].rstrip('/')}/{line}")
    print(f"{len(found)} page finding(s) of live markup", file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
