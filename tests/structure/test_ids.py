"""One id function: a transcript found in the folder and the REFI-QDA import agree on its id.

``structure.ids.id_from_name`` makes the id of a file in ``catalog/transcripts/`` that no entry
covers (the loader) and tells the import which ids those files hold, so that the ``interview-N``
it mints for a new source is never one of them.
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from mlq_catalog.cli import main
from mlq_catalog.ingest.loader import load_catalog
from mlq_catalog.ingest.refi.plan import existing_catalog
from mlq_catalog.structure.ids import id_from_name
from mlq_catalog.structure.model import ID_RE

from .. import qdpx_fixtures as qf
from ..conftest import CATALOG

LONG = "Interview with the head of data engineering about label drift " * 3

# name -> the id it must give; one member of each kind of name a researcher's files carry.
NAMES = {
    "Interview Müller": "interview-muller",  # accents fold to their letter
    "Zoë Ådám Çelik": "zoe-adam-celik",
    "Ørsted Łódź Straße": "orsted-lodz-strasse",  # letters NFKD does not decompose
    "日本語": "transcript-" + hashlib.sha1("日本語".encode()).hexdigest()[:8],  # nothing ASCII left: a hash
    "访谈 7": "transcript-7",
    "😀🎉": "transcript-" + hashlib.sha1("😀🎉".encode()).hexdigest()[:8],  # emoji only
    "Interview 😀 12": "interview-12",
    "Müller–Schmidt·2": "muller-schmidt-2",  # punctuation outside ASCII separates words too
    "!!! ???": "transcript-" + hashlib.sha1(b"!!! ???").hexdigest()[:8],  # punctuation only
    "   ": "transcript-" + hashlib.sha1(b"   ").hexdigest()[:8],  # blanks only
    "99 interview": "transcript-99-interview",  # an id starts with a letter
    "ＩＮＴＥＲＶＩＥＷ　４４": "interview-44",  # full-width letters are letters
    LONG: LONG.lower().replace(" ", "-")[:80].rstrip("-"),  # at most 80 characters
}


@pytest.mark.parametrize(("name", "expected"), NAMES.items(), ids=range(len(NAMES)))
def test_a_name_gives_a_valid_stable_id(name: str, expected: str) -> None:
    made = id_from_name(name)
    assert made == expected
    assert ID_RE.match(made) and len(made) <= 80 and not made.endswith("-")
    assert id_from_name(made) == made  # an id is its own id: a listed id never changes


def test_the_empty_name_and_names_without_letters_never_share_an_id() -> None:
    hashed = [id_from_name(name) for name in ("", "日本語", "中文", "😀", "😀😀", "!!!", "???")]
    assert len(set(hashed)) == len(hashed)
    assert all(made.startswith("transcript-") and len(made) == len("transcript-") + 8 for made in hashed)


def _transcript(number: int) -> str:
    return f"Interview {number}\n\nInterviewer\n\nHow do you label?\n\nInterviewee\n\nBy hand.\n\nData-noisy-labels\n"


def test_the_loader_and_the_import_give_a_file_the_same_id(tmp_path: Path) -> None:
    catalog = tmp_path / "catalog"
    shutil.copytree(CATALOG, catalog)
    seeds = set(load_catalog(catalog).catalog.transcripts)  # type: ignore[union-attr]
    names = [name for name in NAMES if name.strip()]
    for number, name in enumerate(names, start=60):
        (catalog / "transcripts" / f"{name}.txt").write_text(_transcript(number), encoding="utf-8")
    loaded = load_catalog(catalog).catalog
    assert loaded is not None
    found = {t.source.path.stem: tid for tid, t in loaded.transcripts.items() if tid not in seeds}
    assert found == {name: id_from_name(name) for name in names}
    # The import knows every one of those ids as taken.
    assert set(found.values()) <= existing_catalog(catalog).ids


def test_two_names_that_give_one_id_are_reported_and_the_import_avoids_it(tmp_path: Path) -> None:
    catalog = tmp_path / "catalog"
    shutil.copytree(CATALOG, catalog)
    for name in ("Interview Müller.txt", "interview muller.txt", LONG + "A.txt", LONG + "B.txt"):
        (catalog / "transcripts" / name).write_text(_transcript(70), encoding="utf-8")
    problems = [p.format_text() for p in load_catalog(catalog).problems if p.code == "duplicate-id"]
    assert [line.split(": ", 1)[0] for line in problems] == [
        f"catalog/transcripts/{LONG}B.txt",
        "catalog/transcripts/interview muller.txt",
    ]
    assert {"interview-muller", id_from_name(LONG)} <= existing_catalog(catalog).ids


@pytest.mark.parametrize(
    "file_name", ["Interview 44.txt", "INTERVIEW_44.txt", "interview–44 ✓.txt", "interview 44 ✓.txt", "Interview 44.md"]
)
def test_an_import_never_takes_the_id_of_a_file_in_the_folder(tmp_path: Path, file_name: str) -> None:
    """The seeds end at interview-43: an unlisted 'Interview 44' file holds interview-44, so the import takes 45."""
    catalog = tmp_path / "catalog"
    shutil.copytree(CATALOG, catalog)
    (catalog / "transcripts" / file_name).write_text(_transcript(44), encoding="utf-8")
    source = qf.Text("S", "the labels drift\n", [qf.Sel("the labels drift", ["Label drift"])])
    project = qf.build(
        tmp_path / "p.qdpx", origin="NVivo for Mac 12.7.0", codes=[qf.Code("Label drift")], sources=[source]
    )
    result = CliRunner().invoke(main, ["import", "qdpx", str(project), "--catalog", str(catalog)])
    assert result.exit_code == 0, result.output
    entries = yaml.safe_load((catalog / "transcripts.yaml").read_text(encoding="utf-8"))["transcripts"]
    assert (entries[-1]["id"], entries[-1]["participant"]) == ("interview-45", "P45")
    loaded = load_catalog(catalog).catalog
    assert loaded is not None and {"interview-44", "interview-45"} <= set(loaded.transcripts)
