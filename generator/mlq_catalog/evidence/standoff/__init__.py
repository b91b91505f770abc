"""Stand-off quotes: attach quotes to a transcript from YAML, without editing the transcript.

``catalog/quotes/TRANSCRIPT.yaml`` lists excerpts of one transcript, each as its
exact ``text:`` or as ``start:``/``end:`` phrases, with the raw ``codes:`` or the
taxonomy ``entities:`` it supports::

    transcript: interview-u1
    quotes:
      - text: our kind of text evaluation models didn't, didn't hold up anymore.
        entities: [data-drift]
      - start: we would have one set of people
        end: trained slightly differently.
        codes: [Data-noisy-labels]

An excerpt must lie inside one interviewee turn; whitespace and line breaks need
not match the transcript. Matching normalises each transcript once and uses
``str.find``, so it stays linear; only a failed match pays for a fuzzy search of
the closest passage, which the error message then shows with its line (``matching``).

An excerpt may also say where it is (``at: [start, end]``, code points of the
transcript file, as ``mlq-catalog import qdpx`` writes it): it is then attached at
that place, and must still read as its ``text``. In a ``plain`` transcript (an
imported source) a positioned excerpt is the participant's words whatever the text
looks like, and each one is its own coded segment (``resolve``).

Resolved excerpts become ``Quote``s with segments and counts exactly like inline-coded
turns, so pages, counts and exports cannot tell them apart (``attach``: the stage that
follows analyse).
"""
