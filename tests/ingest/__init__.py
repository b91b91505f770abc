"""Tests of ``mlq_catalog.ingest``."""
