"""The engine input: a complete docs folder and configuration that builds without our plugin.

Material for MkDocs reaches its end of life in 2027, MkDocs 2 drops plugins and Zensical
ignores them. So a generation that may be published (never a preview) also writes, to the
plugin's ``engine_dir`` (default: beside the pages directory, ``.mlq/pages-engine``):

* ``docs/``: every page of the site as finished Markdown. The project's docs/ and the packaged
  pages it lacks, the generated pages with their quotes inline (quotehtml.expand), the
  ``<!-- mlq:NAME -->`` placeholders filled, chart links and permalinks resolved; the downloads
  and the redirect pages of renamed entries as files. What search weighs or skips is already in the
  Markdown (front matter ``search:``, ``data-search-exclude`` on captions, figures and quote copies).
* ``overrides/``: the packaged theme partials with the project's custom_dir over them.
* ``mkdocs.yml``: the project's configuration (INHERIT resolved) with the navigation expanded,
  ``docs_dir``/``site_dir`` inside this folder, the required Markdown extensions, stylesheet,
  search script and theme partials, and without the mlq-catalog plugin (engine_config.py).

``properdocs build -f .mlq/pages-engine/mkdocs.yml`` (or ``mkdocs build``) then builds the site;
tests/commands/test_engine_input.py checks that every page's article text is the plugin build's.
The same page finishing (:func:`finish_markdown`) runs in the plugin, so the two cannot drift.
The folder carries a marker and only what the last generation wrote: files are rewritten only
when their bytes change, and the folder must not hold or sit inside docs/ or the catalog.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import yaml

from mlq_catalog.commands.engine_config import adapt_config_dict, override_files
from mlq_catalog.commands.generate import Generated
from mlq_catalog.defaults import DOCS_DIR, default_docs
from mlq_catalog.fileio.writer import claim_directory, write_if_changed
from mlq_catalog.render.overview import PERMALINK_TOKEN, PLACEHOLDER_RE, SITE_URL_TOKEN
from mlq_catalog.render.quotehtml import is_side_file, read_expanded
from mlq_catalog.render.redirects import redirect_html
from mlq_catalog.structure.errors import OutputError, display_path

ENGINE_MARKER = ".mlq-catalog-engine"
NAV_PLACEHOLDERS = ("@issues", "@fixes", "@contexts", "@overview", "@browse")
_LINK_TOKEN = re.compile(r"%%MLQ_LINK:([A-Za-z0-9/._-]+)%%")


def expand_nav(items: list[Any], nav: dict[str, list[Any]]) -> list[Any]:
    """``items`` (mkdocs.yml's nav) with each ``"@issues"``-like placeholder replaced by the generated entries."""
    out: list[Any] = []
    for item in items:
        if isinstance(item, dict) and len(item) == 1:
            ((title, value),) = item.items()
            if isinstance(value, str) and value in NAV_PLACEHOLDERS:
                item = {title: nav[value[1:]]}
            elif isinstance(value, list):
                item = {title: expand_nav(value, nav)}
        out.append(item)
    return out


def page_url(src_uri: str, use_directory_urls: bool) -> str:
    """The URL MkDocs gives the page ``src_uri`` (relative to the site root)."""
    stem = src_uri[:-3]
    folder, _, name = stem.rpartition("/")
    if name in ("index", "README"):
        return f"{folder}/" if folder else ""
    return f"{stem}/" if use_directory_urls else f"{stem}.html"


def finish_markdown(
    markdown: str,
    src_uri: str,
    *,
    placeholders: dict[tuple[str, str], str],
    url_of: Callable[[str], str | None],
    site_url: str | None,
    use_directory_urls: bool,
) -> str:
    """A page's Markdown as the site shows it: placeholders filled, chart links and permalinks resolved.

    ``url_of``: the site URL of a docs-relative path, None when the site has no such page.
    """
    from mkdocs.utils import get_relative_url

    if placeholders:
        base = "../" * src_uri.count("/")
        # Unknown names stay as they are: an HTML comment.
        markdown = PLACEHOLDER_RE.sub(lambda m: placeholders.get((m.group(1), base), m.group(0)), markdown)
    own_url = page_url(src_uri, use_directory_urls)

    def link(match: re.Match[str]) -> str:
        target = url_of(match.group(1))
        if target is None:
            raise OutputError(f"{src_uri}: a chart links to {match.group(1)}, which is not in the site")
        return html.escape(get_relative_url(target, own_url), quote=True)

    markdown = _LINK_TOKEN.sub(link, markdown)
    root = site_url or ""
    if root and not root.endswith("/"):
        root += "/"
    return markdown.replace(PERMALINK_TOKEN, root + own_url).replace(SITE_URL_TOKEN, root or "/")


def load_raw_config(config_file: Path) -> dict[str, Any]:
    """mkdocs.yml as MkDocs reads it (``!ENV`` and ``INHERIT`` resolved), before validation."""
    from mkdocs.utils.yaml import yaml_load

    with config_file.open("rb") as handle:
        return yaml_load(handle)


class _EnvTag:
    """A value mkdocs.yml takes from the environment (``!ENV``): copied as the tag, never as its value,
    so that a token or password in the environment is not written into a folder made to be handed on."""

    def __init__(self, value: Any) -> None:
        self.value = value


def _keep_env_tag(loader: yaml.SafeLoader, node: yaml.Node) -> _EnvTag:
    if isinstance(node, yaml.SequenceNode):
        return _EnvTag(loader.construct_sequence(node, deep=True))
    return _EnvTag(loader.construct_scalar(node))  # type: ignore[arg-type]


def load_config_for_copy(config_file: Path) -> dict[str, Any]:
    """mkdocs.yml with ``INHERIT`` resolved, as ``load_raw_config``, but every ``!ENV`` value kept as its tag."""
    from mkdocs.utils.yaml import get_yaml_loader, yaml_load

    loader = get_yaml_loader()
    loader.add_constructor("!ENV", _keep_env_tag)
    with config_file.open("rb") as handle:
        return yaml_load(handle, loader)


def write_engine_input(generated: Generated, config_file: Path, paths: dict[str, Path]) -> Path:
    """Write the complete docs folder and configuration for ``generated``; return the configuration.

    ``paths``: the project's ``docs``, ``pages``, ``catalog`` and ``templates`` folders, and the ``engine`` folder.
    """
    docs_dir, pages_dir, out_dir = paths["docs"], paths["pages"], paths["engine"]
    _refuse_overlap(out_dir, config_file, paths)
    claim_directory(out_dir, ENGINE_MARKER, "engine input")
    raw = load_raw_config(config_file)
    use_directory_urls = bool(raw.get("use_directory_urls", True))
    files = _site_files(generated, docs_dir, pages_dir, use_directory_urls, raw.get("site_url"))
    pages = {relative for relative in files if relative.endswith(".md")}

    def url_of(relative: str) -> str | None:
        return page_url(relative, use_directory_urls) if relative in pages else None

    for relative in sorted(pages):
        text = files[relative]
        try:
            markdown = text.decode("utf-8") if isinstance(text, bytes) else text
        except UnicodeDecodeError:
            continue  # the engine reports an unreadable page itself, as MkDocs does
        files[relative] = finish_markdown(
            markdown,
            relative,
            placeholders=generated.placeholders,
            url_of=url_of,
            site_url=raw.get("site_url"),
            use_directory_urls=use_directory_urls,
        )
    config = adapt_config_dict(load_config_for_copy(config_file), config_file.parent, out_dir)
    if isinstance(config.get("nav"), list):
        config["nav"] = expand_nav(config["nav"], generated.site.nav)
    written = {f"docs/{relative}": data for relative, data in files.items()}
    written |= {f"overrides/{relative}": data for relative, data in override_files(raw, config_file.parent).items()}
    written["mkdocs.yml"] = yaml.dump(config, Dumper=_ConfigDumper, sort_keys=False, allow_unicode=True)
    _sync(out_dir, written)
    return out_dir / "mkdocs.yml"


def _site_files(
    generated: Generated, docs_dir: Path, pages_dir: Path, use_directory_urls: bool, site_url: str | None
) -> dict[str, str | bytes]:
    """Docs-relative path -> content of every file of the site, before the pages are finished."""
    files: dict[str, str | bytes] = {}
    for path in _walk(docs_dir):
        files[path.relative_to(docs_dir).as_posix()] = path.read_bytes()
    for relative in default_docs():
        files.setdefault(relative, (DOCS_DIR / relative).read_bytes())
    own = set(files)
    for relative in sorted(generated.site.pages):
        if is_side_file(relative):
            continue
        if relative in own:
            raise OutputError(
                f"{display_path(docs_dir / relative)}: a hand-written page is in the way of the generated page "
                f"{relative}; rename or move the hand-written page"
            )
        files[relative] = read_expanded(pages_dir, relative)
    for relative, data in sorted(generated.site.files.items()):
        if relative in own:
            raise OutputError(f"{display_path(docs_dir / relative)}: a hand-written file is in the way of a download")
        files[relative] = data
    for redirect, title in generated.redirects:
        source = redirect.source_path(use_directory_urls)
        if source not in files:  # a real page there wins, as in the plugin build (redirects.write_redirects)
            target = redirect.relative_target(use_directory_urls)
            absolute = redirect.target_url(use_directory_urls)
            canonical = site_url.rstrip("/") + "/" + absolute if site_url else target
            files[source] = redirect_html(target, canonical, title)
    return files


def _walk(folder: Path) -> Iterable[Path]:
    """The files MkDocs would read from ``folder``: hidden files and folders are left out."""
    if not folder.is_dir():
        return []
    return sorted(
        path
        for path in folder.rglob("*")
        if path.is_file() and not any(part.startswith(".") for part in path.relative_to(folder).parts)
    )


def _refuse_overlap(out_dir: Path, config_file: Path, paths: dict[str, Path]) -> None:
    """The engine folder is rewritten whole: it must never be, hold or sit inside the project's own files."""
    out = out_dir.resolve()
    for what in ("docs", "pages", "catalog", "templates", "site", "project"):
        if what not in paths and what != "project":
            continue
        inside = (config_file.parent if what == "project" else paths[what]).resolve()
        if out == inside or inside.is_relative_to(out) or (what != "project" and out.is_relative_to(inside)):
            where = display_path(out_dir)
            raise OutputError(f"{where}: engine_dir must be a folder of its own, not in the {what} folder")


def _sync(out_dir: Path, files: dict[str, str | bytes]) -> None:
    """Make ``out_dir`` hold exactly ``files``: unchanged files keep their bytes and their mtime."""
    try:
        for relative in sorted(files):
            data = files[relative]
            write_if_changed(out_dir / relative, data)
        for path in sorted(out_dir.rglob("*"), reverse=True):
            relative = path.relative_to(out_dir).as_posix()
            if path.is_file() and relative != ENGINE_MARKER and relative not in files:
                path.unlink()
            elif path.is_dir() and not any(path.iterdir()):
                path.rmdir()
    except OSError as exc:
        raise OutputError(f"{display_path(out_dir)}: cannot write the engine input: {exc.strerror}") from exc


class _ConfigDumper(yaml.SafeDumper):
    """Writes back what MkDocs' loader made of ``!!python/name:`` tags (emoji indexes and such)."""


def _represent_name(dumper: yaml.SafeDumper, value: Any) -> yaml.Node:
    return dumper.represent_scalar(f"tag:yaml.org,2002:python/name:{value.__module__}.{value.__qualname__}", "")


def _represent_env(dumper: yaml.SafeDumper, tag: _EnvTag) -> yaml.Node:
    if isinstance(tag.value, list):
        return dumper.represent_sequence("!ENV", tag.value, flow_style=True)
    return dumper.represent_scalar("!ENV", str(tag.value))


_ConfigDumper.add_representer(_EnvTag, _represent_env)
_ConfigDumper.add_multi_representer(type, _represent_name)
_ConfigDumper.add_multi_representer(type(len), _represent_name)
_ConfigDumper.add_multi_representer(type(_represent_name), _represent_name)
