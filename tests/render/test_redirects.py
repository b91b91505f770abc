"""Renamed entries: the old URL redirects to the new page (with and without directory URLs)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from mlq_catalog.cli import main
from mlq_catalog.evidence.validate import check_catalog
from mlq_catalog.render.redirects import Redirect, redirect_html, titled_redirects, write_redirects


def _rename(catalog: Path, kind: str, old: str, new: str) -> None:
    """Rename an entry the way a contributor should: new file and id, old id recorded under formerly."""
    source = catalog / kind / f"{old}.yaml"
    text = source.read_text(encoding="utf-8")
    assert "formerly: []" in text
    text = text.replace(f"id: {old}\n", f"id: {new}\n").replace("formerly: []", f"formerly: [{old}]")
    (catalog / kind / f"{new}.yaml").write_text(text, encoding="utf-8")
    source.unlink()
    pattern = re.compile(rf"(?<=[\[ ]){re.escape(old)}(?=[\],]|$)")  # in block and flow lists
    for path in sorted(catalog.rglob("*.yaml")):
        content = path.read_text(encoding="utf-8")
        changed = "\n".join(
            pattern.sub(new, line) if not line.lstrip().startswith(("id:", "formerly:")) else line
            for line in content.split("\n")
        )
        if changed != content:
            path.write_text(changed, encoding="utf-8")


@pytest.mark.parametrize(
    ("use_directory_urls", "source", "target"),
    [(True, "issues/old/index.html", "../new/"), (False, "issues/old.html", "new.html")],
)
def test_redirect_paths(use_directory_urls: bool, source: str, target: str) -> None:
    redirect = Redirect("issues", "old", "new")
    assert redirect.source_path(use_directory_urls) == source
    assert redirect.relative_target(use_directory_urls) == target


def test_redirect_page_needs_no_javascript() -> None:
    page = redirect_html("../new/", "https://example.org/issues/new/", 'Title with "quotes" & <tags>')
    assert '<meta http-equiv="refresh" content="0; url=../new/">' in page
    assert '<link rel="canonical" href="https://example.org/issues/new/">' in page
    assert '<a href="../new/">Title with &quot;quotes&quot; &amp; &lt;tags&gt;</a>' in page
    assert "<script" not in page


def test_never_replaces_a_real_page(catalog_copy: Path, tmp_path: Path) -> None:
    _rename(catalog_copy, "issues", "outliers", "extreme-values")
    checked = check_catalog(catalog_copy)
    assert checked.catalog is not None and not checked.errors
    real = tmp_path / "site" / "issues" / "outliers" / "index.html"
    real.parent.mkdir(parents=True)
    real.write_text("<p>a real page</p>", encoding="utf-8")
    assert write_redirects(titled_redirects(checked.catalog), tmp_path / "site") == []
    assert real.read_text(encoding="utf-8") == "<p>a real page</p>"


@pytest.mark.slow
@pytest.mark.parametrize("use_directory_urls", [True, False])
def test_old_urls_redirect_in_the_built_site(use_directory_urls: bool, project_copy: Path) -> None:
    catalog = project_copy / "catalog"
    _rename(catalog, "issues", "outliers", "extreme-values")
    _rename(catalog, "fixes", "lighter-models", "compact-models")
    if not use_directory_urls:
        config = project_copy / "mkdocs.yml"
        config.write_text(config.read_text(encoding="utf-8") + "use_directory_urls: false\n", encoding="utf-8")
    site = project_copy / "site"
    result = CliRunner().invoke(
        main,
        [
            "build",
            "-f",
            str(project_copy / "mkdocs.yml"),
            "--site-dir",
            str(site),
            "--pages-dir",
            str(project_copy / ".mlq" / "pages"),
        ],
    )
    assert result.exit_code == 0, result.output

    for kind, old, new in (("issues", "outliers", "extreme-values"), ("fixes", "lighter-models", "compact-models")):
        redirect = Redirect(kind, old, new)
        page = site / redirect.source_path(use_directory_urls)
        html = page.read_text(encoding="utf-8")
        refresh = re.search(r'http-equiv="refresh" content="0; url=([^"]+)"', html)
        assert refresh is not None
        # Follow the relative URL from the redirect page's own URL, the way a browser does.
        landed = (page.parent / refresh.group(1)).resolve()
        landed_file = landed / "index.html" if use_directory_urls else landed
        assert landed_file.is_file()
        assert landed_file == (site / kind / (f"{new}/index.html" if use_directory_urls else f"{new}.html")).resolve()
        canonical = re.search(r'<link rel="canonical" href="([^"]+)">', html)
        assert canonical is not None
        suffix = f"{kind}/{new}/" if use_directory_urls else f"{kind}/{new}.html"
        assert canonical.group(1) == f"https://mlq-catalog.github.io/mlq-catalog/{suffix}"

    # "Edit this page" opens the YAML source of a generated page, and the Markdown of a hand-written one.
    new_page = site / ("issues/extreme-values/index.html" if use_directory_urls else "issues/extreme-values.html")
    repo = "https://github.com/mlq-catalog/mlq-catalog/edit/main/"
    assert f'href="{repo}catalog/issues/extreme-values.yaml"' in new_page.read_text(encoding="utf-8")
    about = site / ("about/index.html" if use_directory_urls else "about.html")
    assert f'href="{repo}docs/about.md"' in about.read_text(encoding="utf-8")


def test_a_retired_id_cannot_come_back(catalog_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _rename(catalog_copy, "issues", "outliers", "extreme-values")
    (catalog_copy / "issues" / "outliers.yaml").write_text(
        (catalog_copy / "issues" / "extreme-values.yaml")
        .read_text(encoding="utf-8")
        .replace("id: extreme-values", "id: outliers")
        .replace("formerly: [outliers]", "formerly: []")
        .replace("  - Data-containing-outliers", "  - Data-containing-outliers-again"),
        encoding="utf-8",
    )
    monkeypatch.chdir(catalog_copy.parent)
    result = CliRunner().invoke(main, ["validate", "--catalog", "catalog"])
    assert result.exit_code == 1
    assert (
        "catalog/issues/outliers.yaml:2:1: id 'outliers' was retired (it is a former id of 'extreme-values') "
        "and cannot be reused [id]"
    ) in result.output
