"""Rendering and the full build: golden issue page, CLI, search, privacy of coder names, hand-written pages."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from mlq_catalog.cli import main
from mlq_catalog.commands.generate import render_site
from mlq_catalog.evidence.validate import check_catalog

from ..conftest import CATALOG, TEMPLATES, assert_golden


def test_issue_page_golden() -> None:
    checked = check_catalog(CATALOG)
    assert checked.catalog is not None and checked.evidence is not None
    site = render_site(checked.catalog, checked.evidence, TEMPLATES)
    assert_golden("pages/issues/noisy-labels.md", site.pages["issues/noisy-labels.md"])
    assert_golden("pages/fixes/lighter-models.md", site.pages["fixes/lighter-models.md"])


def test_every_entry_gets_a_page() -> None:
    checked = check_catalog(CATALOG)
    assert checked.catalog is not None and checked.evidence is not None
    pages = render_site(checked.catalog, checked.evidence, TEMPLATES).pages
    catalog = checked.catalog
    for kind, folder in (
        ("issues", "issues"),
        ("fixes", "fixes"),
        ("contexts", "contexts"),
        ("categories", "categories"),
    ):
        for entity_id in getattr(catalog, kind):
            assert f"{folder}/{entity_id}.md" in pages


def _build(project: Path, *extra: str) -> tuple[int, str]:
    runner = CliRunner()
    result = runner.invoke(main, ["build", "--config-file", str(project / "mkdocs.yml"), *extra])
    return result.exit_code, result.output


@pytest.fixture(scope="module")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import shutil

    from ..conftest import REPO

    root = tmp_path_factory.mktemp("site-build") / "project"
    root.mkdir()
    for name in [n for n in ("catalog", "docs", "templates") if (REPO / n).is_dir()]:
        shutil.copytree(REPO / name, root / name)
    shutil.copy2(REPO / "mkdocs.yml", root / "mkdocs.yml")
    code, output = _build(root)
    assert code == 0, output
    return root


def test_build_writes_a_site(built_site: Path) -> None:
    site = built_site / "site"
    assert (site / "index.html").exists()
    assert (site / "issues" / "noisy-labels" / "index.html").exists()
    assert (site / "fixes" / "lighter-models" / "index.html").exists()
    assert (site / "search" / "search_index.json").exists()
    # Hand-written docs are untouched: generated pages live elsewhere.
    assert sorted(p.name for p in (built_site / "docs").glob("*.md")) == sorted(
        p.name for p in (Path(__file__).resolve().parents[2] / "docs").glob("*.md")
    )


def test_search_finds_a_distinctive_quote_phrase(built_site: Path) -> None:
    index = json.loads((built_site / "site" / "search" / "search_index.json").read_text(encoding="utf-8"))
    # Quote interview-43-l29 supports three issues; search indexes it once, on one of them (see paging.py).
    phrase = "the labels might be dirty"
    hits = {doc["location"].split("#")[0] for doc in index["docs"] if phrase in doc["text"]}
    assert len(hits) == 1
    assert hits <= {"issues/noisy-labels/", "issues/missing-values/", "issues/noisy-features/"}


def test_coder_names_never_reach_the_site(built_site: Path) -> None:
    read = 0
    for path in (built_site / "site").rglob("*"):
        if path.suffix in (".html", ".json", ".xml"):
            read += 1
            text = path.read_text(encoding="utf-8")
            assert "Amin" not in text, path
            assert re.search(r"\bPO\b", text) is None, path
            assert "Interview 35 -" not in text, path
    assert read > 50, f"only {read} pages were read: the site was not built where the test looks"


def test_quote_text_is_escaped_data(built_site: Path) -> None:
    html = (built_site / "site" / "issues" / "noisy-labels" / "index.html").read_text(encoding="utf-8")
    assert "you&#x27;re working with label data" in html or "you're working with label data" in html
    assert '<figure class="mlq-quote" id="interview-43-l29"' in html


def test_deleted_issue_page_does_not_linger(project_copy: Path) -> None:
    extra = project_copy / "catalog" / "issues" / "short-lived.yaml"
    extra.write_text(
        "id: short-lived\ntitle: Short-lived issue\ncategory: data-quality\n"
        "summary: An issue that is added and then removed.\ndescription: It exists for one build.\n",
        encoding="utf-8",
    )
    code, output = _build(project_copy)
    assert code == 0, output
    pages = project_copy / ".mlq" / "pages"
    assert (pages / "issues" / "short-lived.md").exists()
    assert (project_copy / "site" / "issues" / "short-lived" / "index.html").exists()
    extra.unlink()
    code, output = _build(project_copy)
    assert code == 0, output
    assert not (pages / "issues" / "short-lived.md").exists()
    assert not (project_copy / "site" / "issues" / "short-lived").exists()


def test_generated_page_never_overwrites_a_hand_written_one(project_copy: Path) -> None:
    clash = project_copy / "docs" / "issues" / "noisy-labels.md"
    clash.parent.mkdir(parents=True)
    clash.write_text("# My own notes\n", encoding="utf-8")
    code, output = _build(project_copy)
    assert code == 1
    assert "hand-written page is in the way" in output
    assert "Traceback" not in output
    assert clash.read_text(encoding="utf-8") == "# My own notes\n"


def test_site_and_catalog_dir_options(project_copy: Path, tmp_path: Path) -> None:
    other_site = tmp_path / "public"
    code, output = _build(project_copy, "--site-dir", str(other_site), "--catalog", str(project_copy / "catalog"))
    assert code == 0, output
    assert (other_site / "issues" / "data-drift" / "index.html").exists()


def test_export_json_cli(tmp_path: Path) -> None:
    out = tmp_path / "catalog.json"
    result = CliRunner().invoke(main, ["export", "--format", "json", "--catalog", str(CATALOG), "-o", str(out)])
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text(encoding="utf-8"))
    assert "unmapped_codes" not in data  # never published (issue 14)
    assert {t["id"] for t in data["transcripts"]} == {
        "interview-05",
        "interview-34",
        "interview-35",
        "interview-43",
        "interview-u1",
    }


def test_generation_is_deterministic_and_writes_only_changes(project_copy: Path) -> None:
    code, output = _build(project_copy)
    assert code == 0, output
    pages = project_copy / ".mlq" / "pages"
    before = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in pages.rglob("*.md")}
    code, output = _build(project_copy)
    assert code == 0, output
    after = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in pages.rglob("*.md")}
    assert before == after


def test_every_quote_is_findable_by_search(built_site: Path) -> None:
    index = json.loads((built_site / "site" / "search" / "search_index.json").read_text(encoding="utf-8"))
    indexed = " ".join(" ".join(doc["text"].split()) for doc in index["docs"])
    data = json.loads(CliRunner().invoke(main, ["export", "--catalog", str(built_site / "catalog")]).output)
    shown_kinds = {e["id"] for kind in ("issues", "fixes", "contexts") for e in data[kind]}
    missing = []
    # Quotes coded only with meta codes (e.g. feedback-loop) have no page, so they cannot be searched.
    for quote in (q for q in data["quotes"] if shown_kinds & set(q["entities"])):
        # The longest run of plain words: free of characters that HTML escaping would change.
        runs = re.findall(r"[A-Za-z ,.]{20,}", quote["text"])
        if not runs:
            continue
        phrase = " ".join(max(runs, key=len).split())[:80]
        if phrase not in indexed:
            missing.append((quote["id"], phrase))
    assert missing == []


def test_no_false_missing_anchor_lines(built_site: Path, tmp_path: Path) -> None:
    """Links to a tag on the browse pages are not reported as missing anchors (serve printed 58 such lines);
    a link to an anchor that is really missing still is."""
    import logging

    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    index = built_site / "docs" / "index.md"
    index.write_text(
        index.read_text(encoding="utf-8") + "\n[nowhere](browse/lifecycle.md#tag:no-such-stage)\n", encoding="utf-8"
    )
    lines: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(record.getMessage())

    handler = Collect(level=logging.DEBUG)
    logger = logging.getLogger("mkdocs")
    old_level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        build(load_config(str(built_site / "mkdocs.yml"), site_dir=str(tmp_path / "site"), strict=False))
    finally:
        logger.removeHandler(handler)
        logger.setLevel(old_level)
    missing = [line for line in lines if "does not contain an anchor" in line]
    assert len(missing) == 1 and "#tag:no-such-stage" in missing[0], missing
