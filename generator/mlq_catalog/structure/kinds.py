"""The kinds of taxonomy entry, and the groups of kinds that the stages treat alike.

A kind's value is the name of the ``Catalog`` field holding its entries, and of its folder under
``catalog/`` for the kinds written one file per entry (``issues/``); meta codes share one file.
"""

from __future__ import annotations

from enum import StrEnum


class Kind(StrEnum):
    CATEGORIES = "categories"
    ISSUES = "issues"
    FIXES = "fixes"
    CONTEXTS = "contexts"
    META_CODES = "meta_codes"


TAXONOMY_KINDS = (Kind.ISSUES, Kind.FIXES, Kind.CONTEXTS, Kind.CATEGORIES, Kind.META_CODES)
"""Every kind, in the order an id is looked up (``Catalog.kind_of``)."""
CODED_KINDS = (Kind.ISSUES, Kind.FIXES, Kind.CONTEXTS, Kind.META_CODES)
"""Kinds whose entries claim transcript codes; categories group issues and claim none."""
PAGE_KINDS = (Kind.ISSUES, Kind.FIXES, Kind.CONTEXTS)
"""Kinds with a page of their own, and so with published quotes."""
LINKED_KINDS = (Kind.ISSUES, Kind.FIXES)
"""Kinds that link to each other (an issue's fixes, a fix's issues), and whose descriptions are Markdown."""
