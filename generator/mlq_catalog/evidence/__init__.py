"""What the catalog claims, from the model: analysis, curation, publication scope, redaction, audit, checks."""
