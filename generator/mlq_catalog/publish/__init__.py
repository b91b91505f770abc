"""Public outputs besides pages: JSON/CSV exports, REFI-QDA files, downloads, JSON Schemas."""
