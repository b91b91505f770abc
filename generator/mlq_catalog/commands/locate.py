"""Where a command finds the catalog when the command line does not say."""

from __future__ import annotations

from pathlib import Path


def catalog_dir_for(catalog_dir: Path | None, config_file: Path) -> Path:
    """``--catalog`` if given, else the plugin's ``catalog_dir`` in mkdocs.yml, else ./catalog."""
    if catalog_dir is not None:
        return catalog_dir
    if config_file.is_file():
        from mlq_catalog.ingest.project import Project

        return Project.from_config(config_file).catalog_dir
    return Path("catalog")
