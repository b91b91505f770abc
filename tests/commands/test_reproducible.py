"""Reproducible builds (issue 8): with SOURCE_DATE_EPOCH set, the same input gives the same bytes.

Two copies of the project, at different paths, are built and exported; every file of
both sites, both generated-pages directories and both exports is hashed and compared.
A difference names the file, so an absolute path, a timestamp or an unstable order
that leaks into the output is caught here.
"""

from __future__ import annotations

import datetime
import gzip
import hashlib
import shutil
import struct
from pathlib import Path

import pytest
from click.testing import CliRunner

from mlq_catalog.cli import main

REPO = Path(__file__).resolve().parents[2]
EPOCH = 1_700_000_000  # 2023-11-14T22:13:20Z


def _hashes(root: Path) -> dict[str, str]:
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def _build_and_export(root: Path) -> Path:
    """Copy the project to ``root``, build it and export it; return the directory holding all outputs."""
    root.mkdir(parents=True)
    for name in [n for n in ("catalog", "docs", "templates") if (REPO / n).is_dir()]:
        shutil.copytree(REPO / name, root / name)
    shutil.copy2(REPO / "mkdocs.yml", root / "mkdocs.yml")
    out = root / "out"
    runner = CliRunner()
    config = ["-f", str(root / "mkdocs.yml")]
    result = runner.invoke(main, ["build", *config, "--site-dir", str(out / "site"), "--pages-dir", str(out / "pages")])
    assert result.exit_code == 0, result.output
    for fmt in ("json", "csv"):
        target = out / "exports" / f"catalog.{fmt}"
        exported = runner.invoke(main, ["export", *config, "--format", fmt, "-o", str(target)])
        assert exported.exit_code == 0, exported.output
    return out


@pytest.fixture(scope="module")
def two_builds(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", str(EPOCH))
        patch.setenv("NO_MKDOCS_2_WARNING", "1")
        first = _build_and_export(tmp_path_factory.mktemp("one") / "project")
        second = _build_and_export(tmp_path_factory.mktemp("two") / "deeper" / "checkout" / "project")
    return first, second


def test_same_input_gives_byte_identical_sites_and_exports(two_builds: tuple[Path, Path]) -> None:
    first, second = (_hashes(out) for out in two_builds)
    assert sorted(first) == sorted(second)
    differing = sorted(name for name in first if first[name] != second[name])
    assert differing == []
    # Everything that matters was compared.
    assert {
        "site/index.html",
        "site/sitemap.xml",
        "site/sitemap.xml.gz",
        "site/search/search_index.json",
        "exports/catalog.json",
        "exports/catalog.csv",
    } <= set(first)
    assert len([name for name in first if name.startswith("pages/")]) > 20


def test_no_build_path_leaks_into_the_output(two_builds: tuple[Path, Path]) -> None:
    for out in two_builds:
        checkout = out.parent
        for path in sorted(out.rglob("*")):
            if path.is_file() and path.suffix in (".html", ".json", ".csv", ".xml", ".md", ".js"):
                assert str(checkout) not in path.read_text(encoding="utf-8", errors="replace"), path


def test_dates_come_from_source_date_epoch(two_builds: tuple[Path, Path]) -> None:
    site = two_builds[0] / "site"
    day = datetime.datetime.fromtimestamp(EPOCH, tz=datetime.timezone.utc).date().isoformat()
    sitemap = (site / "sitemap.xml").read_text(encoding="utf-8")
    assert f"<lastmod>{day}</lastmod>" in sitemap
    compressed = (site / "sitemap.xml.gz").read_bytes()
    # The gzip header's MTIME field: MkDocs uses the start of the SOURCE_DATE_EPOCH day.
    assert struct.unpack("<I", compressed[4:8])[0] == EPOCH - EPOCH % 86400
    assert gzip.decompress(compressed).decode("utf-8") == sitemap
