"""The catalog's taxonomy as REFI-QDA codes, and the codebook file (``.qdc``) that holds them.

Each category is a non-codable parent code of its issues; fixes, contexts and meta codes sit
under non-codable group codes. An entry's code is named by its id, and the raw transcript codes
that mean it (``codes:``) are its child codes, so a coding keeps the exact code a coder used.
Guids are uuid5 of our ids: the same id always gets the same guid.
"""

from __future__ import annotations

import hashlib
import uuid
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

from mlq_catalog.publish.refi.xmlwriter import serialise
from mlq_catalog.structure.catalog import Catalog
from mlq_catalog.structure.evidence import Evidence

NAMESPACE = uuid.UUID("0a881979-707d-4856-8dbe-d4dca72e01fa")
"""Fixed namespace of every guid we write: the same id always gets the same guid."""
CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
ORIGIN = "mlq-catalog"
GROUPS = (("fixes", "Fixes"), ("contexts", "Contexts"), ("meta_codes", "Meta codes"))


_NAMESPACE_BYTES = NAMESPACE.bytes


def guid(*parts: str) -> str:
    """A stable guid for one of our objects: ``uuid.uuid5(NAMESPACE, "\\x1f".join(parts))`` as a string.

    Computed without ``uuid.UUID`` objects (a project has one guid per quote and per coding,
    and building a UUID object cost more than the SHA-1): the same bytes, version and variant.
    """
    digest = bytearray(hashlib.sha1(_NAMESPACE_BYTES + "\x1f".join(parts).encode("utf-8")).digest()[:16])
    digest[6] = (digest[6] & 0x0F) | 0x50  # version 5
    digest[8] = (digest[8] & 0x3F) | 0x80  # RFC 4122 variant
    h = digest.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


@dataclass
class Code:
    guid: str
    name: str
    codable: bool
    description: str | None = None
    children: list[Code] = field(default_factory=list)


@dataclass
class Codebook:
    codes: list[Code]
    by_code: dict[str, str]
    """Casefolded raw code -> guid of its child code."""
    by_entity: dict[str, str]
    """Entity id -> guid of its code."""

    def guid_for(self, code: str, unclaimed: dict[str, str]) -> str:
        found = self.by_entity.get(code) or self.by_code.get(code.casefold())
        if found:
            return found
        return unclaimed.setdefault(code, guid("unclaimed", code))


def _describe(title: str, summary: str | None) -> str:
    return f"{title}: {summary}" if summary else title


def build_codebook(catalog: Catalog) -> Codebook:
    """The taxonomy as REFI codes: categories and groups are non-codable parents."""
    by_code: dict[str, str] = {}
    by_entity: dict[str, str] = {}

    def entity_code(kind: str, entity_id: str, entity: object) -> Code:
        code_guid = guid(kind, entity_id)
        by_entity[entity_id] = code_guid
        title = str(getattr(entity, "title", entity_id))
        summary = getattr(entity, "summary", None) or getattr(entity, "description", None)
        node = Code(code_guid, entity_id, True, _describe(title, summary))
        for raw in getattr(entity, "codes", []):
            if raw.casefold() in by_code:
                continue  # claimed twice: validation reports it; the first claim wins, as in analysis
            raw_guid = guid("code", entity_id, raw)
            by_code[raw.casefold()] = raw_guid
            node.children.append(Code(raw_guid, raw, True, f"Transcript code for '{title}'"))
        return node

    codes: list[Code] = []
    categories = sorted(catalog.categories.values(), key=lambda c: (c.order, c.id))
    placed: set[str] = set()
    for category in categories:
        parent = Code(guid("categories", category.id), category.id, False, _describe(category.title, category.summary))
        for issue_id in sorted(i for i, issue in catalog.issues.items() if issue.category == category.id):
            parent.children.append(entity_code("issues", issue_id, catalog.issues[issue_id]))
            placed.add(issue_id)
        codes.append(parent)
    orphans = sorted(set(catalog.issues) - placed)
    if orphans:
        parent = Code(guid("group", "issues"), "Other issues", False, "Issues whose category is unknown")
        parent.children = [entity_code("issues", i, catalog.issues[i]) for i in orphans]
        codes.append(parent)
    for kind, title in GROUPS:
        entities = getattr(catalog, kind)
        if not entities:
            continue
        parent = Code(guid("group", kind), title, False, f"{title} of the catalog")
        parent.children = [entity_code(kind, i, entities[i]) for i in sorted(entities)]
        codes.append(parent)
    return Codebook(codes, by_code, by_entity)


def code_element(parent: ET.Element, code: Code) -> None:
    element = ET.SubElement(
        parent, "Code", {"guid": code.guid, "name": code.name, "isCodable": "true" if code.codable else "false"}
    )
    if code.description:
        ET.SubElement(element, "Description").text = code.description
    for child in code.children:
        code_element(element, child)


def export_qdc(catalog: Catalog, evidence: Evidence) -> bytes:
    """The taxonomy as a REFI-QDA codebook (``.qdc``, namespace ``urn:QDA-XML:codebook:1.0``)."""
    del evidence  # a codebook holds no quotes; the signature matches the other exports
    return serialise(codebook_tree(catalog), CODEBOOK_NS)


def codebook_tree(catalog: Catalog) -> ET.Element:
    """The ``.qdc`` element tree, not yet serialised."""
    root = ET.Element("CodeBook", {"origin": ORIGIN})
    codes = ET.SubElement(root, "Codes")
    for code in build_codebook(catalog).codes:
        code_element(codes, code)
    return root
