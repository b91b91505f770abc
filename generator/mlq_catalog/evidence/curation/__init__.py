"""The curate stage: editorial decisions on quotes, kept apart from the transcripts (the source of record).

The flow is load -> analyse -> attach stand-off quotes -> **curate** -> scope -> redact -> render -> write.
``curate.curate`` takes the analysed evidence (inline-coded and stand-off quotes) and returns new evidence
holding the quotes readers see, plus every decision made, for ``validate`` and for reports. Nothing it is
given is changed. Read ``curate`` (the stage), then ``plans`` (curation files -> what each quote should
become), ``phrases`` (finding a curator's phrase in a turn), ``decide`` (a quote's plan and checks -> what
readers see) and ``verbatim`` (clean verbatim and the quality checks, which pages and exports use too).

``catalog/curation/TRANSCRIPT.yaml`` (one file per transcript, so pull requests stay apart) lists
entries keyed by quote id (``interview-34-l53``: transcript id, ``l``, first line; it does not depend
on the participant's pseudonym, so renaming a participant keeps every key) or by a line range of the
transcript file (``lines: [53, 60]``: every quote starting there)::

    transcript: interview-34
    entries:
      - quote: interview-34-l53
        exclude: the interviewer's question, mislabelled as the participant's
      - quote: interview-34-l81
        trim: [{start: "we had to", end: "by hand."}]
        gloss: [{phrase: music value, means: missing value}]
      - lines: [120, 130]
        speaker: interviewer
      - quote: interview-34-l90
        recode: {remove: [Data-missing-values], add: [outliers]}
      - quote: interview-34-l99
        keep: short, but the only account of this fix

Every phrase is checked against the quote's verbatim text; one that is not there is an error naming
the curation file and line and the closest passage.

Quality checks (``verbatim.quality``) run on what a page would show. A quote that is filler or reads like
the interviewer is hidden unless an entry keeps it; one that starts or ends mid-sentence only warns.
Pages show the curated text in clean verbatim (``verbatim.clean_verbatim``); exports keep the verbatim text,
the shown text and the edits.
"""
