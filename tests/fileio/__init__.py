"""Tests of ``mlq_catalog.fileio``."""
