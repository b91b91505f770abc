"""Stored XSS (issue 13, items 5-8) and the HTML safety check over every built page.

Contributor text never becomes live markup in the published site:

* item 5: descriptions (Markdown) may not carry attribute lists, nor anything else that renders to
  an event handler, a script link or a script; the syntax of extensions the site does not enable
  stays text, and every extension it enables was audited (mdsafe.py);
* item 6: titles and other plain-text fields show as written wherever they appear, entities
  included (``&lt;/title&gt;`` is text, never a tag);
* item 7: tag values show as written on issue pages, browse pages and in search;
* item 8: a redaction placeholder never forms Markdown with the text around it;
* the HTML safety check (tests/sitecheck.py) parses every page of the site built from the shipped
  catalog, and of one built from a catalog planted with hostile text in every field, and finds
  nothing live in either.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from mlq_catalog.cli import main
from mlq_catalog.commands.build import build_site
from mlq_catalog.ingest.project import Project
from mlq_catalog.render.overview import tag_anchor
from mlq_catalog.structure.errors import CatalogError
from mlq_catalog.text import htmlsafety
from mlq_catalog.text.htmlsafety import find_unsafe
from mlq_catalog.text.mdsafe import AUDITED_EXTENSIONS

from ..conftest import REPO
from ..sitecheck import THEME, theme_script, unsafe_markup

SITE_NAME = "ML Quality Issues Catalog"


# -- helpers ---------------------------------------------------------------------------------------


def _copy_project(root: Path) -> Path:
    root.mkdir(parents=True)
    for name in [n for n in ("catalog", "docs", "templates") if (REPO / n).is_dir()]:
        shutil.copytree(REPO / name, root / name)
    shutil.copy2(REPO / "mkdocs.yml", root / "mkdocs.yml")
    return root


def _edit(path: Path, **changes: Any) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data.update(changes)
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")


def _build(project: Path, site: Path) -> Path:
    built = Project.from_config(project / "mkdocs.yml", site_dir=site, pages_dir=site.parent / "pages")
    build_site(built)
    return built.site_dir


class _Text(HTMLParser):
    """A page as a browser shows it: the text of each element (entities decoded), and every id and href."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, dict[str, str | None]]] = []
        self.texts: dict[str, list[str]] = {}
        """Element name, or ``name.class`` for each of its classes -> the text inside each such element."""
        self.ids: set[str] = set()
        self.hrefs: list[str] = []
        self._open: list[tuple[list[str], list[str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if values.get("id"):
            self.ids.add(values["id"] or "")
        if tag == "a" and values.get("href"):
            self.hrefs.append(values["href"] or "")
        if tag in ("meta", "link", "img", "br", "hr", "input", "source", "path", "rect", "line", "use"):
            return
        keys = [tag] + [f"{tag}.{c}" for c in (values.get("class") or "").split()]
        self._open.append((keys, []))

    def handle_endtag(self, tag: str) -> None:
        for index in range(len(self._open) - 1, -1, -1):
            if self._open[index][0][0] == tag:
                keys, parts = self._open.pop(index)
                text = " ".join("".join(parts).split())
                for key in keys:
                    self.texts.setdefault(key, []).append(text)
                return

    def handle_data(self, data: str) -> None:
        for _, parts in self._open:
            parts.append(data)


def _page(site: Path, relative: str) -> _Text:
    parser = _Text()
    parser.feed((site / relative).read_text(encoding="utf-8"))
    parser.close()
    return parser


def _all_text(site: Path) -> Iterator[tuple[str, str]]:
    for path in sorted(site.rglob("*.html")):
        parsed = _page(site, path.relative_to(site).as_posix())
        for texts in parsed.texts.values():
            for text in texts:
                yield path.relative_to(site).as_posix(), text


# -- item 5: attribute lists and other live markup in descriptions ----------------------------------

ATTRIBUTE_LISTS = {
    "paragraph handler": 'A paragraph.\n{: onclick="alert(1)" }',
    "link href": 'See [the paper](https://example.org/paper){: href="javascript:alert(1)" }.',
    "emphasis, no colon": "Some *emphasis*{ .x onmouseover=alert(1) } here.",
    "image onerror": '![chart](https://example.org/chart.png){: onerror="alert(1)" }',
    "code span": "Call `fit()`{: onclick=alert(1) } first.",
    "heading id": "## Causes { #__config }\n\nText.",
    "heading handler": "### Causes {: onmouseover=alert(1) }",
    "list item": "- first\n- second\n{: onclick=alert(1) }",
    "quote": "> Said once.\n{: onclick=alert(1) }",
    "table cell": "| a | b |\n| --- | --- |\n| *x*{ onclick=alert(1) } | y { onfocus=alert(1) autofocus } |",
    "class only": "A paragraph styled as the site's banner.\n{: .md-banner }",
    "valueless attribute": "Text.\n{: contenteditable }",
    "braces alone on a line": "The labels were\n{0, 1}",
    "code fence, classes": "```{ .python #__search }\nx = 1\n```",
    "code fence, key=value": '~~~ { .python data-md-component="announce" }\nx = 1\n~~~',
    "code fence in a list": "- step\n\n    ``` { .sh onclick=alert(1) }\n    run\n    ```",
}


@pytest.mark.parametrize("description", ATTRIBUTE_LISTS.values(), ids=ATTRIBUTE_LISTS.keys())
def test_validate_refuses_attribute_lists_in_descriptions(catalog_copy: Path, description: str) -> None:
    _refused(catalog_copy, description, "attribute lists are not allowed in descriptions; write \\{ to show a brace")


ADMONITION_CLASSES = {
    "extra class": '!!! note md-banner "Site notice"\n    Text.',
    "class as the type": "!!! md-header\n    Text.",
    "collapsible block": "??? danger md-button\n    Text.",
    "open collapsible block": '???+ md-typeset__table "x"\n    Text.',
}


@pytest.mark.parametrize("description", ADMONITION_CLASSES.values(), ids=ADMONITION_CLASSES.keys())
def test_validate_refuses_admonition_classes_other_than_materials_types(catalog_copy: Path, description: str) -> None:
    _refused(catalog_copy, description, "is not allowed in descriptions; use one of note, abstract, info, tip")


RENDERED_UNSAFE = {
    "control character before the scheme": "A [link](\x01javascript:alert(1)).",
    "form feed before the scheme": "A [link](\x0cjavascript:alert(1)).",
    "reference to a control character": "A [link][r].\n\n[r]: \x02javascript:alert(1)",
    "image with a control character": "![x](\x03javascript:alert(1))",
    "control character inside angle brackets": "A [link](<\x01javascript:alert(1)>).",
}


@pytest.mark.parametrize("description", RENDERED_UNSAFE.values(), ids=RENDERED_UNSAFE.keys())
def test_validate_refuses_descriptions_that_render_to_live_markup(catalog_copy: Path, description: str) -> None:
    _refused(catalog_copy, description, "")


def _refused(catalog_copy: Path, description: str, message: str) -> None:
    _edit(catalog_copy / "issues" / "data-drift.yaml", description=description)
    result = CliRunner().invoke(main, ["validate", "--catalog", str(catalog_copy)])
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    errors = [line for line in result.stdout.splitlines() if line.endswith("[description]")]
    assert errors, result.stdout
    for line in errors:
        assert re.fullmatch(r"catalog/issues/data-drift\.yaml:\d+:\d+: .+ \[description\]", line), line
    assert any(message in line for line in errors), errors


def test_escaped_braces_and_braces_inside_text_pass(catalog_copy: Path) -> None:
    _edit(
        catalog_copy / "issues" / "data-drift.yaml",
        description="Labels in {0, 1} mid-sentence, and an escaped one:\n\\{0, 1}\n\n`{: not attributes }` in code.",
    )
    result = CliRunner().invoke(main, ["validate", "--catalog", str(catalog_copy)])
    assert result.exit_code == 0, result.stdout


def test_every_markdown_extension_of_the_site_was_audited() -> None:
    """A new extension in mkdocs.yml must be audited (and given a planted payload here) before it is enabled."""
    from mkdocs.config import load_config

    config = load_config(str(REPO / "mkdocs.yml"))
    assert set(config.markdown_extensions) == set(AUDITED_EXTENSIONS), (
        "mkdocs.yml enables Markdown extensions that mdsafe.AUDITED_EXTENSIONS does not list (or the reverse): "
        "audit what contributor text can do with them, then list them"
    )
    for name, options in AUDITED_EXTENSIONS.items():
        assert config.mdx_configs.get(name, {}) == options, name


# Syntax of extensions the site does not enable, and entities: accepted by validate, and text on the page.
INERT_DESCRIPTION = """Snippets stay text: --8<-- "README.md" and

--8<-- "mkdocs.yml"

Emoji :smile: and :material-alert:, math $x^2$ and $$y$$, critic {++added++} {--gone--} {==marked==}, \
keys ++ctrl+alt+del++, caret ^^ins^^ and x^2^, mark ==marked==, tilde ~~struck~~ and H~2~O, footnote[^1].

*[HTML]: Hyper Text Markup Language

[^1]: A note.

Entities stay text: &lt;script&gt;alert("d-entity")&lt;/script&gt; and &#60;img src=x onerror=alert("d-num")&#62;.

| Cell | Other |
| --- | --- |
| &lt;script&gt;alert("cell")&lt;/script&gt; | x |

!!! note "&lt;img src=x onerror=alert(&quot;admonition&quot;)&gt;"
    Body.

??? warning "&#60;script&#62;alert("details")&#60;/script&#62;"
    Body.

???+ tip inline end "Tip"
    Allowed: a type and Material's placement words.

## Heading &lt;script&gt;alert("heading")&lt;/script&gt;

Text under the heading.
"""
INERT_TEXT = (
    '--8<-- "README.md"',
    '--8<-- "mkdocs.yml"',
    ":smile:",
    ":material-alert:",
    "$x^2$",
    "$$y$$",
    "{++added++}",
    "{--gone--}",
    "{==marked==}",
    "++ctrl+alt+del++",
    "^^ins^^",
    "x^2^",
    "==marked==",
    "~~struck~~",
    "H~2~O",
    "footnote[^1]",
    "*[HTML]: Hyper Text Markup Language",
    '<script>alert("d-entity")</script>',
    '<img src=x onerror=alert("d-num")>',
    '<script>alert("cell")</script>',
    '<img src=x onerror=alert("admonition")>',
    '<script>alert("details")</script>',
    '<script>alert("heading")</script>',
)


def test_syntax_of_extensions_not_enabled_and_entities_stay_text(hostile_site: Path) -> None:
    page = _page(hostile_site, "fixes/drift-monitoring/index.html")
    article = " ".join(page.texts["article"])
    for literal in INERT_TEXT:
        assert literal in article, literal
    html = (hostile_site / "fixes" / "drift-monitoring" / "index.html").read_text(encoding="utf-8")
    assert "Keep README.md's two first commands true" not in html  # nothing was included from a file
    readme_line = (REPO / "README.md").read_text(encoding="utf-8").splitlines()[2]
    assert readme_line not in html
    produced_by_an_extension = r"<(?:mark|ins|del|sup|sub|kbd|abbr)\b|class=\"(?:footnote|arithmatex|critic|emoji)"
    assert re.search(produced_by_an_extension, html) is None
    # The heading's entry in the table of contents is text too.
    assert '<script>alert("heading")</script>' in " ".join(page.texts["a.md-nav__link"])


def test_build_refuses_live_markup_that_validate_missed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The second net: the build checks what the site's own Markdown configuration made of each page."""
    project = _copy_project(tmp_path / "project")
    _edit(project / "catalog" / "issues" / "data-drift.yaml", description='Text.\n{: onclick="alert(1)" }')
    monkeypatch.setattr("mlq_catalog.evidence.crosscheck.text.description_problems", lambda text: [])
    # Reviewed as harmless text, so that the review gate (issue 14) lets the build reach this net.
    with (project / "catalog" / "audit-allowlist.yaml").open("a", encoding="utf-8") as out:
        out.write("  - term: onclick\n    reason: A test of the build's markup check.\n")
    with pytest.raises(CatalogError) as caught:
        _build(project, tmp_path / "out" / "site")
    message = caught.value.format_message()
    assert "\n" not in message
    assert "catalog/issues/data-drift.yaml: refusing to publish live markup in issues/data-drift.md" in message
    assert "event-handler attribute onclick on <p>" in message
    assert not (tmp_path / "out" / "site").exists()
    # Nor does the engine input that another engine publishes (engine_input.py) hold the refused page.
    engine_page = tmp_path / "out" / "pages-engine" / "docs" / "issues" / "data-drift.md"
    assert not engine_page.exists() or "onclick" not in engine_page.read_text(encoding="utf-8")


# -- items 6-8 and the site check: a catalog with hostile text in every field ------------------------

ISSUE_TITLE = 'Drift &lt;/title&gt;&lt;script&gt;alert("t-issue")&lt;/script&gt; & "q" \'a\' Vantablue(javascript:x)'
ISSUE_SUMMARY = 'Summary &lt;img src=x onerror=alert("s-issue")&gt; with "quotes" onmouseover="alert(1)" & more.'
FIX_TITLE = 'Monitor &lt;svg onload=alert("t-fix")&gt; &amp;amp; <3'
CATEGORY_TITLE = 'Maintenance &lt;/title&gt;&lt;img src=x onerror=alert("t-cat")&gt;'
CONTEXT_TITLE = 'Web &#60;script&#62;alert("t-ctx")&#60;/script&#62; scraping'
TAGS = [
    '<img src=x onerror=alert("tag-img")>',
    "<b>bold</b> &lt;i&gt;",
    'x --> <script>alert("tag-script")</script>',
    "\"quoted\" & 'apos' *em* [l](javascript:x)",
]
ROLE = '<img src=x onerror=alert("role")> &lt;b&gt;'
AUTHOR = 'Eve &lt;script&gt;alert("author")&lt;/script&gt;'
NOTES = 'Notes &lt;script&gt;alert("notes")&lt;/script&gt; <img src=x onerror=alert("notes")>'
PLACEHOLDER_PARAGRAPHS = (
    'Ask Vantablue(javascript:alert("p-inline")) about it, or !Vantablue(https://evil.example/pixel.png), '
    "or Vantablue Acmecorp, or Vantablue alone.\n\n"
    'Vantablue: javascript:alert("p-ref")\n\n'
    'Acmecorp: javascript:alert("p-ref2")\n\n'
    "Zorblax said so, and Vantablue(Acmecorp) too."
)
# What a reader must see: the placeholders, as text, with the text around them.
PLACEHOLDER_TEXT = (
    '[Company A](javascript:alert("p-inline"))',
    "![Company A](https://evil.example/pixel.png)",
    "[Company A] [Company B]",
    "[Company A] alone",
    '[Company A]: javascript:alert("p-ref")',
    '[Company B]: javascript:alert("p-ref2")',
    '[<img src=x onerror=alert("ph")>] said so',
    "[Company A]([Company B]) too",
)
REDACTIONS = """
  - terms: [Vantablue]
    placeholder: "[Company A]"
  - terms: [Acmecorp]
    placeholder: "[Company B]"
  - terms: [Zorblax]
    placeholder: '[<img src=x onerror=alert("ph")>]'
"""


def _shown(title: str) -> str:
    """A title as readers must see it: redacted, otherwise exactly as written."""
    return " ".join(title.replace("Vantablue", "[Company A]").split())


def _plant(project: Path) -> None:
    catalog = project / "catalog"
    issue = catalog / "issues" / "data-drift.yaml"
    data = yaml.safe_load(issue.read_text(encoding="utf-8"))
    _edit(
        issue,
        title=ISSUE_TITLE,
        summary=ISSUE_SUMMARY,
        description=data["description"] + "\n" + PLACEHOLDER_PARAGRAPHS,
        formerly=["drift-of-old"],
        tags={**data["tags"], "dimension": [*data["tags"].get("dimension", []), *TAGS]},
    )
    _edit(catalog / "fixes" / "drift-monitoring.yaml", title=FIX_TITLE, description=INERT_DESCRIPTION)
    _edit(catalog / "categories" / "maintenance-monitoring.yaml", title=CATEGORY_TITLE)
    _edit(catalog / "contexts" / "web-scraping.yaml", title=CONTEXT_TITLE)
    meta = yaml.safe_load((catalog / "catalog.yaml").read_text(encoding="utf-8"))
    meta["versions"][0]["notes"] = NOTES
    # Any dimension may be planted: the shipped catalog lists the values it allows.
    facets = meta.get("facets", {})
    facets.get("dimension", {}).pop("values", None)
    _edit(catalog / "catalog.yaml", authors=[AUTHOR], versions=meta["versions"], facets=facets)
    listing = yaml.safe_load((catalog / "transcripts.yaml").read_text(encoding="utf-8"))
    for entry in listing["transcripts"]:
        entry["role"] = ROLE
    _edit(catalog / "transcripts.yaml", transcripts=listing["transcripts"])
    rules = catalog / "redactions.yaml"
    rules.write_text(rules.read_text(encoding="utf-8").rstrip("\n") + REDACTIONS, encoding="utf-8")


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("hostile")
    project = _copy_project(base / "project")
    _plant(project)
    result = CliRunner().invoke(main, ["validate", "--catalog", str(project / "catalog")])
    assert result.exit_code == 0, result.output  # all of it is allowed: it must come out as text
    return _build(project, base / "out" / "site")


@pytest.fixture(scope="module")
def shipped_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("shipped")
    return _build(_copy_project(base / "project"), base / "out" / "site")


def test_shipped_site_has_no_live_markup(shipped_site: Path) -> None:
    assert len(list(shipped_site.rglob("*.html"))) > 60
    assert unsafe_markup(shipped_site) == []


def test_hostile_catalog_site_has_no_live_markup(hostile_site: Path) -> None:
    assert unsafe_markup(hostile_site) == []


def test_titles_show_as_written_in_every_context(hostile_site: Path) -> None:
    issue, fix, category, context = map(_shown, (ISSUE_TITLE, FIX_TITLE, CATEGORY_TITLE, CONTEXT_TITLE))
    page = _page(hostile_site, "issues/data-drift/index.html")
    assert page.texts["title"] == [f"{issue} - {SITE_NAME}"]  # <title>: Material prints it without escaping
    assert page.texts["h1"][0].startswith(issue)
    assert issue in " ".join(page.texts["a.md-nav__link"])
    assert any(text == fix for text in page.texts["a"])  # the fixes list and the glance box
    assert any(text.startswith(category) for text in page.texts["a"])
    assert f"Stage: {category}" in page.texts["a.md-tag"]
    # Nav and lists on other pages, the fix page's own title, and the context as a tag.
    for relative, shown in (
        ("issues/label-drift/index.html", issue),
        ("fixes/drift-monitoring/index.html", fix),
        ("categories/maintenance-monitoring/index.html", category),
        ("contexts/web-scraping/index.html", context),
    ):
        other = _page(hostile_site, relative)
        # A category is a nav section (a label) over its pages, an entry a link.
        nav = other.texts.get("a.md-nav__link", []) + other.texts.get("label.md-nav__link", [])
        assert any(shown in text for text in nav), relative
    assert _page(hostile_site, "fixes/drift-monitoring/index.html").texts["title"] == [f"{fix} - {SITE_NAME}"]
    assert _page(hostile_site, "contexts/web-scraping/index.html").texts["title"] == [f"{context} - {SITE_NAME}"]
    assert f"Collection: {context}" in _page(hostile_site, "issues/missing-values/index.html").texts["a.md-tag"]
    # The meta description, the chart labels, the citation, the redirect page of a former id.
    html = (hostile_site / "issues" / "data-drift" / "index.html").read_text(encoding="utf-8")
    meta = re.search(r'<meta name="description" content="([^"]*)"', html)
    assert meta is not None
    from html import unescape

    assert unescape(meta.group(1)) == ISSUE_SUMMARY
    chart = _page(hostile_site, "overview/prevalence/index.html")
    assert any(text.startswith(issue[:20]) for text in chart.texts["text"])
    cite = " ".join(page.texts["details.quote"])
    assert f"{AUTHOR} (" in cite and f"{issue}. In" in cite
    moved = _page(hostile_site, "issues/drift-of-old/index.html")
    assert moved.texts["title"] == [f"Moved: {issue}"] and moved.texts["a"] == [issue]
    # Search shows titles as HTML: they are escaped there, so they read as written.
    index = json.loads((hostile_site / "search" / "search_index.json").read_text(encoding="utf-8"))
    titles = {unescape(d["title"]) for d in index["docs"] if d["location"].startswith("issues/data-drift/")}
    assert issue in titles
    # Role, author and version notes are text too.
    texts = [text for _, text in _all_text(hostile_site)]
    assert any(ROLE in text for text in texts)
    assert any(NOTES in text for text in texts)
    # No context decodes an entity twice: the decoded payloads never show as text (they would be tags).
    for relative, text in _all_text(hostile_site):
        for decoded in ('</title><script>alert("t-issue")', '<svg onload=alert("t-fix")>', '<script>alert("t-ctx")'):
            assert decoded not in text, (relative, text)


def test_tag_values_show_as_written_and_their_links_resolve(hostile_site: Path) -> None:
    shown = [f"Data quality: {t[:1].upper()}{t[1:]}" for t in TAGS]
    page = _page(hostile_site, "issues/data-drift/index.html")
    for tag in shown:
        assert tag in page.texts["a.md-tag"], tag
    browse = _page(hostile_site, "browse/dimension/index.html")
    headings = " ".join(browse.texts["h2"])
    table = browse.texts["td"]
    for tag in shown:
        assert tag in headings, tag  # Material's listing
        assert tag.split(": ", 1)[1] in table, tag  # our table of tags
        assert tag_anchor(tag).removeprefix("#") in browse.ids, tag
    # Every tag link (issue pages, browse pages, home page) lands on a heading of the listing it points to.
    for relative in ("index.html", "issues/data-drift/index.html", "browse/dimension/index.html"):
        for href in _page(hostile_site, relative).hrefs:
            if "#tag:" in href:
                target, anchor = href.split("#", 1)
                path = (hostile_site / relative).parent / target
                path = path / "index.html" if path.is_dir() else path
                assert (
                    anchor in _page(hostile_site, path.resolve().relative_to(hostile_site.resolve()).as_posix()).ids
                ), (
                    relative,
                    href,
                )
    index = json.loads((hostile_site / "search" / "search_index.json").read_text(encoding="utf-8"))
    from html import unescape

    tags = {unescape(t) for d in index["docs"] for t in d.get("tags") or ()}
    assert set(shown) <= tags


def test_redaction_placeholders_never_form_markdown(hostile_site: Path) -> None:
    page = _page(hostile_site, "issues/data-drift/index.html")
    article = " ".join(page.texts["article"])
    for text in PLACEHOLDER_TEXT:
        assert text in article, text
    html = (hostile_site / "issues" / "data-drift" / "index.html").read_text(encoding="utf-8")
    assert "evil.example" not in " ".join(page.hrefs) and '<img alt="Company A"' not in html
    assert "Vantablue" not in html and "Acmecorp" not in html and "Zorblax" not in html


# -- the checker itself --------------------------------------------------------------------------------

UNSAFE_HTML = {
    "handler": '<p onclick="alert(1)">x</p>',
    "handler, upper case": "<IMG SRC=x ONERROR=alert(1)>",
    "handler after a slash": "<svg/onload=alert(1)>",
    "javascript href": '<a href="javascript:alert(1)">x</a>',
    "mixed case scheme": '<a href="JaVaScRiPt:alert(1)">x</a>',
    "entity in the scheme": '<a href="jav&#x09;ascript:alert(1)">x</a>',
    "control character first": '<a href="&#x01;javascript:alert(1)">x</a>',
    "spaces and newline": '<a href="  java\nscript:alert(1)">x</a>',
    "vbscript": '<a href="vbscript:msgbox(1)">x</a>',
    "data URL": '<iframe src="data:text/html,<script>alert(1)</script>"></iframe>',
    "data image": '<img src="data:image/svg+xml;base64,PHN2Zz4=">',
    "srcset candidate": '<img src="a.png" srcset="a.png 1x, javascript:alert(1) 2x">',
    "form action": '<form action="javascript:alert(1)"><button>x</button></form>',
    "formaction": '<button formaction="javascript:alert(1)">x</button>',
    "xlink:href": '<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>',
    "svg animation": '<svg><a><animate attributeName="href" values="javascript:alert(1)"/></a></svg>',
    "refresh meta": '<meta http-equiv="refresh" content="0; url=javascript:alert(1)">',
    "inline script": "<script>alert(1)</script>",
    "script from elsewhere": '<script src="https://evil.example/x.js"></script>',
    "unclosed script": "<script>alert(1)",
    "self-closed script": '<script src="x.js"/>',
    "object": '<object data="x.swf"></object>',
    "embed": '<embed src="x.swf">',
    "base": '<base href="https://evil.example/">',
    "markup inside style (SVG)": '<svg><style><img src=x onerror="alert(1)"></style></svg>',
    "script in style": '<div style="background:url(javascript:alert(1))">x</div>',
}


@pytest.mark.parametrize("snippet", UNSAFE_HTML.values(), ids=UNSAFE_HTML.keys())
def test_html_check_finds_each_kind_of_live_markup(snippet: str) -> None:
    assert find_unsafe(snippet, theme_script), snippet


def test_html_check_passes_harmless_markup() -> None:
    harmless = (
        '<a href="https://example.org/javascript:x">x</a> <a href="#javascript"></a> <a href="/data/">d</a>'
        '<img src="data.png" alt="javascript:alert(1)"> <p title="onclick=alert(1)">on click: javascript:alert(1)</p>'
        '<a href="mailto:x@example.org">m</a> <div data-onclick="x" class="onclick">&lt;script&gt;</div>'
        '<meta http-equiv="refresh" content="0; url=../new/">'
    )
    assert find_unsafe(harmless) == []


def test_html_check_allows_only_the_themes_own_scripts() -> None:
    palette = (THEME / "partials" / "javascripts" / "palette.html").read_text(encoding="utf-8")
    body = re.search(r"<script>(.*?)</script>", palette, re.DOTALL)
    assert body is not None
    bundle = re.search(r"'(assets/javascripts/bundle\.[0-9a-f]+\.min\.js)'", (THEME / "base.html").read_text())
    assert bundle is not None
    theirs = [
        f"<script>{body.group(1)}</script>",
        f'<script src="../../{bundle.group(1)}"></script>',
        f'<script src="/mlq-catalog/{bundle.group(1)}"></script>',
        '<script id="__config" type="application/json">{"base": ".."}</script>',
        '<script>__md_scope=new URL("../..",location),__md_hash=e=>[...e].reduce(((e,_)=>(e<<5)-e+_.charCodeAt(0)),0),'
        '__md_get=(e,_=localStorage,t=__md_scope)=>JSON.parse(_.getItem(t.pathname+"."+e)),__md_set=(e,_,t=localStorage,'
        'a=__md_scope)=>{try{t.setItem(a.pathname+"."+e,JSON.stringify(_))}catch(e){}}</script>',
    ]
    for script in theirs:
        assert htmlsafety.find_unsafe(script, theme_script) == [], script
    lookalikes = [
        f"<script>{body.group(1)};alert(1)</script>",
        f'<script src="https://evil.example/{bundle.group(1)}"></script>',
        f'<script src="../../{bundle.group(1)}?x=1"></script>',
        f'<script src="../../{bundle.group(1)}" onload="alert(1)"></script>',
        f'<script src="../../{bundle.group(1)}">alert(1)</script>',
        '<script id="__config" type="application/json">alert(1)</script>',
        '<script id="__config">{"base": ".."}</script>',
        '<script>__md_scope=new URL("",alert(1),"",location),'
        "__md_hash=e=>[...e].reduce(((e,_)=>(e<<5)-e+_.charCodeAt(0)),0),"
        '__md_get=(e,_=localStorage,t=__md_scope)=>JSON.parse(_.getItem(t.pathname+"."+e)),__md_set=(e,_,t=localStorage,'
        'a=__md_scope)=>{try{t.setItem(a.pathname+"."+e,JSON.stringify(_))}catch(e){}}</script>',
    ]
    for script in lookalikes:
        assert htmlsafety.find_unsafe(script, theme_script), script


# -- in a browser: nothing runs -------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.skipif(not Path("/usr/bin/chromium").exists(), reason="/usr/bin/chromium is not installed")
def test_no_planted_script_runs_in_a_browser(hostile_site: Path) -> None:
    """The pages that show hostile text, and search results listing it (shown by the theme as HTML)."""
    from playwright.sync_api import sync_playwright

    from ..conftest_site import serve
    from ..render.test_browser import CHROMIUM, CHROMIUM_ARGS

    ran: list[str] = []
    with serve(hostile_site) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context()
            context.route(
                "**/*", lambda route: route.continue_() if route.request.url.startswith(base) else route.abort()
            )
            page = context.new_page()
            page.on("dialog", lambda dialog: (ran.append(f"{page.url}: {dialog.message}"), dialog.dismiss()))
            for relative in (
                "",
                "issues/data-drift/",
                "issues/drift-of-old/",
                "issues/missing-values/",
                "fixes/drift-monitoring/",
                "categories/maintenance-monitoring/",
                "contexts/web-scraping/",
                "browse/dimension/",
                "browse/lifecycle/",
                "changelog/",
                "overview/prevalence/",
            ):
                page.goto(base + relative, wait_until="domcontentloaded")
                page.wait_for_timeout(300)  # an image's onerror fires once its request has failed
            for query in ("Drift", "Dimension", "onerror"):
                page.goto(base + "issues/data-drift/")
                page.locator("label.md-search__icon, .md-search__input").first.click()
                page.locator("input.md-search__input").press_sequentially(query, delay=20)
                page.locator(".md-search-result__item").first.wait_for(state="visible", timeout=15_000)
                page.wait_for_timeout(200)
            context.close()
        finally:
            browser.close()
    assert ran == []


def test_ci_checks_the_built_site_before_tests_and_before_publishing(shipped_site: Path, tmp_path: Path) -> None:
    from ..sitecheck import main as sitecheck

    for relative, build in (
        (".github/workflows/pr.yml", "Build the site (strict)"),
        (".github/workflows/deploy.yml", "Build the site"),
    ):
        steps = [
            s
            for job in yaml.safe_load((REPO / relative).read_text(encoding="utf-8"))["jobs"].values()
            for s in job.get("steps", [])
        ]
        names = [s.get("name") for s in steps]
        check = names.index("Check the built site for live markup")
        assert steps[check]["run"] == "python -m tests.sitecheck site"
        assert names.index(build) < check, relative
        after = [s.get("uses", "") for s in steps[check:]] + [s.get("run", "") for s in steps[check:]]
        if relative.endswith("deploy.yml"):
            assert any(u.startswith("actions/upload-pages-artifact") for u in after), "the check runs before the upload"
    assert sitecheck([str(shipped_site)]) == 0
    bad = tmp_path / "site"
    (bad / "x").mkdir(parents=True)
    (bad / "x" / "index.html").write_text('<p onclick="alert(1)">x</p>', encoding="utf-8")
    assert sitecheck([str(bad)]) == 1
