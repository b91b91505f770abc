"""One module per verb, owning policy (caches, the fork, locks, the collector); the MkDocs adapter."""
