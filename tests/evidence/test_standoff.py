"""Stand-off quotes: YAML excerpts found in their transcript, checked, and used exactly like inline quotes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from mlq_catalog.cli import main
from mlq_catalog.commands.generate import render_site
from mlq_catalog.evidence.curation.plans import CURATION_DIR
from mlq_catalog.evidence.standoff.matching import TranscriptIndex, normalise
from mlq_catalog.evidence.standoff.resolve import QUOTES_DIR
from mlq_catalog.evidence.validate import CheckedCatalog, check_catalog
from mlq_catalog.publish.export import export_json
from mlq_catalog.render.quotehtml import expand

from ..conftest import CATALOG, TEMPLATES

SEEDS_WITHOUT_CODES = ("interview-u1", "interview-05")


@pytest.fixture(scope="module")
def shipped() -> CheckedCatalog:
    return check_catalog(CATALOG)


def _write(catalog: Path, name: str, text: str) -> Path:
    path = catalog / QUOTES_DIR / name
    path.parent.mkdir(exist_ok=True)
    path.write_text(text, encoding="utf-8")
    # The shipped curation of the quotes this file replaces would name quotes that no longer exist.
    (catalog / CURATION_DIR / name).unlink(missing_ok=True)
    return path


def _messages(checked: CheckedCatalog, name: str) -> list[str]:
    return [p.format_text() for p in checked.problems if p.file.endswith(f"{QUOTES_DIR}/{name}")]


# --- The shipped catalog --------------------------------------------------------------------------


def test_shipped_catalog_is_clean_and_every_issue_has_a_quote(shipped: CheckedCatalog) -> None:
    assert shipped.catalog is not None and shipped.evidence is not None
    assert not shipped.problems, [p.format_text() for p in shipped.problems]
    for issue in shipped.catalog.issues.values():
        # Only an issue of the cited study may stand on the study alone (its page says so; test_study.py).
        assert shipped.evidence.quotes_by_entity.get(issue.id) or issue.study_ids, issue.id


@pytest.mark.parametrize("transcript", SEEDS_WITHOUT_CODES)
def test_seeds_without_codes_have_at_least_eight_interviewee_quotes(shipped: CheckedCatalog, transcript: str) -> None:
    assert shipped.catalog is not None and shipped.evidence is not None
    quotes = [q for q in shipped.evidence.quotes if q.transcript == transcript]
    assert len(quotes) >= 8
    assert shipped.loaded is not None
    loaded = shipped.loaded.transcripts[transcript]
    turns = loaded.parsed.turns
    for quote in quotes:
        assert quote.entities, quote.id
        turn = next(t for t in turns if any(p.line == quote.line for p in t.paragraphs))
        assert loaded.is_interviewee(turn.speaker), quote.id
        assert " ".join(quote.text.split()) in " ".join(turn.text.split())


def test_shipped_stand_off_quotes_name_nobody(shipped: CheckedCatalog) -> None:
    assert shipped.evidence is not None
    texts = " ".join(q.text for q in shipped.evidence.quotes if q.transcript in SEEDS_WITHOUT_CODES)
    for name in ("Kendra", "Amazon", "Azure", "symphony", "University X"):
        assert name not in texts


def test_stand_off_quotes_render_like_inline_quotes(shipped: CheckedCatalog) -> None:
    assert shipped.catalog is not None and shipped.evidence is not None
    site = render_site(shipped.catalog, shipped.evidence, TEMPLATES)
    page = expand(site.pages, "issues/label-drift.md")  # the page with its quote blocks in place
    assert 'id="interview-u1-l27"' in page
    assert "P36" in page
    assert "No interview quote supports this issue yet." not in page
    offline = expand(site.pages, "issues/offline-evaluation-gap.md")
    assert "P05" in offline and "we can&#x27;t actually measure unless we go online" in offline


def test_stand_off_quotes_count_like_inline_ones(shipped: CheckedCatalog) -> None:
    assert shipped.catalog is not None and shipped.evidence is not None
    evidence = shipped.evidence
    assert "P36" in evidence.participants_by_entity["label-drift"]
    assert "P05" in evidence.participants_by_entity["data-integration"]
    assert evidence.contexts_by_issue["data-integration"]["external-data"] >= 1
    data = json.loads(export_json(shipped.catalog, evidence))
    issue = next(i for i in data["issues"] if i["id"] == "topic-drift")
    assert issue["quote_count"] == len(evidence.quotes_by_entity["topic-drift"]) >= 2
    assert issue["participants"] == ["P36"]
    quote_ids = [q["id"] for q in data["quotes"]]
    assert len(quote_ids) == len(set(quote_ids))


# --- Matching ------------------------------------------------------------------------------------


def test_matching_ignores_line_breaks_spacing_and_curly_quotes(catalog_copy: Path) -> None:
    _write(
        catalog_copy,
        "interview-u1.yaml",
        (
            "transcript: interview-u1\n"
            "quotes:\n"
            "  - text: |-\n"
            "      Um, people\u2019s responses   are gonna be affected\n"
            "      by those incidents\n"
            "    codes: [Topic-drift]\n"
        ),
    )
    checked = check_catalog(catalog_copy)
    # Topic-drift is claimed by no entry, so the quote is loaded but not published.
    assert checked.loaded_evidence is not None
    quote = next(q for q in checked.loaded_evidence.quotes if q.codes == ("Topic-drift",))
    # The quote keeps the transcript's own characters.
    assert quote.text == "Um, people's responses are gonna be affected by those incidents"
    assert quote.line == 45


def test_start_and_end_phrases_select_the_passage_between_them(catalog_copy: Path) -> None:
    _write(
        catalog_copy,
        "interview-u1.yaml",
        (
            "quotes:\n"
            "  - start: So usually the people who do respond\n"
            "    end: A lot of the time it's negative.\n"
            "    entities: [sampling-bias]\n"
        ),
    )
    checked = check_catalog(catalog_copy)
    assert checked.evidence is not None
    quote = next(q for q in checked.evidence.quotes if q.transcript == "interview-u1")
    assert quote.text.startswith("So usually the people who do respond are people who maybe have something")
    assert quote.text.endswith("A lot of the time it's negative.")


def test_an_excerpt_over_two_paragraphs_of_one_turn_keeps_the_paragraph_break(catalog_copy: Path) -> None:
    _write(
        catalog_copy,
        "interview-05.yaml",
        (
            "quotes:\n"
            "  - start: Would someone actually click on it\n"
            "    end: set up the, the user, the UI and all of.\n"
            "    entities: [offline-evaluation-gap]\n"
        ),
    )
    checked = check_catalog(catalog_copy)
    assert not checked.errors, [p.format_text() for p in checked.errors]
    assert checked.evidence is not None
    quote = next(
        q for q in checked.evidence.quotes if q.transcript == "interview-05" and q.text.startswith("Would someone")
    )
    assert "\n\n" in quote.text and (quote.line, quote.end_line) == (357, 359)


def test_a_stand_off_code_on_an_inline_coded_turn_joins_its_segment(catalog_copy: Path) -> None:
    before = check_catalog(catalog_copy)
    _write(
        catalog_copy,
        "interview-43-more.yaml",  # beside the shipped interview-43.yaml
        (
            "transcript: interview-43\nquotes:\n"
            "  - text: then the labels might be dirty. The labels might not exist at all\n"
            "    codes: [Data-noisy-labels]\n"
        ),
    )
    after = check_catalog(catalog_copy)
    assert before.evidence is not None and after.evidence is not None
    assert after.evidence.code_counts["interview-43"] == before.evidence.code_counts["interview-43"]
    added = [
        q
        for q in after.evidence.quotes
        if q.text == "then the labels might be dirty. The labels might not exist at all"
    ]
    assert len(added) == 1
    assert added[0].id.startswith("interview-43-l") and added[0].id not in {q.id for q in before.evidence.quotes}


def test_index_is_built_once_and_finds_by_offset(shipped: CheckedCatalog) -> None:
    assert shipped.loaded is not None
    index = TranscriptIndex(shipped.loaded.transcripts["interview-u1"])
    needle = normalise("monitoring for data drift")
    position = index.text.find(needle)
    assert index.span_at(position).line == 179
    assert len(index.text) == len(index.display)


# --- Errors --------------------------------------------------------------------------------------

BAD_FILE = """\
quotes:
  - text: the human annotations changed over time
    entities: [label-drift]
  - text: Uh, so to start off, can you give us a bit of information
    entities: [label-drift]
  - text: A lot of the time it's negative. So we have overrepresentation of, um, maybe one kind of opinion.
    entities: [sampling-bias]
  - text: Um, people's responses are gonna be affected by those incidents
    entities: [noisy-labelz]
  - start: So usually the people who do respond
    end: it is mostly positive
    entities: [sampling-bias]
  - text: Okay, this meeting is being recorded.
    entities: [data-quality]
"""


@pytest.fixture
def bad(catalog_copy: Path) -> list[str]:
    _write(catalog_copy, "interview-u1.yaml", BAD_FILE)
    return _messages(check_catalog(catalog_copy), "interview-u1.yaml")


def test_missing_excerpt_reports_the_closest_passage_with_its_line(bad: list[str]) -> None:
    assert (
        "catalog/quotes/interview-u1.yaml:2:5: excerpt not found in catalog/transcripts/interview-u1.txt "
        "(whitespace and line breaks are ignored, case is not); closest passage at "
        "catalog/transcripts/interview-u1.txt:27"
    ) in "\n".join(bad)


def test_interviewer_words_are_refused(bad: list[str]) -> None:
    assert (
        "catalog/quotes/interview-u1.yaml:4:5: the excerpt at catalog/transcripts/interview-u1.txt:3 was said "
        "by a speaker who is not an interviewee; quotes are interviewee words only (see interviewee_labels) "
        "[quotes[1].text]"
    ) in bad


def test_excerpt_over_two_turns_is_refused(bad: list[str]) -> None:
    assert any(
        m.startswith(
            "catalog/quotes/interview-u1.yaml:6:5: the excerpt runs over more than one turn "
            "(catalog/transcripts/interview-u1.txt:39-41)"
        )
        for m in bad
    )


def test_unknown_entity_suggests_the_closest_id(bad: list[str]) -> None:
    assert (
        "catalog/quotes/interview-u1.yaml:9:16: unknown taxonomy id 'noisy-labelz' "
        "(did you mean 'noisy-labels'?) [quotes[3].entities[0]]"
    ) in bad


def test_missing_end_phrase_points_at_end(bad: list[str]) -> None:
    assert any(m.startswith("catalog/quotes/interview-u1.yaml:11:5: end phrase not found") for m in bad)


def test_category_is_not_quotable(bad: list[str]) -> None:
    assert any(
        "a category cannot support a quote" in m and m.startswith("catalog/quotes/interview-u1.yaml:14:") for m in bad
    )


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            "quotes:\n  - text: abc\n    start: abc\n    end: d\n    codes: [X-y]\n",
            "catalog/quotes/interview-u1.yaml:2:5: give either 'text' or 'start' and 'end', not both [quotes[0]]",
        ),
        (
            "quotes:\n  - start: abc\n    codes: [X-y]\n",
            "catalog/quotes/interview-u1.yaml:2:5: give the excerpt as 'text', or as both 'start' and 'end'"
            " [quotes[0]]",
        ),
        (
            "quotes:\n  - text: abc\n",
            "catalog/quotes/interview-u1.yaml:2:5: give 'codes' or 'entities' (or both) [quotes[0]]",
        ),
        (
            "quotes:\n  - text: abc\n    code: [X-y]\n",
            "catalog/quotes/interview-u1.yaml:3:5: unknown key 'code' (did you mean 'codes'?) [quotes[0].code]",
        ),
        (
            "transcript: interview-u2\nquotes:\n  - text: abc\n    codes: [X-y]\n",
            "catalog/quotes/interview-u1.yaml:1:1: unknown transcript 'interview-u2' (did you mean 'interview-u1'?) "
            "[transcript]",
        ),
    ],
)
def test_malformed_entries_give_one_located_line(catalog_copy: Path, body: str, expected: str) -> None:
    _write(catalog_copy, "interview-u1.yaml", body)
    assert expected in _messages(check_catalog(catalog_copy), "interview-u1.yaml")


def test_unclaimed_stand_off_code_is_a_warning_at_the_yaml_entry(catalog_copy: Path) -> None:
    _write(
        catalog_copy,
        "interview-u1.yaml",
        ("quotes:\n  - text: monitoring for data drift\n    codes: [MM-monitoring]\n"),
    )
    checked = check_catalog(catalog_copy)
    assert not checked.errors
    assert (
        "catalog/quotes/interview-u1.yaml:2: warning: code 'MM-monitoring' is not claimed by any taxonomy "
        "entry (1 segment(s))"
    ) in [p.format_text() for p in checked.warnings]


def test_validate_cli_fails_on_a_bad_excerpt(catalog_copy: Path) -> None:
    _write(catalog_copy, "interview-u1.yaml", BAD_FILE)
    result = CliRunner().invoke(main, ["validate", "--catalog", str(catalog_copy)])
    assert result.exit_code == 1
    assert "interview-u1.yaml:2:5: excerpt not found" in result.output
