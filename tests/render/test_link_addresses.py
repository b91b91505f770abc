"""A redaction rule that matches inside a link's address never crashes the build (issue 13, item 11).

At commit f490e81 rule ``Vantablue`` and a description link to ``https://vantablue.example.com/paper``
passed ``validate``; redaction made the address ``https://[Company A].example.com/paper``, a live link
to a garbage host, and MkDocs crashed on it (``ValueError: 'Company A' does not appear to be an IPv4
or IPv6 address``). Now ``validate`` refuses each such link, wherever the rule matches in the address
and however the link is written, and ``build`` refuses the same before anything is written.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from mlq_catalog.cli import main

REPO = Path(__file__).resolve().parents[2]

RULES = """
  - terms: [Vantablue]
    placeholder: "[Company A]"
    reason: An employer named in interview-99.
  - terms: ["4711"]
    placeholder: "[number]"
    reason: A room number.
"""

# Description file -> the Markdown planted in it, and the address a rule matches in.
PLANTED = {
    "issues/noisy-labels.yaml": ("See [the paper](https://vantablue.example.com/paper).", "host"),
    "issues/label-drift.yaml": ("See [it](https://example.com/people/vantablue/paper).", "path"),
    "issues/data-drift.yaml": ("Search [here](https://example.com/search?q=Vantablue+labels).", "query"),
    "issues/outliers.yaml": ("Ask [them](https://vantablue:secret@example.com/).", "userinfo"),
    "issues/missing-values.yaml": ("A [dashboard](https://example.com:4711/board).", "port"),
    "issues/sampling-bias.yaml": ("Their site: <https://www.vantablue.example.com/>.", "autolink"),
    "issues/topic-drift.yaml": (
        "Read [the report][r].\n\n  [r]: https://example.org/Vantablue-report.pdf",
        "reference",
    ),
    "fixes/drift-monitoring.yaml": ("![logo](https://cdn.example.net/vantablue/logo.png)", "image"),
    "fixes/labelling-protocol.yaml": ("Write to <jo@vantablue.com>.", "mail autolink"),
    "issues/unfairness.yaml": ("A broken [link](http://[not-a-host/paper).", "invalid"),
}
KEEPS = "issues/data-privacy.yaml"  # a link that no rule touches stays a link
KEPT_LINK = "See [the survey](https://example.com/survey/labels)."


@pytest.fixture
def work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in [n for n in ("catalog", "docs", "templates") if (REPO / n).is_dir()]:
        shutil.copytree(REPO / name, tmp_path / name)
    shutil.copy2(REPO / "mkdocs.yml", tmp_path / "mkdocs.yml")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NO_MKDOCS_2_WARNING", "1")
    rules = tmp_path / "catalog" / "redactions.yaml"
    rules.write_text(rules.read_text(encoding="utf-8").rstrip("\n") + "\n" + RULES.lstrip("\n"), encoding="utf-8")
    for relative, (markdown, _) in {**PLANTED, KEEPS: (KEPT_LINK, "")}.items():
        _add_paragraph(tmp_path / "catalog" / relative, markdown)
    return tmp_path


def _add_paragraph(path: Path, markdown: str) -> None:
    text = path.read_text(encoding="utf-8")
    marker = "description: |\n"
    assert marker in text, path
    path.write_text(text.replace(marker, f"{marker}  {markdown}\n\n", 1), encoding="utf-8")


def _run(*args: str) -> Result:
    result = CliRunner().invoke(main, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    return result


def _refusals(lines: list[str]) -> dict[str, str]:
    return {line.split(":", 1)[0].removeprefix("catalog/"): line for line in lines if ": link address '" in line}


def test_validate_refuses_every_link_whose_address_a_rule_redacts(work: Path) -> None:
    result = _run("validate")
    assert result.exit_code == 1
    refused = _refusals(result.output.splitlines())
    assert sorted(refused) == sorted(PLANTED)
    for relative, line in refused.items():
        if PLANTED[relative][1] == "invalid":
            assert "is not a valid URL" in line
        else:
            assert "which redactions.yaml replaces; a redacted address cannot be published" in line, line


def test_build_refuses_the_same_and_writes_nothing(work: Path) -> None:
    validated = _refusals(_run("validate").output.splitlines())
    result = _run("build")
    assert result.exit_code == 1
    lines = [line.removeprefix("Error: ") for line in result.output.splitlines()]
    assert _refusals(lines) == validated
    assert sorted(validated) == sorted(PLANTED)
    assert not (work / "site").exists()


def test_links_without_redacted_text_still_build(work: Path) -> None:
    for relative in PLANTED:  # undo the refused ones
        shutil.copy2(REPO / "catalog" / relative, work / "catalog" / relative)
    result = _run("build")
    assert result.exit_code == 0, result.output
    page = (work / "site" / "issues" / "data-privacy" / "index.html").read_text(encoding="utf-8")
    assert 'href="https://example.com/survey/labels"' in page
