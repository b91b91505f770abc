"""Scale work (issue 7): quote paging and search homes, the no-op rebuild, the benchmark corpus generator.

No timing asserts: these check behaviour that keeps builds and pages small, on the seed catalog
(and a small synthetic one), never how fast it ran.
"""

from __future__ import annotations

import json
import re
import shutil
import sys
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from mlq_catalog.cli import main
from mlq_catalog.commands.generate import render_site
from mlq_catalog.evidence.validate import check_catalog
from mlq_catalog.render import paging
from mlq_catalog.render.quotehtml import expand

REPO = Path(__file__).resolve().parents[2]
FIGURE = re.compile(r'<figure class="mlq-quote" id="([^"]+)"( data-search-exclude)?')
sys.path.insert(0, str(REPO / "bench"))


@pytest.fixture(scope="module")
def checked():  # type: ignore[no-untyped-def]
    result = check_catalog(REPO / "catalog")
    assert result.catalog is not None and result.evidence is not None
    return result


def _page_entities(checked) -> list[str]:  # type: ignore[no-untyped-def]
    catalog = checked.catalog
    return [
        e
        for e in checked.evidence.quotes_by_entity
        if e in catalog.issues or e in catalog.fixes or e in catalog.contexts
    ]


def test_strongest_goes_through_participants_before_taking_seconds(checked) -> None:  # type: ignore[no-untyped-def]
    entity = max(_page_entities(checked), key=lambda e: len(checked.evidence.quotes_by_entity[e]))
    quotes = checked.evidence.quotes_by_entity[entity]
    participants = {q.participant for q in quotes}
    assert len(quotes) > len(participants) >= 2, "the seed entity with most quotes has repeat participants"
    chosen = paging.strongest(quotes, len(participants))
    assert len(chosen) == len(participants)
    assert {q.participant for q in chosen} == participants
    assert set(chosen) <= set(quotes)
    assert paging.strongest(quotes, len(participants)) == chosen  # deterministic
    assert paging.strongest(quotes, 1000) == list(quotes)  # under the cap: every quote, in order


def test_every_shown_quote_is_indexed_for_search_exactly_once(checked, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(paging, "SHOWN_PER_PAGE", 2)
    monkeypatch.setattr(paging, "QUOTES_PER_LIST_PAGE", 3)
    site = render_site(checked.catalog, checked.evidence, REPO / "templates")
    indexed: Counter[str] = Counter()
    excluded: Counter[str] = Counter()
    for text in site.pages.values():
        for match in FIGURE.finditer(text):
            (excluded if match.group(2) else indexed)[match.group(1)] += 1
    shown = {q.id for e in _page_entities(checked) for q in checked.evidence.quotes_by_entity[e]}
    assert shown and set(indexed) == shown
    assert set(indexed.values()) == {1}
    assert excluded, "quotes shown on several pages are excluded from search on all but one"

    entity = max(_page_entities(checked), key=lambda e: len(checked.evidence.quotes_by_entity[e]))
    kind = checked.catalog.kind_of(entity)
    total = len(checked.evidence.quotes_by_entity[entity])
    entry = expand(site.pages, f"{kind}/{entity}.md")  # with its quote blocks in place (quotehtml.py)
    assert len(FIGURE.findall(entry)) == 2
    assert f"[All {total} quotes" in entry and f"({entity}/quotes-1.md)" in entry
    listed = [expand(site.pages, f"{kind}/{entity}/quotes-{n}.md") for n in range(1, -(-total // 3) + 1)]
    assert sum(len(FIGURE.findall(page)) for page in listed) == total
    assert f"{kind}/{entity}/quotes-{-(-total // 3) + 1}.md" not in site.pages
    assert site.sources[f"{kind}/{entity}/quotes-1.md"] == site.sources[f"{kind}/{entity}.md"]


def _build(tmp_path: Path, catalog: Path) -> tuple[int, str]:
    result = CliRunner().invoke(
        main,
        [
            "build",
            "--catalog",
            str(catalog),
            "--site-dir",
            str(tmp_path / "site"),
            "--pages-dir",
            str(tmp_path / "pages"),
            "-f",
            str(REPO / "mkdocs.yml"),
        ],
    )
    return result.exit_code, result.output


def _mtimes(directory: Path) -> dict[str, int]:
    return {p.relative_to(directory).as_posix(): p.stat().st_mtime_ns for p in directory.rglob("*") if p.is_file()}


@pytest.mark.slow
def test_unchanged_rebuild_rewrites_nothing_and_an_edit_rebuilds(tmp_path: Path) -> None:
    catalog = tmp_path / "catalog"
    shutil.copytree(REPO / "catalog", catalog)
    # A warning, so that we can check that the no-op build still reports it.
    (catalog / "fixes" / "orphan-fix.yaml").write_text(
        "id: orphan-fix\ntitle: Orphan fix\nsummary: Addresses nothing yet.\ndescription: Nothing yet.\n"
        "addresses: []\n",
        encoding="utf-8",
    )
    code, first = _build(tmp_path, catalog)
    assert code == 0, first
    stamp = json.loads((REPO / ".mlq" / "build" / "stamp.json").read_text(encoding="utf-8"))
    pages, site = _mtimes(tmp_path / "pages"), _mtimes(tmp_path / "site")

    code, second = _build(tmp_path, catalog)
    assert code == 0, second
    assert _mtimes(tmp_path / "pages") == pages
    assert _mtimes(tmp_path / "site") == site, "the site is current: MkDocs did not run"
    assert "(0 written, 0 removed)" in second
    warnings = [line for line in first.splitlines() if ": warning: " in line]
    assert warnings and warnings == [line for line in second.splitlines() if ": warning: " in line]
    assert len(stamp["pages"]) == len(_mtimes(tmp_path / "pages")) - 1  # all but the marker

    downloads_page = (tmp_path / "pages" / "downloads" / "index.md").read_text("utf-8")
    transcript = catalog / "transcripts" / "interview-43.txt"
    transcript.chmod(0o644)
    text = transcript.read_text(encoding="utf-8")
    old = "the labels might be dirty"
    assert old in text
    transcript.write_text(text.replace(old, "the labels might be filthy"), encoding="utf-8")
    code, third = _build(tmp_path, catalog)
    assert code == 0, third
    changed = {k for k, v in _mtimes(tmp_path / "pages").items() if pages.get(k) != v}
    showing = {k for k in changed if "the labels might be filthy" in (tmp_path / "pages" / k).read_text("utf-8")}
    if "downloads/index.md" in changed:
        # The downloads hold the quote, and the page lists their sizes: only a size may differ.
        new_page = (tmp_path / "pages" / "downloads" / "index.md").read_text("utf-8")
        differing = set(new_page.splitlines()) ^ set(downloads_page.splitlines())
        assert differing and all(re.search(r"\| [\d.]+ [KM]B \|$", line) for line in differing), differing
        changed.discard("downloads/index.md")
    assert changed and changed == showing, "an edited quote rewrites only the pages that show it"
    assert json.loads((REPO / ".mlq" / "build" / "stamp.json").read_text(encoding="utf-8"))["stamp"] != stamp["stamp"]


@pytest.mark.slow
def test_rebuild_happens_when_the_site_or_pages_are_gone(tmp_path: Path) -> None:
    catalog = tmp_path / "catalog"
    shutil.copytree(REPO / "catalog", catalog)
    assert _build(tmp_path, catalog)[0] == 0
    shutil.rmtree(tmp_path / "pages")
    code, output = _build(tmp_path, catalog)
    assert code == 0, output
    assert "(0 written" not in output and (tmp_path / "pages" / "issues" / "data-drift.md").is_file()


def test_synthetic_corpus_is_deterministic_valid_and_uses_every_layout(tmp_path: Path) -> None:
    import synth
    from mlq_catalog.ingest.transcripts import parse

    first = synth.write_project(tmp_path / "a", 9, issues=40, fixes=22)
    second = synth.write_project(tmp_path / "b", 9, issues=40, fixes=22)
    files_a = {p.relative_to(tmp_path / "a"): p.read_bytes() for p in (tmp_path / "a").rglob("*") if p.is_file()}
    files_b = {p.relative_to(tmp_path / "b"): p.read_bytes() for p in (tmp_path / "b").rglob("*") if p.is_file()}
    assert files_a == files_b

    catalog = first.parent / "catalog"
    synthetic = sorted((catalog / "transcripts").glob("interview-s*.txt"))
    assert len(synthetic) == 4 and len(list((catalog / "transcripts").glob("*.txt"))) == 9
    layouts = {parse(p.read_text(encoding="utf-8"), p, known_labels=["Interviewee"]).layout for p in synthetic}
    assert layouts == {"own-line", "heading", "inline"}
    assert len(list((catalog / "issues").glob("*.yaml"))) == 40
    assert len(list((catalog / "fixes").glob("*.yaml"))) == 22

    result = check_catalog(catalog)
    assert not result.errors, [p.format_text() for p in result.errors]
    assert result.evidence is not None
    quoted = {e for e in result.evidence.quotes_by_entity if e.startswith("synthetic-issue-")}
    assert quoted, "synthetic issues collect quotes from the resampled code lines"
    assert second.read_text(encoding="utf-8") == first.read_text(encoding="utf-8")
