"""Words a page asks search to index without showing them: front matter ``search: keywords:`` (issue 21).

The issue template lists an issue's summary, aliases, description and symptoms there; a hand-written
page may list its own. The plugin's ``keywords`` field of Material's index (SEARCH_FIELDS) weighs them.
"""

from __future__ import annotations

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.pages import Page


def index_keywords(page: Page, config: MkDocsConfig) -> None:
    """Index the words of the page's front matter ``search: keywords:`` with the page's first section.

    Material ranks a page by its best single section, and favours its first one (at least twice). An issue
    page says what the issue is in four places (summary, aliases, description, symptoms) spread over
    three sections, so a reader's sentence that uses words from two of them matched none well: a page
    that merely had one of its words in its title came first. The issue template lists those words
    here, as one field of the first section; readers never see the field, only its effect on ranking.
    """
    meta = page.meta.get("search")
    keywords = meta.get("keywords") if isinstance(meta, dict) else None
    if isinstance(keywords, list):
        keywords = " ".join(str(word) for word in keywords)
    if not isinstance(keywords, str) or not keywords.strip():
        return
    search = config.plugins.get("material/search") or config.plugins.get("search")
    entries = getattr(getattr(search, "search_index", None), "entries", None)
    if not isinstance(entries, list):
        return  # MkDocs' own search plugin, or none
    # The page's entries are the last ones Material added (none if it is ``search: exclude``d).
    first = None
    for entry in reversed(entries):
        location = str(entry.get("location", ""))
        if location != page.url and not location.startswith(page.url + "#"):
            break
        first = entry
    if first is not None:
        first["keywords"] = keywords
