"""Packaged defaults (issue 19): templates and pages a project overrides one file at a time, and what
the generated pages need from the site configuration even when mkdocs.yml does not say it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from mlq_catalog.cli import main
from mlq_catalog.defaults import DOCS_DIR, TEMPLATES_DIR

pytestmark = pytest.mark.slow


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "project"
    result = CliRunner().invoke(main, ["init", str(root), "--no-input"])
    assert result.exit_code == 0, result.output
    monkeypatch.chdir(root)
    return root


def _build(*args: str) -> str:
    result = CliRunner().invoke(main, ["build", "--strict", *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_a_project_template_replaces_only_its_namesake(project: Path) -> None:
    (project / "templates").mkdir()
    original = (TEMPLATES_DIR / "fix.md.j2").read_text(encoding="utf-8")
    (project / "templates" / "fix.md.j2").write_text(original + "\nOur own fix template.\n", encoding="utf-8")
    _build()
    assert "Our own fix template." in (project / "site" / "fixes" / "docs-in-review" / "index.html").read_text("utf-8")
    issue = (project / "site" / "issues" / "outdated-docs" / "index.html").read_text(encoding="utf-8")
    assert "Our own fix template." not in issue and "Evidence at a glance" in issue  # still the packaged one


def test_a_project_page_or_stylesheet_replaces_the_packaged_one(project: Path) -> None:
    _build()
    site = project / "site"
    assert (site / "stylesheets" / "mlq.css").read_bytes() == (DOCS_DIR / "stylesheets" / "mlq.css").read_bytes()
    (project / "docs" / "stylesheets").mkdir()
    (project / "docs" / "stylesheets" / "mlq.css").write_text(".mlq-quote { color: teal; }\n", encoding="utf-8")
    (project / "docs" / "export-format.md").write_text("# Our export notes\n", encoding="utf-8")
    _build()
    assert (site / "stylesheets" / "mlq.css").read_text(encoding="utf-8") == ".mlq-quote { color: teal; }\n"
    assert "Our export notes" in (site / "export-format" / "index.html").read_text(encoding="utf-8")


def test_copying_the_packaged_pages_in_builds_the_same_site(project: Path, tmp_path: Path) -> None:
    """The packaged pages join where MkDocs would have listed them from docs/: same search index, same sitemap."""
    (project / "docs" / "methods.md").write_text("# Methods\n", encoding="utf-8")  # listed after export-format.md
    _build("--site-dir", str(tmp_path / "packaged"))
    for path in sorted(DOCS_DIR.rglob("*")):
        if path.is_file():
            target = project / "docs" / path.relative_to(DOCS_DIR)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target)
    _build("--site-dir", str(tmp_path / "copied"))
    for name in ("search/search_index.json", "sitemap.xml", "export-format/index.html", "index.html"):
        packaged = (tmp_path / "packaged" / name).read_text(encoding="utf-8")
        assert packaged == (tmp_path / "copied" / name).read_text(encoding="utf-8"), name


def test_a_two_line_configuration_still_builds_whole_pages(project: Path) -> None:
    minimal = "site_name: Minimal\ntheme: material\nstrict: true\nplugins:\n  - mlq-catalog\n"
    (project / "mkdocs.yml").write_text(minimal, encoding="utf-8")
    (project / "docs" / "about.md").unlink()
    (project / "docs" / "index.md").write_text("# Home\n", encoding="utf-8")
    output = _build()
    assert "WARNING" not in output, output  # strict: true would have failed on a link to the missing about.md
    site = project / "site"
    issue = (site / "issues" / "outdated-docs" / "index.html").read_text(encoding="utf-8")
    assert 'class="admonition abstract mlq-glance"' in issue  # admonition
    assert "<details" in issue  # pymdownx.details: the "Cite this issue" box
    assert 'class="mlq-evidence"' in (site / "fixes" / "docs-in-review" / "index.html").read_text("utf-8")  # attr_list
    assert 'href="../../stylesheets/mlq.css"' in issue
    prevalence = (site / "overview" / "prevalence" / "index.html").read_text(encoding="utf-8")
    assert "about" not in prevalence
    (project / "docs" / "about.md").write_text("# About\n", encoding="utf-8")
    _build()
    assert 'href="../../about/"' in (site / "overview" / "prevalence" / "index.html").read_text(encoding="utf-8")


def test_search_keywords_join_the_first_section_of_their_page(project: Path) -> None:
    """An issue page's summary, aliases, description and symptoms, and a hand-written page's front matter
    ``search: keywords:`` (a string or a list), are one field of the page's first section in the index:
    Material ranks a page by its best section, so words a reader combines from several of them must meet."""
    import json

    issue = project / "catalog" / "issues" / "outdated-docs.yaml"
    text = issue.read_text(encoding="utf-8")
    text = text.replace(
        "category: upkeep",
        'aliases: ["stale pages"]\nsymptoms: ["A step fails \\u2014 <b>the tool was renamed</b> \\U0001F600."]\n'
        "category: upkeep",
    )
    issue.write_text(text.replace("a current page", 'a "current" page: --- \\ #', 1), encoding="utf-8")
    glossary = "---\nsearch:\n  keywords: [terms, vocabulary]\n---\n# Glossary\n\nWords.\n\n## More\n\nText.\n"
    (project / "docs" / "glossary.md").write_text(glossary, encoding="utf-8")
    (project / "docs" / "notes.md").write_text(
        "---\nsearch:\n  keywords: jargon words\n---\nNo heading here.\n\n## Later\n\nText.\n", encoding="utf-8"
    )
    _build()
    index = json.loads((project / "site" / "search" / "search_index.json").read_text(encoding="utf-8"))
    assert index["config"]["fields"]["keywords"]["boost"] > index["config"]["fields"]["text"]["boost"]
    keywords = {doc["location"]: doc["keywords"] for doc in index["docs"] if "keywords" in doc}
    issues = sorted(p.stem for p in (project / "catalog" / "issues").glob("*.yaml"))
    assert sorted(keywords) == sorted([*(f"issues/{i}/" for i in issues), "glossary/", "notes/"])
    outdated = keywords["issues/outdated-docs/"]
    for words in ("Pages describe how things used to work", "stale pages", 'a "current" page: --- \\ #', "\U0001f600"):
        assert words in outdated, words
    assert "&lt;b&gt;the tool was renamed&lt;/b&gt;" in outdated  # text, as in the index's other fields
    assert keywords["glossary/"] == "terms vocabulary" and keywords["notes/"] == "jargon words"
