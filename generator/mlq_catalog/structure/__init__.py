"""The model every stage passes along: entry types, the loaded catalog, evidence, problems and errors."""
