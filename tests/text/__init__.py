"""Tests of ``mlq_catalog.text``."""
