"""``mlq-catalog init``, the catalog's own words, and schemas that stay inside the project (issue 19)."""

from __future__ import annotations

import hashlib
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from mlq_catalog import schema
from mlq_catalog.cli import main
from mlq_catalog.init import InitOptions, project_files

from .conftest import REPO


def _init(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["init", *args, "--no-input"])
    return result.exit_code, result.output


def _tree(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_init_writes_a_project_that_validates_strictly(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    code, output = _init(str(tmp_path / "new"), "--title", "Onboarding Study", "--pseudonym-prefix", "Dev")
    assert code == 0, output
    project = tmp_path / "new"
    for expected in (
        "mkdocs.yml", "README.md", ".gitignore", ".pre-commit-config.yaml", ".github/workflows/validate.yml",
        ".github/workflows/deploy.yml", "docs/index.md", "docs/about.md", "schemas/issue.schema.json",
        "catalog/transcripts/interview-1.txt", "catalog/transcripts/interview-2.txt",
        "catalog/transcripts/interview-3.vtt", "catalog/transcripts/interview-4.srt",
    ):  # fmt: skip
        assert (project / expected).is_file(), expected
    assert len(list((project / "catalog" / "categories").glob("*.yaml"))) == 2
    assert len(list((project / "catalog" / "issues").glob("*.yaml"))) == 3
    assert len(list((project / "catalog" / "fixes").glob("*.yaml"))) == 2
    monkeypatch.chdir(project)
    result = CliRunner().invoke(main, ["validate", "--strict"])
    assert result.exit_code == 0, result.output
    assert "0 error(s), 0 warning(s)" in result.output
    assert CliRunner().invoke(main, ["schema", "--check"]).exit_code == 0
    assert "Dev1" in (project / "catalog" / "transcripts.yaml").read_text(encoding="utf-8")


def test_a_folder_that_is_not_empty_is_refused(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine\n", encoding="utf-8")
    before = _tree(tmp_path)
    code, output = _init(str(tmp_path))
    assert code == 1
    assert output.splitlines() == [
        f"Error: {tmp_path}: folder is not empty; pass --force to add the missing files (nothing is overwritten)"
    ]
    assert _tree(tmp_path) == before


def test_force_never_overwrites_a_file(tmp_path: Path) -> None:
    mine = {
        "README.md": "# Our own README\n",
        "mkdocs.yml": "site_name: Ours\n",
        ".gitignore": "/private/\n",
        "catalog/catalog.yaml": "title: ours\n",
        "catalog/issues/outdated-docs.yaml": "id: outdated-docs\n",
        "docs/about.md": "# About us\n",
        "schemas/issue.schema.json": "{}\n",
    }
    for relative, text in mine.items():
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / relative).write_text(text, encoding="utf-8")
    code, output = _init(str(tmp_path), "--force")
    assert code == 0, output
    for relative, text in mine.items():
        assert (tmp_path / relative).read_text(encoding="utf-8") == text, relative
    notices = [line for line in output.splitlines() if "already exists" in line]
    assert sorted(notices) == sorted(f"{tmp_path / r}: already exists; kept as it is" for r in mine)
    assert (tmp_path / "catalog" / "fixes" / "docs-in-review.yaml").is_file()  # the missing ones are added
    assert output.splitlines()[-1].startswith(f"Created {len(project_files(InitOptions())) + 10 - len(mine)} files")


@pytest.mark.parametrize(
    ("flag", "value", "message"),
    [
        ("--pseudonym-prefix", "p1", "--pseudonym-prefix 'p1': use a capital letter"),
        ("--interviewee-label", "Name: X", "--interviewee-label 'Name: X': use letters, digits and spaces"),
        ("--issue-label", "is*sue", "--issue-label 'is*sue': give a plain word or two"),
        ("--title", "two\nlines", "--title: give one line of at most 200 characters"),
        ("--site-url", "javascript:alert(1)", "--site-url 'javascript:alert(1)': give an http(s) address"),
    ],
)
def test_bad_flags_are_one_line_errors_and_write_nothing(tmp_path: Path, flag: str, value: str, message: str) -> None:
    code, output = _init(str(tmp_path / "new"), flag, value)
    assert code == 1
    assert len(output.splitlines()) == 1 and output.startswith(f"Error: {message}"), output
    assert not (tmp_path / "new").exists()


def test_init_asks_at_a_terminal(tmp_path: Path) -> None:
    """With a terminal attached, what no flag gives is asked for (script(1) gives the command a tty)."""
    answers = "Reading Habits\nhow people choose books\nB. Author (2025). Reading.\nAda, Grace\nReader\n"
    command = f"{sys.executable} -c 'from mlq_catalog.cli import main; main()' init {tmp_path / 'new'}"
    try:
        result = subprocess.run(
            ["script", "-qec", command, "/dev/null"], input=answers, capture_output=True, text=True, timeout=60
        )
    except FileNotFoundError:
        pytest.skip("script(1) is not installed")
    assert result.returncode == 0, result.stdout + result.stderr
    meta = (tmp_path / "new" / "catalog" / "catalog.yaml").read_text(encoding="utf-8")
    assert 'title: "Reading Habits"' in meta
    assert 'study_citation: "B. Author (2025). Reading."' in meta
    assert '  - "Ada"\n  - "Grace"' in meta
    assert "<v Reader>" in (tmp_path / "new" / "catalog" / "transcripts" / "interview-3.vtt").read_text("utf-8")


def test_no_catalog_text_is_hard_coded_in_the_package() -> None:
    package = REPO / "generator" / "mlq_catalog"
    pattern = re.compile(r"ml quality|machine.learning|quality issue|practitioner", re.IGNORECASE)
    hits = [
        f"{path.relative_to(package)}:{n}"
        for path in sorted(package.rglob("*"))
        if path.is_file() and path.suffix in (".py", ".j2", ".md", ".yml", ".yaml", ".txt", ".css", ".vtt", ".srt")
        and path.name != "first-names.txt"
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if pattern.search(line)
    ]  # fmt: skip
    assert hits == []


def test_schema_never_writes_outside_the_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert _init(str(tmp_path / "project"))[0] == 0
    monkeypatch.chdir(tmp_path / "project")
    packaged = _tree(schema.SCHEMA_DIR)
    elsewhere = tmp_path / "elsewhere"
    for target in (elsewhere, schema.SCHEMA_DIR, tmp_path):
        result = CliRunner().invoke(main, ["schema", "--output-dir", str(target)])
        assert result.exit_code == 1, result.output
        assert "refusing to write schemas outside the project" in result.output
    assert not elsewhere.exists()
    assert _tree(schema.SCHEMA_DIR) == packaged
    (tmp_path / "project" / "schemas" / "fix.schema.json").unlink()
    result = CliRunner().invoke(main, ["schema"])
    assert result.exit_code == 0, result.output
    assert "1 of 10 schemas changed in schemas" in result.output
    assert _tree(schema.SCHEMA_DIR) == packaged


@pytest.mark.parametrize(
    ("schemas_dir", "expected"),
    [(None, "../../schemas"), ("tools/json", "../../tools/json"), ("catalog/.schemas", "../.schemas")],
)
def test_new_points_at_the_projects_schemas(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, schemas_dir: str | None, expected: str
) -> None:
    assert _init(str(tmp_path / "p"))[0] == 0
    monkeypatch.chdir(tmp_path / "p")
    if schemas_dir is not None:
        config = Path("mkdocs.yml").read_text(encoding="utf-8")
        Path("mkdocs.yml").write_text(config.replace("schemas_dir: schemas", f"schemas_dir: {schemas_dir}"), "utf-8")
        assert CliRunner().invoke(main, ["schema"]).exit_code == 0
    for kind, folder in (("issue", "issues"), ("fix", "fixes")):
        result = CliRunner().invoke(main, ["new", kind, f"stale-links-{kind}"])
        assert result.exit_code == 0, result.output
        line = Path("catalog", folder, f"stale-links-{kind}.yaml").read_text(encoding="utf-8").splitlines()[0]
        assert line == f"# yaml-language-server: $schema={expected}/{kind}.schema.json"
        assert Path("catalog", folder, line.split("=", 1)[1]).is_file()


def test_this_repository_keeps_its_schema_lines() -> None:
    """The shipped catalog's schemas live in the package (mkdocs.yml's schemas_dir)."""
    target = schema.project_schema_dir(REPO / "mkdocs.yml", REPO / "catalog")
    assert target == schema.SCHEMA_DIR
    line = schema.modeline("issue", REPO / "catalog" / "issues", target)
    assert line == schema.schema_line("issue", 1)
    assert line == "# yaml-language-server: $schema=../../generator/mlq_catalog/schemas/issue.schema.json"
    assert (REPO / "catalog" / "issues" / "noisy-labels.yaml").read_text(encoding="utf-8").startswith(line + "\n")
