"""Compiled templates are kept in .mlq/cache/templates between builds; an edited template is compiled again.

The cache is the build's: ``build_context`` puts it in the ``RunContext`` that ``mlq-catalog build``
hands its generation. A generation given a context without one compiles every template.
"""

from __future__ import annotations

from pathlib import Path

import jinja2
import pytest
from jinja2.bccache import bc_magic

from mlq_catalog.commands.build import build_context, generate_for_mkdocs, template_cache_dir
from mlq_catalog.defaults import TEMPLATES_DIR
from mlq_catalog.ingest.project import Project
from mlq_catalog.render.templates import TemplateCacheDir
from mlq_catalog.structure.context import RunContext


def _count_compiles(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    compiled: list[str] = []
    original = jinja2.Environment.compile

    def counting(self: jinja2.Environment, source: object, name: str | None = None, *args: object) -> object:
        compiled.append(str(name))
        return original(self, source, name, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(jinja2.Environment, "compile", counting)
    return compiled


def test_second_generation_compiles_no_template(project_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = Project.from_config(project_copy / "mkdocs.yml")
    compiled = _count_compiles(monkeypatch)
    generate_for_mkdocs(project, False, None)
    assert "issue.md.j2" in compiled
    assert any(template_cache_dir(project).glob("*.cache"))

    compiled.clear()
    generate_for_mkdocs(project, False, None)
    assert compiled == []


def test_the_cache_is_the_contexts_and_nothing_else(project_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = Project.from_config(project_copy / "mkdocs.yml")
    context = build_context(project)
    assert isinstance(context.template_cache, TemplateCacheDir)
    assert Path(context.template_cache.directory) == template_cache_dir(project)
    generate_for_mkdocs(project, False, None, context=context)
    compiled = _count_compiles(monkeypatch)
    # The cache on disk is full, but a context without a template cache does not see it: no hidden switch.
    generate_for_mkdocs(project, False, None, context=RunContext())
    assert "issue.md.j2" in compiled and "fix.md.j2" in compiled
    compiled.clear()
    generate_for_mkdocs(project, False, None, context=context)
    assert compiled == []


def test_an_edited_template_is_compiled_again_and_used(project_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = Project.from_config(project_copy / "mkdocs.yml")
    generate_for_mkdocs(project, False, None)
    template = project.templates_dir / "fix.md.j2"  # the project's own copy overrides the packaged one
    template.parent.mkdir(exist_ok=True)
    original = (TEMPLATES_DIR / "fix.md.j2").read_text(encoding="utf-8")
    template.write_text(original + "\nEdited fix template.\n", encoding="utf-8")
    compiled = _count_compiles(monkeypatch)
    generate_for_mkdocs(project, False, None)
    assert compiled == ["fix.md.j2"]
    page = next((project.pages_dir / "fixes").glob("*.md"))
    assert "Edited fix template." in page.read_text(encoding="utf-8")


def test_a_cache_that_cannot_be_written_only_costs_time(project_copy: Path) -> None:
    project = Project.from_config(project_copy / "mkdocs.yml")
    blocker = project_copy / ".mlq" / "cache"
    blocker.parent.mkdir(parents=True)
    blocker.write_text("not a directory\n", encoding="utf-8")
    generated = generate_for_mkdocs(project, False, None)
    assert generated.site.pages
    assert blocker.read_text(encoding="utf-8") == "not a directory\n"


def test_damaged_cache_entries_are_compiled_again(project_copy: Path) -> None:
    project = Project.from_config(project_copy / "mkdocs.yml")
    first = generate_for_mkdocs(project, False, None)
    expected = {path: (project.pages_dir / path).read_bytes() for path in first.site.pages}
    entries = sorted(template_cache_dir(project).glob("*.cache"))
    assert entries
    for cut in (len(bc_magic) + 5, len(bc_magic) + 80):  # inside the source checksum, then inside the code
        for entry in sorted(template_cache_dir(project).glob("*.cache")):
            entry.write_bytes(entry.read_bytes()[:cut])
        generate_for_mkdocs(project, False, None)
    for index, entry in enumerate(sorted(template_cache_dir(project).glob("*.cache"))):
        entry.write_bytes(b"" if index % 2 else b"\x00garbage")  # empty, or no header
    again = generate_for_mkdocs(project, False, None)
    assert {path: (project.pages_dir / path).read_bytes() for path in again.site.pages} == expected


def test_compile_options_are_part_of_the_key(tmp_path: Path) -> None:
    cache = TemplateCacheDir(tmp_path / "cache")
    loader = jinja2.DictLoader({"t.j2": "hi {{ x }}"})
    plain = jinja2.Environment(loader=loader, bytecode_cache=cache, autoescape=False)
    assert plain.get_template("t.j2").render(x="<b>") == "hi <b>"
    escaping = jinja2.Environment(loader=loader, bytecode_cache=cache, autoescape=True)
    assert escaping.get_template("t.j2").render(x="<b>") == "hi &lt;b&gt;"
