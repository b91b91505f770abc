"""Tests of ``mlq_catalog.structure``."""
