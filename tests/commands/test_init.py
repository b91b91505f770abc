"""``mlq-catalog init``, the catalog's own words, and schemas that stay inside the project (issue 19)."""

from __future__ import annotations

import hashlib
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from mlq_catalog.cli import main
from mlq_catalog.commands.init import InitOptions, project_files
from mlq_catalog.publish import schema

from ..conftest import REPO


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
    written = len(project_files(InitOptions())) + len(schema.KINDS) - len(mine)
    assert output.splitlines()[-1].startswith(f"Created {written} files")


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
    assert f"1 of {len(schema.KINDS)} schemas changed in schemas" in result.output
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


def _with_meta(catalog: Path, extra: str) -> None:
    meta = catalog / "catalog.yaml"
    meta.write_text(meta.read_text(encoding="utf-8") + extra, encoding="utf-8")


def test_the_catalogs_words_replace_issue_fix_and_practitioner(catalog_copy: Path) -> None:
    from mlq_catalog.commands.generate import render_site
    from mlq_catalog.evidence.validate import check_catalog

    from ..conftest import TEMPLATES

    text = (catalog_copy / "catalog.yaml").read_text(encoding="utf-8")
    text = re.sub(r"(?ms)^(labels|facets):.*?(?=^\w)", "", text)  # drop the shipped words
    (catalog_copy / "catalog.yaml").write_text(text, encoding="utf-8")
    _with_meta(
        catalog_copy,
        "labels:\n  issue: challenge\n  issues: challenges\n  fix: practice\n  fixes: practices\n"
        "  participant: reviewer\n  participants: reviewers\n"
        # The issues' own facet stays defined, in words of its own.
        "facets:\n  quality-attribute:\n    title: Attribute\n",
    )
    checked = check_catalog(catalog_copy)
    assert checked.catalog is not None and checked.evidence is not None and not checked.errors, checked.errors
    site = render_site(checked.catalog, checked.evidence, TEMPLATES)
    pages = site.pages
    assert pages["issues/index.md"].startswith("# All challenges\n")
    assert pages["fixes/index.md"].startswith("# All practices\n")
    assert "Practices are what reviewers did about a challenge." in pages["fixes/index.md"]
    issue = pages["issues/noisy-labels.md"]
    for expected in (
        "## Practices\n",
        "## Related challenges\n",
        '??? quote "Cite this challenge"',
        "## What reviewers said",
    ):
        assert expected in issue, expected
    assert "## Challenges it addresses" in pages["fixes/lighter-models.md"]
    assert pages["overview/prevalence.md"].startswith("# Challenges by prevalence\n")
    assert "in which the challenge was raised: a challenge is raised" in pages["overview/prevalence.md"]
    assert "Challenges by number of interviews" in pages["overview/prevalence.md"]  # the chart's own title
    assert "Raised by a reviewer (1 of 5 interviews)" in pages["issues/dependency-management.md"]
    assert site.nav["issues"][0] == {"All challenges": "issues/index.md"}
    assert site.nav["fixes"][0] == {"All practices": "fixes/index.md"}
    assert list(site.nav["overview"][3]) == ["Challenges and their practices"]
    for page, text in pages.items():
        if page.endswith(".md") and not page.startswith(("issues/", "fixes/", "contexts/", "categories/")):
            assert "practitioner" not in text, page


@pytest.mark.parametrize(
    ("extra", "key"),
    [
        ("labels:\n  issue: <b>bug</b>\n", "labels.issue"),
        ("labels:\n  fixes: '[x](javascript:alert(1))'\n", "labels.fixes"),
        ("facets:\n  dimension:\n    title: 'a | b'\n", "facets.dimension.title"),
        ("pseudonym_prefix: p\n", "pseudonym_prefix"),
        ("facets:\n  colour: {title: Colour, values: ['<b>red</b>']}\n", "facets.colour"),
        ("facets:\n  Colour!: {title: Colour}\n", "facets"),
    ],
)
def test_catalog_words_are_plain_words(catalog_copy: Path, extra: str, key: str) -> None:
    text = (catalog_copy / "catalog.yaml").read_text(encoding="utf-8")
    text = re.sub(r"(?ms)^(labels|facets):.*?(?=^\w)", "", text)
    (catalog_copy / "catalog.yaml").write_text(text, encoding="utf-8")
    _with_meta(catalog_copy, extra)
    result = CliRunner().invoke(main, ["validate", "--catalog", str(catalog_copy)])
    assert result.exit_code == 1
    errors = [
        line for line in result.output.splitlines() if line.startswith("catalog.yaml:") or "catalog.yaml:" in line
    ]
    assert errors and key.split(".")[0] in errors[0], result.output


def test_a_disabled_facet_has_no_tags_and_no_page(catalog_copy: Path) -> None:
    from mlq_catalog.commands.generate import render_site
    from mlq_catalog.evidence.validate import check_catalog

    from ..conftest import TEMPLATES

    text = (catalog_copy / "catalog.yaml").read_text(encoding="utf-8")
    text = re.sub(r"(?ms)^  dimension:\n.*?(?=^\S)", "", text)  # the shipped settings of the facet
    text = text.replace(
        "facets:\n", "facets:\n  dimension:\n    enabled: false\n  data-type:\n    title: Kind of data\n"
    )
    (catalog_copy / "catalog.yaml").write_text(text, encoding="utf-8")
    checked = check_catalog(catalog_copy)
    assert checked.catalog is not None and checked.evidence is not None and not checked.errors, checked.errors
    site = render_site(checked.catalog, checked.evidence, TEMPLATES)
    assert "browse/dimension.md" not in site.pages
    assert "browse/data-type.md" in site.pages
    assert site.pages["browse/data-type.md"].startswith("# Issues by kind of data\n")
    assert "Dimension:" not in site.pages["issues/noisy-labels.md"]
    assert "Data quality:" not in site.pages["issues/noisy-labels.md"]
    # The configured facets in catalog.yaml's order, then the built-in ones it does not name.
    assert [next(iter(item)) for item in site.nav["browse"][1:]] == [
        "Kind of data",
        "Quality attribute",
        "Lifecycle stage",
        "Collection method",
    ]


def test_the_projects_workflows_and_hooks_run_commands_that_pass(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every mlq-catalog command the new project's CI and pre-commit run succeeds on the project as written."""
    import shlex

    import yaml

    assert _init(str(tmp_path / "p"))[0] == 0
    project = tmp_path / "p"
    commands: list[str] = []
    for name in ("validate.yml", "deploy.yml"):
        workflow = yaml.safe_load((project / ".github" / "workflows" / name).read_text(encoding="utf-8"))
        commands += [step["run"] for job in workflow["jobs"].values() for step in job.get("steps", []) if "run" in step]
    hooks = yaml.safe_load((project / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    commands += [hook["entry"] for repo in hooks["repos"] for hook in repo["hooks"]]
    assert "pip install -r requirements.txt" in commands
    assert (project / "requirements.txt").read_text(encoding="utf-8").startswith("mlq-catalog==")
    ours = sorted({c for c in commands if c.startswith("mlq-catalog ")})
    assert len(ours) >= 4, ours  # validate, audit, schema --check, build
    monkeypatch.chdir(project)
    for command in ours:
        result = CliRunner().invoke(main, shlex.split(command)[1:])
        assert result.exit_code == 0, f"{command}: {result.output}"


def test_the_second_examples_schemas_follow_the_models(monkeypatch: pytest.MonkeyPatch) -> None:
    """examples/code-review commits its schemas like any project: after a model change, run
    ``mlq-catalog schema`` in that folder too."""
    monkeypatch.chdir(REPO / "examples" / "code-review")
    result = CliRunner().invoke(main, ["schema", "--check"])
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("label", ["Interviewee", "Participant 1", "Developer", "Team member", "Entwickler"])
def test_any_interviewee_label_gives_a_project_whose_checks_pass(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, label: str
) -> None:
    """The README's checks and the strict build pass at once, whatever --interviewee-label names."""
    assert _init(str(tmp_path / "p"), "--interviewee-label", label)[0] == 0
    monkeypatch.chdir(tmp_path / "p")
    for command in (["validate", "--strict"], ["audit"], ["build", "--strict"]):
        result = CliRunner().invoke(main, command)
        assert result.exit_code == 0, f"{command}: {result.output}"
    captions = Path("catalog", "transcripts", "interview-4.srt").read_text(encoding="utf-8")
    assert f"\n{label}: That is exactly the problem." in captions
    for issue in ("outdated-docs", "missing-ownership", "unclear-audience"):
        assert 'class="mlq-quote"' in Path("site", "issues", issue, "index.html").read_text(encoding="utf-8")
