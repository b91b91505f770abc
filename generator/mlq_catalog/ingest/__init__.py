"""Load stage: catalog files, transcripts and YAML become the typed model (``structure``)."""
