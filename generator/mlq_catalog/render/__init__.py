"""Render stage: the publication scope becomes Markdown pages, charts and redirects."""
