"""Outside the repository: the built wheel alone starts a catalog and builds its site (issue 19).

The sdist and the wheel are built from the checkout (``python -m build``, the wheel from the sdist,
so the sdist is proved complete too) and ``twine check``-ed. The wheel is installed with
``--no-deps --no-index`` into a fresh venv in a temporary folder; the dependencies come from the
environment running the tests, added by a ``.pth`` file of plain paths. So the test needs no
network and takes seconds, the dependencies are exactly those the rest of the suite ran with, and
what is under test is the wheel: the venv imports ``mlq_catalog`` from its own site-packages, and
nothing of the checkout is on its path (asserted). A plain path line in a ``.pth`` file does not
run the ``.pth`` files of that folder, so an editable install of the checkout stays out.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from ..conftest import REPO
from ..sitecheck import unsafe_markup

pytestmark = pytest.mark.slow


def _run(*args: str | Path, cwd: Path, env: dict[str, str] | None = None) -> str:
    result = subprocess.run(
        [str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=600, check=False
    )
    assert result.returncode == 0, f"{' '.join(map(str, args))} failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout + result.stderr


def _outside_env(venv: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "MLQ_", "VIRTUAL_ENV"))}
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    env["NO_MKDOCS_2_WARNING"] = "1"
    return env


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, dict[str, str]]]:
    """A fresh venv, outside the checkout, holding only the built wheel (and its dependencies by path)."""
    work = tmp_path_factory.mktemp("outside")
    assert not work.resolve().is_relative_to(REPO)
    dist = work / "dist"
    _run(sys.executable, "-m", "build", "--no-isolation", "--outdir", dist, REPO, cwd=work)
    wheels, sdists = sorted(dist.glob("*.whl")), sorted(dist.glob("*.tar.gz"))
    assert len(wheels) == 1 and len(sdists) == 1, sorted(dist.iterdir())
    assert "PASSED" in _run(sys.executable, "-m", "twine", "check", "--strict", wheels[0], sdists[0], cwd=work)
    with zipfile.ZipFile(wheels[0]) as wheel:
        names = wheel.namelist()
        assert "mlq_catalog/defaults/templates/issue.md.j2" in names
        assert "mlq_catalog/defaults/project/_github/workflows/deploy.yml" in names
        # No text of the shipped catalog: not its subject anywhere, and not its ids in what projects get
        # (this repository's schemas suggest them; code comments may use them as examples).
        for name in names:
            if name.endswith(".dist-info/METADATA"):
                continue  # this repository's README, which is about its own catalog
            text = wheel.read(name).decode("utf-8", errors="replace")
            if not name.endswith("first-names.txt"):
                assert not re.search(r"ml quality|machine.learning|quality issue", text, re.I), name
            if not name.endswith(".py"):
                assert "noisy-labels" not in text, name

    venv = work / "venv"
    _run(sys.executable, "-m", "venv", "--without-pip", venv, cwd=work)
    site_packages = Path(
        _run(venv / "bin" / "python", "-c", "import sysconfig; print(sysconfig.get_path('purelib'))", cwd=work).strip()
    )
    dependency_paths = [
        p
        for p in sys.path
        if p.endswith(("site-packages", "dist-packages")) and not Path(p).resolve().is_relative_to(REPO)
    ]
    (site_packages / "_mlq_test_dependencies.pth").write_text("\n".join(dependency_paths) + "\n", encoding="utf-8")
    _run(
        sys.executable, "-m", "pip", "--python", venv / "bin" / "python", "install", "--no-deps", "--no-index",
        "--no-warn-script-location", wheels[0], cwd=work,
    )  # fmt: skip
    env = _outside_env(venv)
    where = _run(
        venv / "bin" / "python", "-c", "import mlq_catalog, sys; print(mlq_catalog.__file__)", cwd=work, env=env
    )
    assert Path(where.strip()).is_relative_to(site_packages), where
    paths = _run(venv / "bin" / "python", "-c", "import sys; print('\\n'.join(sys.path))", cwd=work, env=env)
    assert not [p for p in paths.split() if p and Path(p).resolve().is_relative_to(REPO)], paths
    yield venv, env


def _readme_commands(project: Path) -> list[str]:
    """The README's first code block, one command per line, without the install step (the wheel is in)."""
    readme = (project / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```bash\n(.*?)```", readme, re.DOTALL)
    assert block is not None
    commands = [c.strip() for line in block.group(1).splitlines() for c in line.split("&&")]
    return [c for c in commands if c and not c.startswith("pip install")]


def test_a_new_team_builds_a_site_from_the_wheel_alone(installed: tuple[Path, dict[str, str]]) -> None:
    venv, env = installed
    work = venv.parent
    out = _run(
        venv / "bin" / "mlq-catalog", "init", "team-catalog", "--no-input", "--title", "Documentation Upkeep",
        "--subject", "how teams keep documentation current", "--study-citation", "A. Author (2026). A study.",
        cwd=work, env=env,
    )  # fmt: skip
    assert "Created" in out
    project = work / "team-catalog"
    commands = _readme_commands(project)
    assert commands[0] == "mlq-catalog build --strict", commands  # README: build first, then the checks
    for command in commands:
        _run(venv / "bin" / shlex.split(command)[0], *shlex.split(command)[1:], cwd=project, env=env)

    site = project / "site"
    issues = sorted(p.stem for p in (project / "catalog" / "issues").glob("*.yaml"))
    assert len(issues) == 3
    for issue in issues:
        page = (site / "issues" / issue / "index.html").read_text(encoding="utf-8")
        assert 'class="mlq-quote"' in page, f"{issue}: no quote on its page"
    # Each of the four example transcripts (one per layout) gives at least one quote on the site.
    quotes = json.loads(next((site / "downloads").glob("catalog-*.json")).read_text(encoding="utf-8"))["quotes"]
    assert {q["transcript"] for q in quotes} == {"interview-1", "interview-2", "interview-3", "interview-4"}
    index = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    phrase = "spent an afternoon working out that the page was simply old"  # a WebVTT quote, stand-off coded
    assert any(phrase in doc["text"] for doc in index["docs"] if doc["location"].startswith("issues/"))
    downloads = {p.name for p in (site / "downloads").iterdir()}
    for name in ("catalog-0.1.0.json", "quotes-0.1.0.csv.zip", "catalog-0.1.0.qdpx", "CITATION-0.1.0.cff"):
        assert name in downloads, sorted(downloads)
    about = (site / "about" / "index.html").read_text(encoding="utf-8")
    assert "A. Author (2026). A study." in about
    assert (site / "export-format" / "index.html").is_file()  # a packaged page the downloads page links to
    assert (site / "stylesheets" / "mlq.css").is_file()
    # The schema lines of the project's YAML files point at the project's own schemas.
    first_line = (project / "catalog" / "issues" / "outdated-docs.yaml").read_text(encoding="utf-8").splitlines()[0]
    assert first_line == "# yaml-language-server: $schema=../../schemas/issue.schema.json"
    assert (project / "catalog" / "issues" / first_line.split("=", 1)[1]).resolve().is_file()
    assert unsafe_markup(site) == []  # the example text is data, never live markup
    workflows = {p.name for p in (project / ".github" / "workflows").iterdir()}
    assert workflows == {"validate.yml", "deploy.yml"}
    assert yaml.safe_load((project / ".github" / "workflows" / "validate.yml").read_text(encoding="utf-8"))


def test_the_second_example_builds_from_the_wheel(installed: tuple[Path, dict[str, str]]) -> None:
    """examples/code-review: another subject, its own words for issues and fixes, built strictly."""
    venv, env = installed
    project = venv.parent / "code-review"
    shutil.copytree(REPO / "examples" / "code-review", project)
    _run(venv / "bin" / "mlq-catalog", "validate", "--strict", cwd=project, env=env)
    _run(venv / "bin" / "mlq-catalog", "audit", cwd=project, env=env)
    _run(venv / "bin" / "mlq-catalog", "build", "--strict", cwd=project, env=env)
    site = project / "site"
    for issue in (project / "catalog" / "issues").glob("*.yaml"):
        page = (site / "issues" / issue.stem / "index.html").read_text(encoding="utf-8")
        assert 'class="mlq-quote"' in page, issue.stem
    home = (site / "index.html").read_text(encoding="utf-8")
    # The catalog's own words for interviewees, issues and fixes.
    assert "interviews</strong>, one reviewer each" in home
    assert "<strong>3 challenges</strong>" in home and "<strong>2 practices</strong>" in home
    assert "All practices" in (site / "fixes" / "index.html").read_text(encoding="utf-8")
    assert unsafe_markup(site) == []
    assert "Cite this challenge" in (site / "issues" / "slow-turnaround" / "index.html").read_text(encoding="utf-8")
    assert not re.search(r"machine.learning|\bML\b|practitioner", home, re.IGNORECASE)
