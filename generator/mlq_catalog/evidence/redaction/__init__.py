"""Redaction: replace names, employers and contact details in everything the catalog publishes.

Two sources of replacements, applied in one pass so that the longest match wins:

* **Rules** from ``catalog/redactions.yaml`` (``rules.py``): literal terms (whole words,
  case-insensitive, possessives and plurals included: ``Amin``, ``Amin's``, ``Amins``) or regular
  expressions, each with its placeholder (``[name]``, ``[Company A]``), catalog-wide or for some transcripts.
* **Built-in detectors** (``detectors.py``) for emails, URLs, @handles, phone numbers and long digit
  runs, each replaced by a typed placeholder (``[email]``, ``[url]``, ``[handle]``, ``[phone]``, ``[number]``).

Detectors only run on transcript text (quotes, speaker labels): YAML descriptions link to papers
on purpose. Catalog-wide rules also run on YAML titles, summaries, descriptions and participant
attributes, so that a name that slipped into a summary is caught too.

Read in this order: ``rules`` and ``detectors`` (what is replaced), ``prefilter`` (the cheap searches
that prove most text holds nothing), ``redactor`` (matching and replacing text), ``replacement_log``
(what was replaced, and where that private record may be written), ``redact`` (the redact stage:
the publication scope, redacted).
"""
