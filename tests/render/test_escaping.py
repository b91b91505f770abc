"""Untrusted text shows literally and runs nothing: quotes, YAML titles and summaries in the built HTML,
and YAML descriptions with raw HTML or script links refused by ``validate``."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from mlq_catalog.cli import main
from mlq_catalog.commands.build import build_site
from mlq_catalog.evidence.validate import check_catalog
from mlq_catalog.ingest.project import Project

HOSTILE = (
    '<script>alert("mlq-xss-1")</script> <img src=x onerror=alert("mlq-xss-2")> '
    "[click me](javascript:alert('mlq-xss-3')) {{ 7*191 }} {% raw %} **not bold** _not em_ "
    "`not code` # not a heading <!-- not a comment --> &amp;lt; | a | b |"
)
# Titles and summaries may not hold markup (validate refuses it, see below), but quotes, ampersands,
# Jinja and Markdown syntax are allowed and must stay text, also inside HTML attributes.
HOSTILE_TITLE = "Drift *mlq-title* & {{ 3*337 }}"
HOSTILE_SUMMARY = """Say "mlq-summary" onmouseover="alert(1)" & 'x' then [x](javascript:alert("mlq-xss-6"))"""


def _plant_hostile_quote(catalog: Path) -> str:
    """Append HOSTILE to a coded interviewee turn of interview-43; return the quote id."""
    checked = check_catalog(catalog)
    assert checked.evidence is not None
    quote = next(q for q in checked.evidence.quotes if q.transcript == "interview-43" and "data-drift" in q.entities)
    path = catalog / "transcripts" / "interview-43.txt"
    lines = path.read_text(encoding="utf-8").split("\n")
    lines[quote.line - 1] += " " + HOSTILE
    path.write_text("\n".join(lines), encoding="utf-8")
    return quote.id


@pytest.mark.slow
def test_hostile_quote_title_and_summary_show_literally_in_html(project_copy: Path, tmp_path: Path) -> None:
    catalog = project_copy / "catalog"
    quote_id = _plant_hostile_quote(catalog)
    issue_path = catalog / "issues" / "data-drift.yaml"
    issue = yaml.safe_load(issue_path.read_text(encoding="utf-8"))
    issue["title"], issue["summary"] = HOSTILE_TITLE, HOSTILE_SUMMARY
    issue_path.write_text(yaml.safe_dump(issue, sort_keys=False), encoding="utf-8")

    project = Project.from_config(project_copy / "mkdocs.yml", site_dir=tmp_path / "site", pages_dir=tmp_path / "pages")
    build_site(project)

    page = (project.site_dir / "issues" / "data-drift" / "index.html").read_text(encoding="utf-8")
    assert f'id="{quote_id}"' in page
    every_page = {p: p.read_text(encoding="utf-8") for p in project.site_dir.rglob("*.html")}
    for path, html_text in every_page.items():
        # Nothing planted became markup: no script element, image, handler or javascript: link of ours.
        assert not re.search(r"<script[^>]*>\s*alert", html_text), path
        assert not re.search(r"<img[^>]*onerror", html_text, re.IGNORECASE), path
        assert not re.search(r"""href=["']?\s*javascript:""", html_text, re.IGNORECASE), path
        assert "5337" not in html_text and "1011" not in html_text, path  # {{ 7*191 }}, {{ 3*337 }} never evaluated

    # The quote shows every character as written.
    figure = page[page.index(f'id="{quote_id}"') :]
    figure = figure[: figure.index("</figure>")]
    for literal in (
        "&lt;script&gt;alert(&quot;mlq-xss-1&quot;)&lt;/script&gt;",
        "&lt;img src=x onerror=",
        "[click me](javascript:alert(&#x27;mlq-xss-3&#x27;))",
        "{{ 7*191 }}",
        "{% raw %}",
        "**not bold**",
        "_not em_",
        "`not code`",
        "# not a heading",
        "&lt;!-- not a comment --&gt;",
        "&amp;amp;lt;",
        "| a | b |",
    ):
        assert literal in figure, literal
    assert "<strong>not bold</strong>" not in figure and "<code>not code</code>" not in figure

    # The title and summary are text wherever they appear (heading, nav, lists, meta description).
    assert "{{ 3*337 }}" in page and "*mlq-title*" in page
    assert "<em>mlq-title</em>" not in page
    meta = re.search(r'<meta name="description" content="([^"]*)"', page)
    assert meta is not None and meta.group(1).startswith("Say &quot;mlq-summary&quot; onmouseover=&quot;")
    for path, html_text in every_page.items():
        # In text the quote marks are harmless; inside a tag they would add an attribute.
        assert not re.search(r'<[^<>]*\sonmouseover="alert\(1\)"', html_text), path


@pytest.mark.parametrize(
    ("description", "message"),
    [
        ("Text with <b>bold</b> HTML.", "raw HTML is not allowed in descriptions; use Markdown"),
        ('An image <img src=x onerror="alert(1)">.', "raw HTML is not allowed in descriptions; use Markdown"),
        ("A [link](javascript:alert(1)).", "javascript:, vbscript: and data: links are not allowed"),
        ("A [link](JavaScript:alert(1)).", "javascript:, vbscript: and data: links are not allowed"),
        ("A [link](&#106;avascript:alert(1)).", "javascript:, vbscript: and data: links are not allowed"),
        ("A [link][1].\n\n[1]: javascript:alert(1)", "javascript:, vbscript: and data: links are not allowed"),
        ("A [link](data:text/html;base64,PHNjcmlwdD4=).", "javascript:, vbscript: and data: links are not allowed"),
        ("An <svg/onload=alert(1)> element.", "raw HTML is not allowed in descriptions; use Markdown"),
    ],
)
def test_validate_refuses_unsafe_descriptions(catalog_copy: Path, description: str, message: str) -> None:
    _check_refused(catalog_copy, "description", description, message)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("title", 'Drift <img src=x onerror=alert("x")>', "raw HTML is not allowed in the title"),
        ("summary", '<script>alert("x")</script> is a summary.', "raw HTML is not allowed in the summary"),
        ("summary", 'A "quote"><svg/onload=alert(1)>', "raw HTML is not allowed in the summary"),
    ],
)
def test_validate_refuses_markup_in_titles_and_summaries(
    catalog_copy: Path, field: str, value: str, message: str
) -> None:
    _check_refused(catalog_copy, field, value, message)


def _check_refused(catalog_copy: Path, field: str, value: str, message: str) -> None:
    path = catalog_copy / "issues" / "data-drift.yaml"
    issue = yaml.safe_load(path.read_text(encoding="utf-8"))
    issue[field] = value
    path.write_text(yaml.safe_dump(issue, sort_keys=False), encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", "--catalog", str(catalog_copy)])
    assert result.exit_code == 1
    assert "1 error(s)" in result.stderr, result.output
    errors = [line for line in result.stdout.splitlines() if message in line]
    assert len(errors) == 1, result.stdout
    assert re.fullmatch(rf"catalog/issues/data-drift\.yaml:\d+:\d+: {re.escape(message)} \[{field}\]", errors[0])


def test_safe_markdown_descriptions_pass(catalog_copy: Path) -> None:
    path = catalog_copy / "issues" / "data-drift.yaml"
    issue = yaml.safe_load(path.read_text(encoding="utf-8"))
    issue["description"] = "**Bold**, a [paper](https://example.org/paper), <https://example.org>, and 3 < 4 > 2."
    path.write_text(yaml.safe_dump(issue, sort_keys=False), encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", "--catalog", str(catalog_copy)])
    assert result.exit_code == 0, result.stdout
