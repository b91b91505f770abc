"""The data behind the site, as versioned files a reader can download.

Each file name carries the catalog version (``catalog-0.1.0.json``), so a paper can
cite one exact file and a newer release never changes what an old link returns.
The files join the MkDocs build as generated files (see ``plugin.on_files``), so
strict mode checks every link to them like a link to a page.

The REFI-QDA codebook (``.qdc``) and project (``.qdpx``) come from
``mlq_catalog.publish.refi``, and the JSON Schemas from ``mlq_catalog.publish.schema``.

Size: at 2,000 transcripts the downloads were 76 MB of a 272 MB site, every quote three times
over (JSON, CSV, and the QDPX sources). The JSON, the complete and documented format that
scripts fetch by URL, stays plain but is written one record per line instead of indented
(34 -> 28 MB, same data); the CSV, a spreadsheet view of the JSON's quotes, is zipped
(19 -> 5 MB); the QDPX is a zip already.
"""

from __future__ import annotations

import io
import json
import logging
import re
import zipfile

from mlq_catalog.publish.export import export_csv, export_json
from mlq_catalog.structure.catalog import Catalog
from mlq_catalog.structure.download import Download
from mlq_catalog.structure.evidence import Evidence

log = logging.getLogger(__name__)

DOWNLOADS_DIR = "downloads"
# Schemas of the privacy machinery stay unpublished: they describe what is hidden, and their examples may name
# the very people and places being redacted.
PRIVATE_SCHEMAS = frozenset({"redactions", "audit-allowlist"})


def version_slug(version: str) -> str:
    """The catalog version, made safe for a file name (``1.0 beta`` -> ``1.0-beta``)."""
    return re.sub(r"[^A-Za-z0-9._-]+", "-", version).strip("-.") or "unversioned"


def citation_cff(catalog: Catalog, site_url: str | None = None) -> str:
    """CITATION.cff (Citation File Format 1.2.0) for the catalog as a whole."""
    meta = catalog.meta
    released = next((v.date for v in meta.versions if v.version == meta.version), None)
    lines = [
        "cff-version: 1.2.0",
        'message: "If you use this catalog or its data, please cite it as below."',
        "type: dataset",
        f"title: {_yaml_str(meta.title)}",
        f"version: {_yaml_str(meta.version)}",
    ]
    if released is not None:
        lines.append(f"date-released: {released.isoformat()}")
    lines.append(f"abstract: {_yaml_str(' '.join(meta.description.split()))}")
    lines.append("authors:")
    lines += [f"  - name: {_yaml_str(author)}" for author in meta.authors]
    if meta.repository:
        lines.append(f"repository-code: {_yaml_str(meta.repository)}")
    if site_url:
        lines.append(f"url: {_yaml_str(site_url)}")
    lines += _study_reference(catalog)
    return "\n".join(lines) + "\n"


def _study_reference(catalog: Catalog) -> list[str]:
    """The study the interviews come from, as CITATION.cff ``references``: whoever cites the catalog sees it."""
    study = catalog.meta.study
    if study is None or study.title is None or not study.authors:
        return []
    lines = ["references:", "  - type: article", f"    title: {_yaml_str(study.title)}", "    authors:"]
    for author in study.authors:
        family, _, given = author.partition(",")
        lines.append(f"      - family-names: {_yaml_str(family.strip())}")
        if given.strip():
            lines.append(f"        given-names: {_yaml_str(given.strip())}")
    if study.journal:
        lines.append(f"    journal: {_yaml_str(study.journal)}")
    if study.year is not None:
        lines.append(f"    year: {study.year}")
    if study.doi:
        lines.append(f"    doi: {_yaml_str(study.doi)}")
    return lines


def _yaml_str(text: str) -> str:
    # A double-quoted YAML scalar with JSON escapes is valid YAML for any text.
    return json.dumps(text, ensure_ascii=False)


ZIP_TIME = (1980, 1, 1, 0, 0, 0)
CSV_ZIP_LEVEL = 3


def zip_one(name: str, data: bytes) -> bytes:
    """A zip archive holding ``data`` as ``name``, byte-identical for the same input (fixed time and mode).

    The CSV repeats every quote of the JSON download, for spreadsheets; zipped it is a quarter of
    its size (19 MB -> 5 MB at 2,000 transcripts), and every spreadsheet user can open a zip.
    """
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
        info.compress_type = zipfile.ZIP_DEFLATED
        info.external_attr = 0o644 << 16
        info.create_system = 3  # Unix, so that the bytes do not depend on the platform that built them
        # The .qdpx's level (refi.ZIP_LEVEL): the default, 6, took 0.95 s for this file at 2,000
        # transcripts, level 3 0.39 s, for a zip 15 % larger (5.5 MB instead of 4.8 MB).
        archive.writestr(info, data, compresslevel=CSV_ZIP_LEVEL)
    return buffer.getvalue()


def build_downloads(catalog: Catalog, evidence: Evidence) -> list[Download]:
    """Every downloadable file, in the order the downloads page lists them.

    ``catalog`` and ``evidence`` are the publication scope's (``scope.py``); nothing here reads a
    transcript, a YAML file or the committed schemas (whose id suggestions name transcript files).
    """
    v = version_slug(catalog.meta.version)
    out = [
        Download(
            f"{DOWNLOADS_DIR}/catalog-{v}.json",
            "Catalog (JSON)",
            "Every issue, fix, context and category with its evidence counts, and every published quote. "
            "The layout is described in the data export format page.",
            "application/json",
            export_json(catalog, evidence).encode("utf-8"),
        ),
        Download(
            f"{DOWNLOADS_DIR}/quotes-{v}.csv.zip",
            "Quotes (CSV, zipped)",
            "One row per published quote: its issues and fixes, participant pseudonym, transcript and line. "
            f"Unzip it and open quotes-{v}.csv in a spreadsheet.",
            "application/zip",
            zip_one(f"quotes-{v}.csv", export_csv(catalog, evidence).encode("utf-8")),
        ),
    ]
    from mlq_catalog.publish.refi.codebook import export_qdc
    from mlq_catalog.publish.refi.project import export_qdpx

    out.append(
        Download(
            f"{DOWNLOADS_DIR}/codebook-{v}.qdc",
            "Codebook (REFI-QDA .qdc)",
            "The codes and their meaning, for import into qualitative analysis tools (ATLAS.ti, MAXQDA, NVivo).",
            "application/xml",
            export_qdc(catalog, evidence),
        )
    )
    out.append(
        Download(
            f"{DOWNLOADS_DIR}/catalog-{v}.qdpx",
            "Coded project (REFI-QDA .qdpx)",
            "The published quotes of each interview, in order, with their codings, for qualitative "
            "analysis tools. Only the excerpts shown on this site: '[…]' marks what lies between them.",
            "application/zip",
            export_qdpx(catalog, evidence),
        )
    )
    from mlq_catalog.publish.schema import KINDS, build_schema, dump

    for stem in sorted(KINDS):
        if stem in PRIVATE_SCHEMAS:
            continue
        # Built without the catalog's id suggestions: those list transcript ids and file paths.
        out.append(
            Download(
                f"{DOWNLOADS_DIR}/schemas/{stem}-{v}.schema.json",
                f"JSON Schema: {stem}",
                f"Validates {_schema_target(stem)}; editors use it for completion and checking.",
                "application/schema+json",
                dump(build_schema(stem)).encode("utf-8"),
            )
        )
    out.append(
        Download(
            f"{DOWNLOADS_DIR}/CITATION-{v}.cff",
            "Citation (CITATION.cff)",
            "How to cite this version of the catalog, in the Citation File Format.",
            "text/plain",
            citation_cff(catalog).encode("utf-8"),
        )
    )
    return out


def _schema_target(stem: str) -> str:
    """The catalog files a schema validates, in words."""
    known = {
        "catalog": "catalog/catalog.yaml",
        "transcripts": "catalog/transcripts.yaml",
        "meta-codes": "catalog/meta-codes.yaml",
        "category": "catalog/categories/*.yaml",
        "issue": "catalog/issues/*.yaml",
        "fix": "catalog/fixes/*.yaml",
        "context": "catalog/contexts/*.yaml",
    }
    return known.get(stem, f"{stem} files")
