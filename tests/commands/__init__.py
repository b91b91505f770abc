"""Tests of ``mlq_catalog.commands``."""
