"""Quote HTML injected after Markdown (quotehtml.py, issue 7): placeholders in the pages, blocks beside them.

The published HTML must be byte-for-byte what it was when the quote blocks were raw HTML in the
Markdown, in both ways the plugin runs (``mlq-catalog build`` and plain ``mkdocs build``), and no
transcript or YAML text may ever be taken for a placeholder.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from mlq_catalog.cli import main
from mlq_catalog.commands.build import build_context, build_site
from mlq_catalog.commands.generate import render_site
from mlq_catalog.evidence.validate import check_catalog
from mlq_catalog.ingest.project import Project
from mlq_catalog.render import quotehtml
from mlq_catalog.structure.context import RunContext

from ..conftest import CATALOG, TEMPLATES, assert_golden, drop_curation

FIGURE_ID = re.compile(r'<figure class="mlq-quote" id="([^"]+)"')


def _render(inject: bool, catalog: Path = CATALOG) -> dict[str, str]:
    checked = check_catalog(catalog)
    assert checked.catalog is not None and checked.evidence is not None
    if inject:  # what every command does: the default context
        return render_site(checked.catalog, checked.evidence, TEMPLATES).pages
    context = RunContext(inline_quotes=True)
    return render_site(checked.catalog, checked.evidence, TEMPLATES, context=context).pages


def test_pages_with_placeholders_expand_to_the_inline_pages() -> None:
    inline = _render(False)
    pages = _render(True)
    assert not any(quotehtml.is_side_file(p) for p in inline)
    side_files = sorted(p for p in pages if quotehtml.is_side_file(p))
    assert "issues/noisy-labels.quotes.html" in side_files and "fixes/lighter-models.quotes.html" in side_files
    assert sorted(p for p in pages if not quotehtml.is_side_file(p)) == sorted(inline)
    for path, markdown in inline.items():
        assert quotehtml.expand(pages, path) == markdown, path
        if '<figure class="mlq-quote"' in markdown:
            assert quotehtml.side_path(path) in pages, path
            assert "mlq-quote" not in pages[path] and quotehtml.TOKEN_PREFIX + "1" in pages[path], path
    # The golden pages as they were before placeholders (tests/golden/pages holds the pages with them).
    assert_golden("quotehtml/issues/noisy-labels.md", quotehtml.expand(pages, "issues/noisy-labels.md"))
    assert_golden("quotehtml/fixes/lighter-models.md", quotehtml.expand(pages, "fixes/lighter-models.md"))


def test_injection_is_one_pass_and_counts_every_placeholder() -> None:
    # A block whose text is itself a placeholder paragraph (transcript text is data): never replaced again.
    blocks = [
        '<figure class="mlq-quote" id="q-1">\n<p>MLQQUOTES-2</p>\n</figure>',
        '<figure class="mlq-quote" id="q&amp;2">',
    ]
    html = "<h2>Said</h2>\n<p>MLQQUOTES-1</p>\n<p>MLQQUOTES-2</p>"
    assert quotehtml.inject(html, blocks) == f"<h2>Said</h2>\n{blocks[0]}\n\n{blocks[1]}"
    assert quotehtml.anchor_ids(blocks) == {"q-1", "q&2"}
    assert quotehtml.load(quotehtml.dump(blocks)) == blocks
    with pytest.raises(quotehtml.PlaceholderMismatch, match="MLQQUOTES-2 is missing"):
        quotehtml.inject("<p>MLQQUOTES-1</p>", blocks)
    with pytest.raises(quotehtml.PlaceholderMismatch, match="appears twice"):
        quotehtml.inject("<p>MLQQUOTES-1</p><p>MLQQUOTES-1</p><p>MLQQUOTES-2</p>", blocks)
    with pytest.raises(quotehtml.PlaceholderMismatch, match="has no quote"):
        quotehtml.inject("<p>MLQQUOTES-3</p>", blocks)
    with pytest.raises(quotehtml.PlaceholderMismatch, match="damaged"):
        quotehtml.load("<figure>\n" + quotehtml.dump(blocks))
    # Only whole placeholder paragraphs, each once, with nothing else that looks like one.
    assert quotehtml.usable("Intro\n\nMLQQUOTES-1\n\nMLQQUOTES-2\n", 2)
    assert not quotehtml.usable("See MLQQUOTES-9.\n\nMLQQUOTES-1\n", 1)
    assert not quotehtml.usable("- item\n  MLQQUOTES-1\n", 1)
    # A run of quotes is one paragraph for Markdown, and the same HTML once injected.
    markdown = "Intro\n\nMLQQUOTES-1\n\nMLQQUOTES-2\n\nMLQQUOTES-3\n\nBetween\n\nMLQQUOTES-4\n"
    assert quotehtml.collapse(markdown) == "Intro\n\nMLQQUOTES-1-3\n\nBetween\n\nMLQQUOTES-4\n"
    four = [f'<figure class="mlq-quote" id="q{n}">' for n in range(1, 5)]
    side = {"p.md": quotehtml.collapse(markdown), "p.quotes.html": quotehtml.dump(four)}
    assert quotehtml.expand(side, "p.md") == "Intro\n\n" + "\n\n".join(four[:3]) + "\n\nBetween\n\n" + four[3] + "\n"
    assert quotehtml.inject("<p>Intro</p>\n<p>MLQQUOTES-1-3</p>\n<p>Between</p>\n<p>MLQQUOTES-4</p>", four) == (
        "<p>Intro</p>\n" + "\n\n".join(four[:3]) + "\n\n<p>Between</p>\n" + four[3]
    )
    with pytest.raises(quotehtml.PlaceholderMismatch, match="appears twice"):
        quotehtml.inject("<p>MLQQUOTES-1-3</p><p>MLQQUOTES-3-4</p>", four)
    with pytest.raises(quotehtml.PlaceholderMismatch, match="has no quote"):
        quotehtml.inject("<p>MLQQUOTES-1-5</p>", four)


def test_copies_excluded_from_search_go_in_after_search_and_end_up_the_same() -> None:
    blocks = [
        '<figure class="mlq-quote" id="a" markdown="0">\n<p>home copy, indexed: &lt;!--MLQQUOTES-2--&gt;</p>',
        '<figure class="mlq-quote" id="b" data-search-exclude markdown="0">\n<p>copy</p>',
        '<figure class="mlq-quote" id="c" data-search-exclude markdown="0">\n<p>last <!--MLQQUOTES-3--></p>',
    ]
    assert [quotehtml.excluded_from_search(b) for b in blocks] == [False, True, True]
    html = "<p>MLQQUOTES-1</p>\n<p>MLQQUOTES-2</p>\n<p>MLQQUOTES-3</p>"
    content = quotehtml.inject(html, blocks, defer_excluded=True)
    # What search parses: the indexed copy, and a comment for each of the others.
    assert content == f"{blocks[0]}\n\n<!--MLQQUOTES-2-->\n\n<!--MLQQUOTES-3-->"
    page = f"<html><article>{content}</article></html>"
    finished = quotehtml.finish(page, blocks)
    assert finished == f"<html><article>{quotehtml.inject(html, blocks)}</article></html>"
    assert finished.count("<!--MLQQUOTES-3-->") == 1  # inside block c: put in, never replaced again
    with pytest.raises(quotehtml.PlaceholderMismatch, match="exactly once"):
        quotehtml.finish(page.replace("<!--MLQQUOTES-2-->", ""), blocks)


def _build_inline(tmp_path: Path, project: Path, name: str) -> Path:
    """``mlq-catalog build`` as the CLI runs it, but with a context that puts every quote inline."""
    out = tmp_path / name
    config = Project.from_config(project / "mkdocs.yml", site_dir=out / "site", pages_dir=out / "pages")
    build_site(config, context=dataclasses.replace(build_context(config), inline_quotes=True))
    return out


def _build(tmp_path: Path, project: Path, name: str) -> Path:
    result = CliRunner().invoke(
        main,
        [
            "build",
            "-f",
            str(project / "mkdocs.yml"),
            "--site-dir",
            str(tmp_path / name / "site"),
            "--pages-dir",
            str(tmp_path / name / "pages"),
        ],
    )
    assert result.exit_code == 0, result.output
    return tmp_path / name


def _published(site: Path) -> dict[str, bytes]:
    return {
        p.relative_to(site).as_posix(): p.read_bytes()
        for p in site.rglob("*")
        if p.is_file() and not p.name.startswith(".mlq-catalog-")
    }


@pytest.mark.slow
def test_built_site_is_byte_identical_to_inline_quotes_both_ways(project_copy: Path, tmp_path: Path) -> None:
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    inline = _published(_build_inline(tmp_path, project_copy, "inline") / "site")
    assert not any(quotehtml.is_side_file(p.name) for p in (tmp_path / "inline" / "pages").rglob("*"))
    out = _build(tmp_path, project_copy, "placeholders")
    assert (out / "pages" / "issues" / "noisy-labels.quotes.html").is_file()
    assert _published(out / "site") == inline  # every page, the search index and the sitemap
    assert not any(".quotes." in path for path in inline)

    # Plain `mkdocs build`: the plugin generates into the project's pages dir and reads the side files there.
    build(load_config(config_file=str(project_copy / "mkdocs.yml"), site_dir=str(tmp_path / "plain")))
    assert (project_copy / ".mlq" / "pages" / "issues" / "noisy-labels.quotes.html").is_file()
    assert _published(tmp_path / "plain") == inline


@pytest.mark.slow
def test_placeholder_lookalikes_in_quotes_and_descriptions_stay_text(project_copy: Path, tmp_path: Path) -> None:
    catalog = project_copy / "catalog"
    transcript = catalog / "transcripts" / "interview-43.txt"
    transcript.chmod(0o644)
    lines = transcript.read_text(encoding="utf-8").split("\n")
    anchor = "why would the quality go down over time?"
    index = next(i for i, line in enumerate(lines) if anchor in line)
    # Quote interview-43-l433 (data-drift): placeholder look-alikes in its text, one as a paragraph of its own.
    lines[index] += " MLQQUOTES-1 <p>MLQQUOTES-2</p>\n\nMLQQUOTES-3."
    transcript.write_text("\n".join(lines), encoding="utf-8")
    drop_curation(catalog, "interview-43")
    # A YAML description (Markdown by design) that is exactly a placeholder paragraph.
    issue_path = catalog / "issues" / "noisy-labels.yaml"
    issue = yaml.safe_load(issue_path.read_text(encoding="utf-8"))
    issue["description"] = "MLQQUOTES-1\n\nMLQQUOTES-2 shows up here too."
    issue_path.write_text(yaml.safe_dump(issue, sort_keys=False), encoding="utf-8")
    # Reviewed: the look-alikes name no one, so the publishing build's review gate lets them through.
    with (catalog / "audit-allowlist.yaml").open("a", encoding="utf-8") as out_file:
        out_file.write("  - term: MLQQUOTES\n    reason: A test marker, not a name.\n")

    out = _build(tmp_path, project_copy, "hostile")
    checked = check_catalog(catalog)
    assert checked.evidence is not None

    drift = (out / "site" / "issues" / "data-drift" / "index.html").read_text(encoding="utf-8")
    assert (out / "pages" / "issues" / "data-drift.quotes.html").is_file()
    figure = drift[drift.index('id="interview-43-l433"') :]
    figure = figure[: figure.index("</figure>")]
    assert "MLQQUOTES-1 &lt;p&gt;MLQQUOTES-2&lt;/p&gt;</p>" in figure and "<p>MLQQUOTES-3.</p>" in figure
    expected = [q.id for q in checked.evidence.quotes_by_entity["data-drift"]]
    assert sorted(FIGURE_ID.findall(drift)) == sorted(expected)  # each quote once, none lost or doubled

    labels = (out / "site" / "issues" / "noisy-labels" / "index.html").read_text(encoding="utf-8")
    # The description's look-alike is not ours: this page renders its quotes inline and shows the text as written.
    assert not (out / "pages" / "issues" / "noisy-labels.quotes.html").exists()
    assert labels.count("<p>MLQQUOTES-1</p>") == 1 and "<p>MLQQUOTES-2 shows up here too.</p>" in labels
    shown = {q.id for q in checked.evidence.quotes_by_entity["noisy-labels"]}
    assert set(FIGURE_ID.findall(labels)) == shown and len(FIGURE_ID.findall(labels)) == len(shown)
