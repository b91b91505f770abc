"""Tests of ``mlq_catalog.publish``."""
