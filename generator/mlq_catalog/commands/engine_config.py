"""What the generated pages need from the site engine's configuration, in one place.

The pages are written with a few Markdown extensions, a stylesheet, a search script and two
theme partials (defaults/overrides), and Material's search is tuned to answer a sentence. The
MkDocs plugin sets these on the live configuration (:func:`adapt_live_config`); the engine input
(engine_input.py) writes them into the configuration it generates for an engine without our
plugin (:func:`adapt_config_dict`). Both keep what mkdocs.yml already says.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mkdocs.config.defaults import MkDocsConfig

from mlq_catalog.defaults import OVERRIDES_DIR

PLUGIN_NAME = "mlq-catalog"
REQUIRED_MARKDOWN = ("attr_list", "admonition", "pymdownx.details", "pymdownx.superfences")
"""Markdown the templates use: attribute lists, "Evidence at a glance" and "Cite this issue" boxes, code inside them."""
DEFAULT_STYLESHEET = "stylesheets/mlq.css"
"""Packaged (defaults/docs); the quotes, charts and evidence lines are styled by it."""
SEARCH_SCRIPT = "javascripts/mlq-search.js"
"""Packaged (defaults/docs): stems the reader's query and drops its stop words before Material's search sees it."""
SEARCH_PIPELINE = ["stemmer", "stopWordFilter", "trimmer"]
"""Material's English default is the stop-word filter alone: without the stemmer, "reproduce" never finds
"reproducibility". With it, the index holds stems, and the query script (SEARCH_SCRIPT) searches stems."""
SEARCH_FIELDS = {
    "title": {"boost": 10.0},
    "text": {"boost": 1.0},
    "tags": {"boost": 2.0},
    "keywords": {"boost": 2.0},
}
"""Material boosts a title word a thousandfold and a tag a millionfold: every issue tagged with the stage
"Data quality" would outrank the one page that answers a query holding "data". A title still weighs most;
an issue page ranks first for its own words through its page boost (issue.md.j2), not through its tags.
``keywords`` holds a page's front matter ``search: keywords:`` (searchindex.py)."""


def adapt_live_config(config: MkDocsConfig) -> None:
    """The plugin's ``on_config``: required Markdown, stylesheet, search script, search tuning, theme partials."""
    _with_required_markdown(config)
    _tune_search(config)
    _with_theme_overrides(config)


def _with_required_markdown(config: MkDocsConfig) -> None:
    """What the generated pages are written with, even when mkdocs.yml does not list it: a hand-written
    configuration of two lines (site_name, the plugin) still gives whole pages, not stray ``{: .x }`` and ``!!!``."""
    for name in REQUIRED_MARKDOWN:
        if name not in config.markdown_extensions:
            config.markdown_extensions.append(name)
    if DEFAULT_STYLESHEET not in config.extra_css:
        config.extra_css.append(DEFAULT_STYLESHEET)
    if SEARCH_SCRIPT not in [str(script) for script in config.extra_javascript]:
        config.extra_javascript.append(SEARCH_SCRIPT)


def _tune_search(config: MkDocsConfig) -> None:
    """Material's search, set up to answer a sentence, unless mkdocs.yml sets these itself."""
    search = config.plugins.get("material/search") or config.plugins.get("search")
    settings = getattr(search, "config", None)
    if settings is None or not hasattr(settings, "pipeline") or not hasattr(settings, "fields"):
        return  # MkDocs' own search plugin, or none: nothing of Material's to tune
    if settings.pipeline is None:
        settings.pipeline = list(SEARCH_PIPELINE)
    for name, field in SEARCH_FIELDS.items():
        settings.fields.setdefault(name, dict(field))


def _with_theme_overrides(config: MkDocsConfig) -> None:
    """The packaged partials (defaults/overrides) before Material's own, after a project's custom_dir."""
    dirs: list[str] = config.theme.dirs
    if str(OVERRIDES_DIR) in dirs:
        return
    custom = config.theme.custom_dir
    at = 1 if custom and dirs and Path(dirs[0]).resolve() == Path(custom).resolve() else 0
    dirs.insert(at, str(OVERRIDES_DIR))


def adapt_config_dict(raw: dict[str, Any], base: Path, out_dir: Path) -> dict[str, Any]:
    """``raw`` (mkdocs.yml as loaded, beside ``base``) as the configuration of ``out_dir``: docs/ there, no plugin.

    The theme's custom_dir becomes ``out_dir/overrides`` (:func:`override_files`).
    """
    config = dict(raw)
    config["docs_dir"] = "docs"
    config["site_dir"] = "site"  # never the project's site: a previous good site stays where it is
    theme = config.get("theme") or "mkdocs"
    theme = {"name": theme} if isinstance(theme, str) else dict(theme)
    theme["custom_dir"] = "overrides"
    config["theme"] = theme
    for key in ("hooks", "watch"):  # paths relative to the configuration file
        if isinstance(config.get(key), list):
            config[key] = [_relative(base / str(path), out_dir) for path in config[key]]
    extensions = list(config.get("markdown_extensions") or [])
    named = {next(iter(item)) if isinstance(item, dict) else str(item) for item in extensions}
    config["markdown_extensions"] = extensions + [name for name in REQUIRED_MARKDOWN if name not in named]
    for key, value in (("extra_css", DEFAULT_STYLESHEET), ("extra_javascript", SEARCH_SCRIPT)):
        listed = list(config.get(key) or [])
        config[key] = listed if value in [str(item) for item in listed] else [*listed, value]
    config["plugins"] = _plugins_without_ours(config.get("plugins"), material=theme.get("name") == "material")
    return config


def override_files(raw: dict[str, Any], base: Path) -> dict[str, bytes]:
    """The theme partials of the engine input: the packaged ones with the project's custom_dir over them
    (the project's file wins, as in the plugin's order), by path inside ``overrides/``."""
    theme = raw.get("theme")
    custom = theme.get("custom_dir") if isinstance(theme, dict) else None
    files: dict[str, bytes] = {}
    for folder in (OVERRIDES_DIR, *([base / str(custom)] if custom else [])):
        for path in sorted(folder.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                files[path.relative_to(folder).as_posix()] = path.read_bytes()
    return files


def _plugins_without_ours(plugins: Any, *, material: bool) -> list[Any]:
    items = list(plugins.items()) if isinstance(plugins, dict) else [_pair(item) for item in plugins or ["search"]]
    out: list[Any] = []
    for name, options in items:
        if name == PLUGIN_NAME:
            continue
        if material and name in ("search", "material/search"):
            options = dict(options or {})
            options.setdefault("pipeline", list(SEARCH_PIPELINE))
            fields = dict(options.get("fields") or {})
            for field, weight in SEARCH_FIELDS.items():
                fields.setdefault(field, dict(weight))
            options["fields"] = fields
        out.append({name: options} if options else name)
    return out


def _pair(item: Any) -> tuple[str, Any]:
    if isinstance(item, dict):
        ((name, options),) = item.items()
        return str(name), options
    return str(item), None


def _relative(path: Path, start: Path) -> str:
    import os

    return os.path.relpath(path.resolve(), start.resolve()).replace(os.sep, "/")
