"""What every catalog project gets from the package unless it brings its own.

* ``templates/``: the Jinja templates of the generated pages. A project's ``templates/``
  directory overrides them one file at a time (like a theme's ``custom_dir``): a template
  the project has wins, every other comes from here.
* ``docs/``: hand-written pages and assets the generated pages link to (the export format,
  the stylesheet). A file of the same path in the project's ``docs/`` wins.
* ``project/``: what ``mlq-catalog init`` writes into a new project (see ``init.py``).
"""

from __future__ import annotations

from pathlib import Path

DEFAULTS_DIR = Path(__file__).resolve().parent
TEMPLATES_DIR = DEFAULTS_DIR / "templates"
DOCS_DIR = DEFAULTS_DIR / "docs"
PROJECT_DIR = DEFAULTS_DIR / "project"
OVERRIDES_DIR = DEFAULTS_DIR / "overrides"
"""Theme partials the plugin puts in front of Material's (a project's custom_dir still comes first)."""


def template_search_path(project_templates: Path) -> list[str]:
    """Where Jinja looks for a template, first match wins: the project's own, then the packaged one."""
    return [str(project_templates), str(TEMPLATES_DIR)]


def default_docs() -> list[str]:
    """Docs-relative paths of the packaged pages and assets, sorted."""
    return sorted(path.relative_to(DOCS_DIR).as_posix() for path in DOCS_DIR.rglob("*") if path.is_file())
