"""The engine input (engine_input.py): complete pages that another MkDocs-compatible engine builds without our plugin.

ProperDocs (a maintained MkDocs 1.x fork, in the test extra) builds ``<pages>-engine/mkdocs.yml`` in a
child process, and every page's article text must be the text of the site ``mlq-catalog build`` made
with the plugin. The folder is byte-identical from one build to the next, holds nothing half-done
(no quote placeholder, link token, nav placeholder or side file), and never lands on the project's files.
"""

from __future__ import annotations

import html.parser
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from mlq_catalog.commands.build import build_site
from mlq_catalog.ingest.project import Project
from mlq_catalog.structure.errors import OutputError

from ..conftest_site import REPO, built_site


class _Article(html.parser.HTMLParser):
    """The text inside a page's ``<article>`` (Material's main content), whitespace normalised, and its links.

    The links count too: a chart's links are all it says that text does not (the "Edit this page" button
    is left out: another engine points it at docs/, the plugin at the entry's YAML file)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.depth = 0
        self.found = False
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "article":
            self.depth += 1
            self.found = True
        found = dict(attrs)
        if self.depth and tag == "a" and "md-content__button" not in (found.get("class") or ""):
            self.parts.append(f"<{found.get('href')}>")

    def handle_endtag(self, tag: str) -> None:
        if tag == "article" and self.depth:
            self.depth -= 1

    def handle_data(self, data: str) -> None:
        if self.depth:
            self.parts.append(data)


def article_text(page: Path) -> str | None:
    parser = _Article()
    parser.feed(page.read_text(encoding="utf-8"))
    return " ".join(" ".join(parser.parts).split()) if parser.found else None


def properdocs_build(config: Path, site: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    command = [sys.executable, "-m", "properdocs", "build", "-q", "-f", str(config), "-d", str(site)]
    return subprocess.run(command, capture_output=True, text=True, env=env, timeout=600, check=False)


@pytest.fixture(scope="module")
def shipped(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The base folder of the shipped site's build: ``site/``, ``pages/`` and ``pages-engine/``."""
    base = tmp_path_factory.mktemp("shipped")
    built_site(base)
    return base


def test_properdocs_builds_every_page_with_the_article_text_of_the_plugin_build(shipped: Path, tmp_path: Path) -> None:
    engine = shipped / "pages-engine"
    config = yaml.safe_load((engine / "mkdocs.yml").read_text(encoding="utf-8"))
    assert not [p for p in config["plugins"] if "mlq-catalog" in (p if isinstance(p, str) else next(iter(p)))]
    result = properdocs_build(engine / "mkdocs.yml", tmp_path / "site")
    assert result.returncode == 0, result.stderr[-2000:]
    compared = assert_same_articles(shipped / "site", tmp_path / "site")
    # Every issue, fix, context, category, quotes, overview and browse page, the home page and the hand-written ones.
    assert compared >= len(list((engine / "docs").rglob("*.md"))) > 80


def test_properdocs_builds_the_same_articles_with_file_urls(project_copy: Path) -> None:
    """``use_directory_urls: false``: ``x.html`` addresses, so every chart link and permalink is another string."""
    config = project_copy / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8") + "use_directory_urls: false\n", encoding="utf-8")
    pages = project_copy / ".mlq" / "pages"
    build_site(Project.from_config(config, site_dir=project_copy / "site", pages_dir=pages))
    result = properdocs_build(project_copy / ".mlq" / "pages-engine" / "mkdocs.yml", project_copy / "other")
    assert result.returncode == 0, result.stderr[-2000:]
    assert (project_copy / "other" / "issues" / "data-drift.html").is_file()
    assert assert_same_articles(project_copy / "site", project_copy / "other") > 80


def assert_same_articles(ours: Path, theirs: Path) -> int:
    """Both sites have the same HTML files and the same article text in each; return how many had an article."""
    names = {p.relative_to(ours).as_posix() for p in ours.rglob("*.html")}
    assert names == {p.relative_to(theirs).as_posix() for p in theirs.rglob("*.html")}
    compared = 0
    for relative in sorted(names):
        expected = article_text(ours / relative)
        assert article_text(theirs / relative) == expected, relative
        compared += expected is not None
    return compared


def test_the_engine_pages_hold_nothing_left_for_a_plugin(shipped: Path) -> None:
    docs = shipped / "pages-engine" / "docs"
    pages = sorted(docs.rglob("*.md"))
    assert len(pages) > 80
    for page in pages:
        text = page.read_text(encoding="utf-8")
        for leftover in ("MLQQUOTES-", "%%MLQ_", "<!-- mlq:"):
            assert leftover not in text, f"{page.relative_to(docs)} still holds {leftover}"
    assert not list(docs.rglob("*.quotes.html"))
    # The home page's numbers and lists are filled in; the quotes are in the issue pages themselves.
    assert 'class="mlq-quote"' in (docs / "issues" / "data-drift.md").read_text(encoding="utf-8")
    assert "<!-- mlq:" in (REPO / "docs" / "index.md").read_text(encoding="utf-8")  # what was filled
    # The downloads are files, as the plugin build publishes them.
    downloads = sorted(p.relative_to(shipped / "site") for p in (shipped / "site" / "downloads").rglob("*.*"))
    published = [d for d in downloads if d.suffix != ".html"]
    assert published and all((docs / d).is_file() for d in published)
    nav = yaml.safe_load((shipped / "pages-engine" / "mkdocs.yml").read_text(encoding="utf-8"))["nav"]
    assert "@" not in yaml.safe_dump(nav).replace("@context", "")
    assert "search:" in (docs / "issues" / "data-drift.md").read_text(encoding="utf-8")


def test_the_engine_input_is_the_same_bytes_from_build_to_build(shipped: Path, tmp_path: Path) -> None:
    project = Project.from_config(REPO / "mkdocs.yml", site_dir=tmp_path / "site", pages_dir=tmp_path / "pages")
    build_site(project)
    first, second = shipped / "pages-engine", tmp_path / "pages-engine"
    names = sorted(p.relative_to(first).as_posix() for p in first.rglob("*") if p.is_file())
    assert names == sorted(p.relative_to(second).as_posix() for p in second.rglob("*") if p.is_file())
    for name in names:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name


@pytest.mark.parametrize(
    ("engine_dir", "said"),
    [
        ("docs", "not in the docs folder"),
        ("docs/engine", "not in the docs folder"),
        (".", "engine_dir must be a folder of its own"),
        (".mlq/pages", "not in the pages folder"),
        (".mlq/pages/engine", "not in the pages folder"),
        ("catalog/engine", "not in the catalog folder"),
        ("templates", "not in the templates folder"),
        ("catalog-notes", "mlq-catalog did not create"),
        ("site/engine", "the site and engine input directories"),
    ],
)
def test_the_engine_input_never_lands_on_the_projects_files(project_copy: Path, engine_dir: str, said: str) -> None:
    (project_copy / "catalog-notes").mkdir()
    (project_copy / "catalog-notes" / "mine.txt").write_text("a researcher's file\n", encoding="utf-8")
    config = project_copy / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("  - mlq-catalog:\n", f"  - mlq-catalog:\n      engine_dir: {engine_dir}\n"))
    before = {p: p.read_bytes() for p in project_copy.rglob("*") if p.is_file()}
    project = Project.from_config(config, site_dir=project_copy / "site", pages_dir=project_copy / ".mlq" / "pages")
    with pytest.raises(OutputError) as caught:
        build_site(project)
    message = caught.value.format_message()
    assert "\n" not in message and said in message, message
    assert all(path.read_bytes() == data for path, data in before.items())


def test_a_preview_writes_no_engine_input(project_copy: Path) -> None:
    config = project_copy / "mkdocs.yml"
    project = Project.from_config(config, site_dir=project_copy / "site", pages_dir=project_copy / ".mlq" / "pages")
    build_site(project, preview=True)
    assert (project_copy / "site" / "index.html").is_file()
    assert not (project_copy / ".mlq" / "pages-engine").exists()


def test_plain_mkdocs_never_writes_the_engine_input_into_the_site(
    project_copy: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import Abort

    config_file = project_copy / "mkdocs.yml"
    text = config_file.read_text(encoding="utf-8")
    config_file.write_text(text.replace("  - mlq-catalog:\n", "  - mlq-catalog:\n      engine_dir: site/engine\n"))
    with pytest.raises(Abort):  # MkDocs logs the plugin's error and raises a bare Abort
        build(load_config(str(config_file)))
    assert "engine_dir must be a folder of its own, not in the site folder" in caplog.text
    assert not (project_copy / "site" / "engine").exists()


def test_values_from_the_environment_are_copied_as_tags_never_as_values(
    project_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The engine folder is made to be handed to another tool: a token that mkdocs.yml reads with ``!ENV``
    must stay in the environment, and the other engine must still read it from there."""
    monkeypatch.setenv("MLQ_TEST_TOKEN", "s3cr3t-token-41")
    monkeypatch.setenv("MLQ_TEST_DESCRIPTION", "private-description-42")
    config = project_copy / "mkdocs.yml"
    config.write_text(
        config.read_text(encoding="utf-8")
        + "site_author: !ENV MLQ_TEST_DESCRIPTION\n"
        + 'copyright: !ENV [MLQ_TEST_TOKEN, "none"]\n',
        encoding="utf-8",
    )
    build_site(Project.from_config(config, site_dir=project_copy / "site", pages_dir=project_copy / ".mlq" / "pages"))
    engine = project_copy / ".mlq" / "pages-engine"
    written = (engine / "mkdocs.yml").read_text(encoding="utf-8")
    assert "s3cr3t-token-41" not in written and "private-description-42" not in written
    assert "copyright: !ENV [MLQ_TEST_TOKEN, none]" in written
    assert "site_author: !ENV 'MLQ_TEST_DESCRIPTION'" in written
    result = properdocs_build(engine / "mkdocs.yml", tmp_path / "other")
    assert result.returncode == 0, result.stderr[-2000:]
    assert "s3cr3t-token-41" in (tmp_path / "other" / "index.html").read_text(encoding="utf-8")
