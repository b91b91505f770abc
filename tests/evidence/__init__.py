"""Tests of ``mlq_catalog.evidence``."""
