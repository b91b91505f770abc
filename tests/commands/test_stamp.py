"""The up-to-date shortcut checks what it claims (issue 13, items 12 and 13; issue 14 §6 for its place).

A build whose inputs are unchanged skips all work (stamp.py), but only when the site is still exactly
what the last build wrote: a deleted, changed, added or replaced site file means a full build. And
every environment input that changes the output is part of the stamp: SOURCE_DATE_EPOCH, the
variables mkdocs.yml reads with ``!ENV``, and the configuration it ``INHERIT``s. The stamp and the
manifest live under ``.mlq/build/``, never in the published folder.

At commit f490e81, after ``rm -rf site/issues/noisy-labels`` or text appended to
``site/index.html``, a rebuild wrote nothing, and SOURCE_DATE_EPOCH set after a plain build was
ignored.
"""

from __future__ import annotations

import datetime
import hashlib
import os
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from mlq_catalog.cli import main
from mlq_catalog.commands.build import build_site
from mlq_catalog.ingest.project import Project
from mlq_catalog.structure.summary import BuildSummary

REPO = Path(__file__).resolve().parents[2]
EPOCH = 1_700_000_000  # 2023-11-14


@pytest.fixture(scope="module")
def prebuilt(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("stamp") / "project"
    root.mkdir()
    for name in [n for n in ("catalog", "docs", "templates") if (REPO / n).is_dir()]:
        shutil.copytree(REPO / name, root / name)
    shutil.copy2(REPO / "mkdocs.yml", root / "mkdocs.yml")
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(root)
        patch.setenv("NO_MKDOCS_2_WARNING", "1")
        patch.delenv("SOURCE_DATE_EPOCH", raising=False)
        result = CliRunner().invoke(main, ["build"])
    assert result.exit_code == 0, result.output
    return root


@pytest.fixture
def project(prebuilt: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the built project: same bytes, new inodes and times (the shortcut must still apply)."""
    root = tmp_path / "project"
    shutil.copytree(prebuilt, root, symlinks=True)
    monkeypatch.chdir(root)
    monkeypatch.setenv("NO_MKDOCS_2_WARNING", "1")
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    return root


def build() -> str:
    result = CliRunner().invoke(main, ["build"])
    assert result.exit_code == 0, result.output
    return result.output


def hashes(site: Path) -> dict[str, str]:
    return {
        path.relative_to(site).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(site.rglob("*"))
        if path.is_file() and not path.is_symlink()
    }


def mtimes(site: Path) -> dict[str, int]:
    return {p.relative_to(site).as_posix(): p.lstat().st_mtime_ns for p in site.rglob("*")}


def test_unchanged_inputs_and_site_build_nothing(project: Path) -> None:
    before = mtimes(project / "site")
    build()  # the copy has new inodes and times: its files are hashed once and found the same
    build()
    assert mtimes(project / "site") == before, "MkDocs ran although the site was current"


def test_build_state_lives_under_mlq_not_in_the_site(project: Path) -> None:
    names = {p.name for p in (project / "site").rglob("*")}
    assert not any("stamp" in name or "manifest" in name for name in names), sorted(n for n in names if "." in n[:1])
    assert (project / ".mlq" / "build" / "stamp.json").is_file()


def _delete_page(site: Path) -> None:
    shutil.rmtree(site / "issues" / "noisy-labels")


def _append(site: Path) -> None:
    with (site / "index.html").open("a", encoding="utf-8") as handle:
        handle.write("<p>appended by hand</p>\n")


def _same_size_same_mtime(site: Path) -> None:
    # Same size, and the mtime put back: only the ctime (which no user can set) tells.
    page = site / "issues" / "outliers" / "index.html"
    info = page.stat()
    data = page.read_bytes()
    page.write_bytes(data.replace(b"Outliers", b"OUTLIERS", 1))
    os.utime(page, ns=(info.st_atime_ns, info.st_mtime_ns))


def _extra_file(site: Path) -> None:
    (site / "issues" / "planted.html").write_text("<p>not from any build</p>\n", encoding="utf-8")


def _empty_search_index(site: Path) -> None:
    (site / "search" / "search_index.json").write_text("", encoding="utf-8")


def _file_becomes_symlink(site: Path) -> None:
    page = site / "about" / "index.html"
    page.unlink()
    page.symlink_to(site / "index.html")


def _marker_removed(site: Path) -> None:
    (site / ".mlq-catalog-site").unlink()
    (site / ".mlq-catalog-site").write_text("", encoding="utf-8")


SITE_CHANGES: dict[str, Callable[[Path], None]] = {
    "page folder deleted": _delete_page,
    "text appended": _append,
    "same size, mtime restored": _same_size_same_mtime,
    "extra file": _extra_file,
    "search index emptied": _empty_search_index,
    "file replaced by a symlink": _file_becomes_symlink,
    "marker rewritten": _marker_removed,
}


@pytest.mark.parametrize("change", list(SITE_CHANGES))
def test_a_changed_site_is_built_again(project: Path, change: str) -> None:
    site = project / "site"
    original = hashes(site)
    SITE_CHANGES[change](site)
    assert hashes(site) != original or any(p.is_symlink() for p in site.rglob("*"))
    build()
    assert not any(p.is_symlink() for p in site.rglob("*"))
    assert hashes(site) == original, f"{change}: the rebuild did not restore the site"


def _sitemap_days(site: Path) -> set[str]:
    text = (site / "sitemap.xml").read_text(encoding="utf-8")
    return {part.split("</lastmod>")[0] for part in text.split("<lastmod>")[1:]}


def _utc_day(timestamp: float) -> str:
    return datetime.datetime.fromtimestamp(timestamp, tz=datetime.timezone.utc).date().isoformat()


def test_source_date_epoch_set_after_a_plain_build_is_applied(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    day = _utc_day(EPOCH)
    assert _sitemap_days(project / "site") != {day}
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(EPOCH))
    build()
    assert _sitemap_days(project / "site") == {day}
    later = EPOCH + 40 * 86400
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(later))
    build()
    assert _sitemap_days(project / "site") == {_utc_day(later)}
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    build()
    assert _sitemap_days(project / "site") == {_utc_day(datetime.datetime.now(datetime.timezone.utc).timestamp())}


def test_a_variable_mkdocs_yml_reads_is_part_of_the_stamp(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = project / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    config.write_text(
        text.replace("site_name: ML Quality Issues Catalog", "site_name: !ENV [CATALOG_TITLE, Plain title]"),
        encoding="utf-8",
    )
    monkeypatch.setenv("CATALOG_TITLE", "First title")
    build()
    assert "<title>First title</title>" in (project / "site" / "index.html").read_text(encoding="utf-8")
    monkeypatch.setenv("CATALOG_TITLE", "Second title")
    build()
    assert "<title>Second title</title>" in (project / "site" / "index.html").read_text(encoding="utf-8")


def test_the_configuration_mkdocs_yml_inherits_is_part_of_the_stamp(project: Path) -> None:
    config = project / "mkdocs.yml"
    lines = config.read_text(encoding="utf-8").splitlines(keepends=True)
    base = [line for line in lines if line.startswith("site_description:")]
    assert len(base) == 1
    config.write_text("INHERIT: base.yml\n" + "".join(line for line in lines if line not in base), encoding="utf-8")
    (project / "base.yml").write_text("site_description: First description.\n", encoding="utf-8")
    build()
    assert 'content="First description."' in (project / "site" / "index.html").read_text(encoding="utf-8")
    (project / "base.yml").write_text("site_description: Second description.\n", encoding="utf-8")
    build()
    assert 'content="Second description."' in (project / "site" / "index.html").read_text(encoding="utf-8")


def _summary() -> BuildSummary:
    """What ``build_site`` reports for the project in the current directory, whichever path it took."""
    summary = build_site(Project.from_config(Path("mkdocs.yml"))).summary
    assert isinstance(summary, BuildSummary)
    return summary


@pytest.mark.parametrize("planted", [(), ("unlisted-a.txt", "unlisted-b.txt")], ids=["shipped", "two warnings"])
def test_a_no_op_build_reports_what_a_full_build_of_the_same_inputs_reports(
    project: Path, planted: tuple[str, ...]
) -> None:
    """Both paths return one type: the page count and every warning, and nothing written when nothing changed."""
    transcripts = project / "catalog" / "transcripts"
    for name in planted:  # each one warning, whose file name tells them apart
        shutil.copy(transcripts / "interview-05.txt", transcripts / name)
    after_edit = _summary()  # a full build when a transcript was planted, else the no-op of the copied site

    site = project / "site"
    before = mtimes(site)
    unchanged = _summary()
    assert mtimes(site) == before, "the second build was not the no-op path"

    _append(site)
    rebuilt = _summary()  # the site changed: a full build again, of the same inputs, writing no page
    assert hashes(site) != {} and "appended by hand" not in (site / "index.html").read_text(encoding="utf-8")

    assert unchanged == rebuilt
    assert unchanged.written == unchanged.removed == 0
    assert (after_edit.pages, after_edit.warnings) == (unchanged.pages, unchanged.warnings)
    # Pages, not files: a page's quote blocks (``*.quotes.html``) sit beside it in the pages folder.
    pages = [p for p in (project / ".mlq" / "pages").rglob("*") if p.is_file() and p.suffix == ".md"]
    assert unchanged.pages == len(pages) > 50
    assert sorted(w.file.rsplit("/", 1)[-1] for w in unchanged.warnings) == list(planted)
    assert all(w.code == "unlisted-transcript" for w in unchanged.warnings)


def test_a_no_op_build_prints_what_the_full_build_printed(project: Path) -> None:
    transcripts = project / "catalog" / "transcripts"
    shutil.copy(transcripts / "interview-05.txt", transcripts / "unlisted.txt")
    full, unchanged = build(), build()
    # Only the counts of this build's writes and the times may differ.
    varying = re.compile(r"\(\d+ written, \d+ removed\) in \d+\.\d\ds generation \+ \d+\.\d\ds MkDocs")
    assert "unlisted.txt: warning: no entry in transcripts.yaml covers this transcript" in unchanged
    assert "(0 written, 0 removed)" in unchanged
    assert varying.sub("", unchanged) == varying.sub("", full)
    assert len(varying.findall(unchanged)) == len(varying.findall(full)) == 1
