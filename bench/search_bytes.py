"""Bytes a reader downloads to run one search query, at a given catalog size (issue 21).

Material's search fetches the whole index once (search/search_index.json), its search worker and
mlq-search.js; nothing more per query. The figures are raw bytes and gzip-compressed bytes (what a
server that compresses, such as GitHub Pages, sends).

Usage: python bench/search_bytes.py SITE_DIR [SITE_DIR ...]   (sites built by ``mlq-catalog build``)
"""

from __future__ import annotations

import argparse
import gzip
from pathlib import Path


def query_bytes(site: Path) -> dict[str, tuple[int, int]]:
    files = {
        "index": site / "search" / "search_index.json",
        "worker": next((site / "assets" / "javascripts" / "workers").glob("search.*.min.js")),
        "query script": site / "javascripts" / "mlq-search.js",
    }
    sizes = {}
    for name, path in files.items():
        data = path.read_bytes()
        sizes[name] = (len(data), len(gzip.compress(data, compresslevel=6, mtime=0)))
    return sizes


def main(sites: list[Path]) -> None:
    for site in sites:
        sizes = query_bytes(site)
        raw = sum(r for r, _ in sizes.values())
        packed = sum(g for _, g in sizes.values())
        parts = ", ".join(f"{name} {r:,} ({g:,} gzip)" for name, (r, g) in sizes.items())
        print(f"{site}: {raw:,} bytes per query ({packed:,} gzip): {parts}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("sites", nargs="+", type=Path, metavar="SITE_DIR", help="a site built by mlq-catalog build")
    main(parser.parse_args().sites)
