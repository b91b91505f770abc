"""Where a project keeps everything: read from mkdocs.yml and the command line into a ``Project``."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from mlq_catalog.structure.errors import OutputError, display_path

# Seconds a build waits for another build of the same folders before it gives up (commands.buildlock).
DEFAULT_LOCK_TIMEOUT = 120.0


@dataclass
class Project:
    """Where everything lives, resolved from mkdocs.yml and the command line."""

    config_file: Path
    catalog_dir: Path
    templates_dir: Path
    pages_dir: Path
    docs_dir: Path
    site_dir: Path
    lock_timeout: float = DEFAULT_LOCK_TIMEOUT
    engine_dir: Path | None = None
    """The engine input (commands/engine_input.py): another engine publishes what it holds."""

    @classmethod
    def from_config(
        cls,
        config_file: Path,
        *,
        catalog_dir: Path | None = None,
        site_dir: Path | None = None,
        pages_dir: Path | None = None,
    ) -> Project:
        if not config_file.is_file():
            raise OutputError(
                f"{display_path(config_file)}: MkDocs configuration not found (run from the repository root "
                "or pass --config-file)"
            )
        root = config_file.resolve().parent
        plugin_options = plugin_options_of(config_file)
        pages = (pages_dir or root / plugin_options.get("pages_dir", ".mlq/pages")).resolve()
        engine = plugin_options.get("engine_dir")
        return cls(
            config_file=config_file.resolve(),
            catalog_dir=(catalog_dir or root / plugin_options.get("catalog_dir", "catalog")).resolve(),
            templates_dir=(root / plugin_options.get("templates_dir", "templates")).resolve(),
            pages_dir=pages,
            docs_dir=(root / "docs").resolve(),
            site_dir=(site_dir or root / "site").resolve(),
            # As the plugin resolves it (mkdocs_site.resolve_paths): beside the pages folder unless set.
            engine_dir=(root / engine).resolve() if engine else pages.with_name(pages.name + "-engine"),
        )


def plugin_options_of(config_file: Path) -> dict[str, str]:
    import yaml

    try:
        # mkdocs.yml may hold !ENV and !relative tags; a permissive loader is enough to read our options.
        class Loader(yaml.SafeLoader):
            pass

        Loader.add_multi_constructor("!", lambda loader, suffix, node: None)
        data = yaml.load(config_file.read_text(encoding="utf-8"), Loader=Loader) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise OutputError(f"{display_path(config_file)}: cannot read MkDocs configuration: {exc}") from exc
    for plugin in data.get("plugins", []) or []:
        if isinstance(plugin, dict) and "mlq-catalog" in plugin:
            return dict(plugin["mlq-catalog"] or {})
    return {}
