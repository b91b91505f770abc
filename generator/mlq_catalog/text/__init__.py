"""Pure text helpers shared by the stages: Unicode folding, HTML and Markdown safety, wording."""
