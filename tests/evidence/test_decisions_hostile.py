"""``audit --allow/--redact`` with terms and files a reviewer really meets (rev1's adversarial pass).

* Terms and reasons that YAML 1.1 (PyYAML, which reads the catalog) takes for something other than
  text: ``NO`` (Norway), ``ON`` (Ontario), ``Off``, ``y``, ``1:20``, ``--why yes``. ruamel.yaml
  writes YAML 1.2, where they are plain strings, so the entry read back changed and the decision was
  refused with "add it by hand".
* A term with a line break or tab (pasted from a transcript) is one term: its whitespace is folded,
  and the one-line message stays one line. Control characters are refused.
* A CRLF file gets CRLF lines; a symlinked file is edited where it points, the link kept.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from mlq_catalog.cli import main
from mlq_catalog.evidence import decisions

YAML11_SCALARS = ("NO", "ON", "Off", "yes", "y", "N", "1:20", "12:30:45", "1_000", "0b101", "=", "<<", "~", "null")


@pytest.mark.parametrize("term", YAML11_SCALARS)
def test_terms_yaml_would_read_as_other_types_are_recorded_as_text(catalog_copy: Path, term: str) -> None:
    runner = CliRunner()
    result = runner.invoke(main, ["audit", "--catalog", str(catalog_copy), "--allow", term, "--why", "yes"])
    assert result.exit_code == 0, result.output
    entry = yaml.safe_load((catalog_copy / "audit-allowlist.yaml").read_text(encoding="utf-8"))["allowed"][-1]
    assert entry == {"term": term, "reason": "yes"}
    result = runner.invoke(main, ["audit", "--catalog", str(catalog_copy), "--redact", term, "--as", "[place]"])
    assert result.exit_code == 0, result.output
    rule = yaml.safe_load((catalog_copy / "redactions.yaml").read_text(encoding="utf-8"))["rules"][-1]
    assert rule == {"terms": [term], "placeholder": "[place]"}
    assert runner.invoke(main, ["validate", "--catalog", str(catalog_copy)]).exit_code == 0


@pytest.mark.parametrize(
    "term", ["Brambleton\nFreight", "Brambleton\r\nFreight", "Brambleton\tFreight", " Brambleton  Freight "]
)
def test_whitespace_inside_a_term_is_folded_and_the_message_is_one_line(catalog_copy: Path, term: str) -> None:
    result = CliRunner().invoke(main, ["audit", "--catalog", str(catalog_copy), "--allow", term, "--why", "a\nb"])
    assert result.exit_code == 0, result.output
    assert result.stderr.strip().splitlines() == ["catalog/audit-allowlist.yaml: allowed 'Brambleton Freight'"]
    entry = yaml.safe_load((catalog_copy / "audit-allowlist.yaml").read_text(encoding="utf-8"))["allowed"][-1]
    assert entry["term"] == "Brambleton Freight"


@pytest.mark.parametrize("term", ["Bramble\x1b[2Jton", "Bramble\x00ton", "Bramble\x7fton", "Bramble\x9bton"])
def test_control_characters_in_a_term_are_refused(catalog_copy: Path, term: str) -> None:
    before = {p.name: p.read_bytes() for p in catalog_copy.glob("*.yaml")}
    for args in (["--allow", term, "--why", "x"], ["--redact", term, "--as", "[n]"]):
        result = CliRunner().invoke(main, ["audit", "--catalog", str(catalog_copy), *args])
        assert result.exit_code == 1, result.output
        assert len(result.stderr.strip().splitlines()) == 1
        assert "control character" in result.stderr and "\x1b" not in result.stderr
    assert {p.name: p.read_bytes() for p in catalog_copy.glob("*.yaml")} == before


@pytest.mark.parametrize("newline", ["\r\n", "\r"])
def test_a_file_keeps_its_line_endings(tmp_path: Path, newline: str) -> None:
    path = tmp_path / "audit-allowlist.yaml"
    path.write_bytes(newline.join(["# kept", "allowed:", "  - term: A1x", "    reason: first", ""]).encode())
    decisions.allow(tmp_path, "Zed", "second")
    decisions.redact(tmp_path, "Kelso", "[name]")
    text = path.read_bytes().decode()
    assert text.replace(newline, "") == text.replace(newline, "").replace("\n", "")  # no other line ending
    assert yaml.safe_load(text)["allowed"][-1] == {"term": "Zed", "reason": "second"}


def test_a_symlinked_file_is_edited_where_it_points(tmp_path: Path) -> None:
    shared = tmp_path / "shared" / "redactions.yaml"
    shared.parent.mkdir()
    shared.write_text("rules:\n  - terms: [A1x]\n    placeholder: '[name]'\n", encoding="utf-8")
    catalog = tmp_path / "catalog"
    catalog.mkdir()
    (catalog / "redactions.yaml").symlink_to(shared)
    decisions.redact(catalog, "Kelso", "[name]")
    assert (catalog / "redactions.yaml").is_symlink()
    assert yaml.safe_load(shared.read_text(encoding="utf-8"))["rules"][-1] == {
        "terms": ["Kelso"],
        "placeholder": "[name]",
    }


@pytest.mark.parametrize("name", ["audit-allowlist.yaml", "redactions.yaml"])
def test_a_decision_file_that_is_not_a_regular_file_is_refused_at_once(catalog_copy: Path, name: str) -> None:
    """A FIFO would block the read forever; a directory cannot be a list of decisions."""
    import os

    path = catalog_copy / name
    args = ["--allow", "Zed", "--why", "x"] if name.startswith("audit") else ["--redact", "Zed", "--as", "[n]"]
    kinds = {"fifo": lambda: os.mkfifo(path), "directory": lambda: path.mkdir()}
    for kind, make in kinds.items():
        path.unlink() if path.exists() and not path.is_dir() else None
        if path.is_dir():
            path.rmdir()
        make()
        result = CliRunner().invoke(main, ["audit", "--catalog", str(catalog_copy), *args])
        assert result.exit_code == 1, (kind, result.output)
        assert result.stderr.strip().splitlines() == [f"Error: catalog/{name}: not a regular file; nothing was changed"]
