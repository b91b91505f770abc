"""Tests of ``mlq_catalog.render``."""
