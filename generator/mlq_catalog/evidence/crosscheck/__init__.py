"""Cross-checks: the catalog as a whole, after every file has been loaded and checked on its own.

``references`` (ids, renames, codes claimed twice, facets), ``codes`` (codes no entry claims) and ``text``
(plain-text fields, safe Markdown, link addresses) return problems and never raise; ``validate.cross_check``
runs them all, so that ``validate`` can print every problem and fail once. ``located`` turns an entry id
and key path into a problem at its file and line.
"""
