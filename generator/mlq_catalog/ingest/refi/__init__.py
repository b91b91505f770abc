"""REFI-QDA import, reading side: a QDA tool's project (``.qdpx``) or codebook (``.qdc``) as typed data.

What a tool coded is the truth. Each text source becomes a ``plain`` transcript (nothing
in it is read as a speaker label or a code line), and each coded ``PlainTextSelection``
becomes a stand-off quote attached by position (``at: [start, end]`` in
``catalog/quotes/ID.yaml``). The whole codebook, coded or not, goes to
``catalog/codebook.yaml``.

Conventions the tools differ on, all handled here:

* **Member names.** The sources folder is ``sources/`` (the standard, MAXQDA,
  QualCoder, ATLAS.ti) or ``Sources/`` (NVivo); names are matched without case,
  with ``\\`` read as ``/``. ``plainTextPath``/``path`` is ``internal://`` (a member
  of the zip), ``relative://`` (a file under the project's ``basePath``) or
  ``absolute://`` (a file on this machine), read only inside the folder that holds the ``.qdpx``.
* **Positions.** The standard counts Unicode code points from 0, end exclusive,
  in the plain text without its byte-order mark. NVivo (Windows and Mac) counts
  UTF-16 code units, so each emoji before a selection shifts it by one; ATLAS.ti
  counts a CRLF line break as one character (QualCoder's importer says so, and
  QualCoder's "MAXQDA line endings" export writes CRLF text with LF positions).
  ``origin`` names the tool: ``NVivo for Windows 12.6`` and ``NVivo for Mac 12.7.0`` in
  real exports, QualCoder its version string (``QualCoder 3.6``), ATLAS.ti and MAXQDA
  their names. The counting is chosen once per project: the one its ``origin`` tool uses,
  unless the selections fit another one better (they land inside a surrogate
  pair or past the text, cut words apart, or disagree with the coded text a tool
  stored in the selection's ``name``). Every selection is then checked against
  the text; one that still lands outside it or inside a character is an error.
* **One passage, several codes.** Tools write one selection per coding
  (QualCoder) or one per code (NVivo); identical selections become one quote
  carrying all their codes.
* **Non-text sources** (pictures, audio, video, PDFs without a plain-text
  representation), whole-source codings and selections without a coding are
  skipped, each with one line saying what and why. A PDF's plain-text
  representation is imported as text.

Ids and pseudonyms never come from a source's name, which is often the
participant's: each source gets the next free ``interview-N`` and ``PN`` (sources
of one REFI-QDA case share the pseudonym), and the mapping is reported once.

The modules, in the order an import uses them: ``archive`` (the zip, its members and the files
it points to), ``codes`` (the codebook), ``project`` (sources and selections), ``positions`` (how
the tool counted) and ``plan`` (transcripts, ids, pseudonyms and quotes to write). Writing the
catalog files, staged and checked, is ``commands.qdpx_import``'s.
"""
