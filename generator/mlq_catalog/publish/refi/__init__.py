"""REFI-QDA exchange: the catalog as a codebook (``.qdc``) or project (``.qdpx``), and projects back in.

NVivo, ATLAS.ti, MAXQDA and QualCoder all read and write REFI-QDA (QDA-XML 1.0).

* The **codebook** is the taxonomy. Each category is a non-codable parent code of its
  issues; fixes, contexts and meta codes sit under non-codable group codes. An entry's
  code is named by its id, and the raw transcript codes that mean it (``codes:``) are
  its child codes, so a coding keeps the exact code a coder used.
* The published **project** (``export_qdpx``, read from the publication scope, ``scope.py``)
  holds per transcript only its published excerpts, in order, with ``[…]`` between them, and
  one ``PlainTextSelection`` per excerpt with one coding per code: exactly the quotes of the
  site, and nothing of the turns around them.
* The **full-transcript project** (``export_full_qdpx``, ``mlq-catalog export --format qdpx
  --full-transcripts``) is a local researcher's export: every transcript whole, written from the
  parsed turns (speakers as the pseudonym or a generic role, redaction rules applied). It holds
  unpublished text; ``build`` never writes it.

Output is deterministic: guids are uuid5 of our ids, zip entries are sorted and carry
a fixed timestamp. Selection offsets are Unicode code points, end exclusive (as
QualCoder reads them).

The modules: ``codebook`` (the taxonomy as codes, and the ``.qdc``), ``project`` (the ``.qdpx``),
``transcript_text`` (a whole transcript as a source text, for the full-transcript project) and
``xmlwriter`` (the XML as ElementTree would write it, faster). Projects come back in through
``ingest.refi`` and ``mlq-catalog import`` (``commands.qdpx_import``).
"""
