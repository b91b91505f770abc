"""Issue 17: curation (catalog/curation/), quote quality checks, clean verbatim; shipped catalog and planted edits."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from mlq_catalog.cli import main
from mlq_catalog.commands.generate import render_site
from mlq_catalog.evidence.curation.verbatim import OMITTED, clean_verbatim, quality
from mlq_catalog.evidence.validate import CheckedCatalog, check_catalog
from mlq_catalog.publish.export import catalog_to_dict, export_csv
from mlq_catalog.render.quotehtml import expand

from ..conftest import CATALOG, TEMPLATES
from ..conftest_site import built_site

# The known cases, by the JSON export's quote ids (section 6).
OFF_TOPIC = {
    "interview-35-l45": "artefact-management",
    "interview-35-l83": "metrics-meaningless-to-stakeholders",
    "interview-43-l445": "data-drift",
    "interview-43-l451": "data-drift",
    "interview-34-l63": "missing-values",
    "interview-34-l75": "missing-values",
}
INTERVIEWER = {
    "interview-34-l53",
    "interview-34-l69",
    "interview-35-l313",
    "interview-43-l129",
    "interview-43-l389",
    "interview-43-l537",
    "interview-43-l661",
}
FILLER = {"interview-35-l327", "interview-43-l341"}
FIXES_WITHOUT_QUOTES = (
    "drop-incomplete-records",
    "labelling-protocol",
    "model-based-imputation",
    "publish-code-and-requirements",
    "repeated-resampling",
)


@pytest.fixture(scope="module")
def shipped() -> CheckedCatalog:
    return check_catalog(CATALOG)


# --- the shipped catalog -------------------------------------------------------------------------


def test_shipped_curation_is_clean(shipped: CheckedCatalog) -> None:
    assert not shipped.errors
    assert not [p for p in shipped.problems if p.code.startswith(("quote-", "curation-"))]


def test_no_quote_on_a_page_fails_a_check_unless_a_curation_entry_keeps_it(shipped: CheckedCatalog) -> None:
    assert shipped.evidence is not None and shipped.curation is not None
    kept = {d.quote.id for d in shipped.curation.decisions if d.action == "kept"}
    assert shipped.evidence.quotes
    for quote in shipped.evidence.quotes:
        failed = quality(clean_verbatim(quote.display), quote.display)
        assert not failed or quote.id in kept, (quote.id, [c.message for c in failed])
    # Every keep says why, and names the entry that keeps it.
    for decision in shipped.curation.reasons():
        assert decision.reason and re.fullmatch(
            r"catalog/(curation/[\w-]+\.yaml|transcripts/[\w.-]+):\d+", decision.where
        )


def test_the_known_cases_are_off_the_pages_they_were_on(shipped: CheckedCatalog) -> None:
    assert shipped.evidence is not None
    shown = {q.id: q for q in shipped.evidence.quotes}
    for quote_id in INTERVIEWER | FILLER:
        assert quote_id not in shown, quote_id
    for quote_id, entry in OFF_TOPIC.items():
        assert quote_id not in {q.id for q in shipped.evidence.quotes_by_entity[entry]}, quote_id


def test_the_strong_noisy_label_passages_and_every_fix_have_quotes(shipped: CheckedCatalog) -> None:
    assert shipped.evidence is not None
    noisy = {q.id for q in shipped.evidence.quotes_by_entity["noisy-labels"]}
    assert {"interview-43-l117", "interview-43-l125", "interview-35-l185", "interview-35-l189"} <= noisy
    for fix in FIXES_WITHOUT_QUOTES:
        assert shipped.evidence.quotes_by_entity[fix], fix
    assert {fix for fix in shipped.catalog.fixes if not shipped.evidence.quotes_by_entity[fix]} == set()  # type: ignore[union-attr]


def test_known_speech_recognition_slips_are_glossed(shipped: CheckedCatalog) -> None:
    assert shipped.evidence is not None
    shown = {q.id: clean_verbatim(q.display) for q in shipped.evidence.quotes}
    assert "music value [missing value]" in shown["interview-34-l45"]
    assert "amputation [annotation]" in shown["interview-43-l117"]
    assert (
        "snowboard [stop words] and using limitation [lemmatisation] and steaming [stemming]"
        in shown["interview-34-l75"]
    )


def test_report_lists_every_excluded_hidden_or_kept_quote_with_its_reason() -> None:
    from bench.curation_report import main as report

    text = report(CATALOG)
    for quote_id in INTERVIEWER | FILLER | {"interview-43-l445", "interview-43-l451"}:
        row = next(line for line in text.splitlines() if line.startswith(f"| {quote_id} |"))
        assert "| excluded |" in row and row.split("|")[3].strip()
    assert "| noisy-labels | 5 | 7 |" in text


# --- every kind of edit, on a copy ---------------------------------------------------------------

CURATION = """\
entries:
  - quote: interview-34-l45
    gloss: [{phrase: music value, means: missing value}]
  - quote: interview-34-l37
    gloss: [{phrase: garbage in, means: rubbish in, replace: true}]
  - quote: interview-43-l199
    trim:
      - {start: So in my opinion when you, end: this is a frequent problem.}
      - {start: well there are multiple ways, end: "which has problem."}
  - quote: interview-43-l433
    exclude: planted reason zqreasonzq
  - lines: [439, 452]
    speaker: interviewer
  - quote: interview-43-l583
    recode: {remove: [anonymisation-and-synthetic-data], add: [unfairness]}
"""


def _plant(catalog: Path, name: str, text: str) -> None:
    (catalog / "curation" / name).write_text(text, encoding="utf-8")


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, CheckedCatalog]:
    catalog = tmp_path_factory.mktemp("curation") / "catalog"
    shutil.copytree(CATALOG, catalog)
    _plant(catalog, "interview-34.yaml", "\n".join(CURATION.splitlines()[:5]) + "\n")
    _plant(catalog, "interview-43.yaml", "entries:\n" + "\n".join(CURATION.splitlines()[5:]) + "\n")
    checked = check_catalog(catalog)
    assert not checked.errors, [p.format_text() for p in checked.errors]
    return catalog, checked


def _page(checked: CheckedCatalog, page: str) -> str:
    assert checked.catalog is not None and checked.evidence is not None
    site = render_site(checked.catalog, checked.evidence, TEMPLATES)
    return expand(site.pages, page)


def _figure(page: str, quote_id: str) -> str:
    start = page.index(f'id="{quote_id}"')
    return page[start : page.index("</figure>", start)]


def test_each_edit_shows_on_the_page(planted: tuple[Path, CheckedCatalog]) -> None:
    _, checked = planted
    outliers = _page(checked, "issues/outliers.md")
    glossed = _figure(outliers, "interview-34-l45")
    assert "music value [missing value]" in glossed.split("<details")[0]
    replaced = _figure(outliers, "interview-34-l37")
    assert "[rubbish in]" in replaced.split("<details")[0] and "garbage in" not in replaced.split("<details")[0]
    assert "garbage in" in replaced.split("<details")[1]  # the verbatim words, one click away

    checks = _page(checked, "fixes/data-validation-checks.md")
    trimmed = _figure(checks, "interview-43-l199").split("<details")[0]
    assert f"this is a frequent problem. {OMITTED} well there are multiple ways" in trimmed
    assert "how do you address it" not in trimmed  # the interviewer's words the trim left out

    drift = _page(checked, "issues/data-drift.md")
    assert 'id="interview-43-l433"' not in drift  # excluded
    assert 'id="interview-43-l439"' not in drift and 'id="interview-43-l445"' not in drift  # speaker corrected
    assert "zqreasonzq" not in drift

    unfair = _page(checked, "issues/unfairness.md")
    assert 'id="interview-43-l583"' in unfair
    assert 'id="interview-43-l583"' not in _page(checked, "fixes/anonymisation-and-synthetic-data.md")


def test_each_edit_is_in_the_exports_with_the_verbatim_text(planted: tuple[Path, CheckedCatalog]) -> None:
    _, checked = planted
    assert checked.catalog is not None and checked.evidence is not None
    data = catalog_to_dict(checked.catalog, checked.evidence)
    quotes = {q["id"]: q for q in data["quotes"]}
    glossed = quotes["interview-34-l45"]
    assert "music value, uh" in glossed["text"] or "music value" in glossed["text"]
    assert "[missing value]" not in glossed["text"] and "music value [missing value]" in glossed["shown"]
    assert glossed["edits"] == ['gloss: "music value" means [missing value] (shown after it)']
    trimmed = quotes["interview-43-l199"]
    assert "how do you address it?" in trimmed["text"] and OMITTED in trimmed["shown"]
    assert trimmed["edits"][0].startswith("trim: shows 2 spans")
    recoded = quotes["interview-43-l583"]
    assert "unfairness" in recoded["entities"] and "anonymisation-and-synthetic-data" not in recoded["entities"]
    assert "unfairness" in recoded["codes"] and "unfairness" not in recoded["original_codes"]
    assert set(recoded["original_codes"]) - set(recoded["codes"]), recoded  # the code it was moved from is kept
    for gone in ("interview-43-l433", "interview-43-l439", "interview-43-l445"):
        assert gone not in quotes
    assert "zqreasonzq" not in json.dumps(data)
    rows = {row["quote_id"]: row for row in csv.DictReader(io.StringIO(export_csv(checked.catalog, checked.evidence)))}
    assert rows["interview-34-l45"]["shown"] == glossed["shown"] and rows["interview-34-l45"]["text"] == glossed["text"]
    assert "gloss:" in rows["interview-34-l45"]["edits"]


WRONG = [
    (
        "entries:\n  - quote: interview-34-l45\n    gloss: [{phrase: musik valve, means: missing value}]\n",
        'interview-34.yaml:3:14: gloss phrase "musik valve" is not in quote interview-34-l45',
        'closest passage: "music value,"',
    ),
    (
        "entries:\n  - quote: interview-34-l45\n    trim: [when I review the date]\n",
        'interview-34.yaml:3:12: trim span "when I review the date" is not in quote interview-34-l45',
        'closest passage: "when I review the data,"',  # in clean verbatim: "when I, uh, review, uh, the data"
    ),
    (
        "entries:\n  - quote: interview-34-l45\n    trim: [{start: I take the rang, end: negative.}]\n",
        'trim start phrase "I take the rang" is not in quote interview-34-l45',
        'closest passage: "I take the range"',
    ),
    (
        "entries:\n  - quote: interview-34-l45\n    trim: [{start: I take the range, end: the outlires.}]\n",
        'trim end phrase "the outlires." is not in quote interview-34-l45 after the start phrase',
        "closest passage:",
    ),
    (
        "entries:\n  - quote: interview-34-l46\n    exclude: off-topic\n",
        "interview-34.yaml:2:5: no quote 'interview-34-l46' in transcript 'interview-34'",
        "the nearest quote is 'interview-34-l45'",
    ),
    (
        "entries:\n  - quote: interview-34-l45\n    recode: {remove: [Data-outlier]}\n",
        "carries no code or entry 'Data-outlier'",
        "did you mean 'outliers'?",
    ),
    (
        "entries:\n  - quote: interview-34-l45\n    recode: {add: [outlier]}\n",
        "unknown taxonomy id 'outlier'",
        "did you mean 'outliers'?",
    ),
    (
        "entries:\n  - lines: [2, 3]\n    exclude: nothing there\n",
        "no quote starts in lines 2-3 of catalog/transcripts/interview-34.txt",
        "[entries[0].lines]",
    ),
    (
        "transcript: interview-344\nentries:\n  - quote: interview-344-l45\n    exclude: x\n",
        "unknown transcript 'interview-344' (did you mean 'interview-34'?)",
        "interview-34.yaml:1:1:",
    ),
    (
        "entries:\n  - quote: interview-34-l45\n    exclude: x\n    keep: y\n",
        "give either 'exclude' or 'keep', not both",
        "interview-34.yaml:2:5:",
    ),
    (
        "entries:\n  - quote: interview-34-l45\n    glos: [{phrase: a, means: b}]\n",
        "unknown key 'glos' (did you mean 'gloss'?)",
        "interview-34.yaml:3:5:",
    ),
]


@pytest.mark.parametrize(("body", "message", "detail"), WRONG)
def test_a_wrong_edit_is_one_located_line(catalog_copy: Path, body: str, message: str, detail: str) -> None:
    _plant(catalog_copy, "interview-34.yaml", body)
    result = CliRunner().invoke(main, ["validate", "--catalog", str(catalog_copy)])
    assert result.exit_code == 1
    errors = [line for line in result.output.splitlines() if ": warning:" not in line and "curation/" in line]
    assert len(errors) == 1, result.output
    assert message in errors[0] and detail in errors[0], errors[0]
    assert errors[0].startswith("catalog/curation/interview-34.yaml:") and "Traceback" not in result.output


def test_a_stale_keep_is_a_warning_and_a_kept_quote_is_shown(catalog_copy: Path) -> None:
    _plant(catalog_copy, "interview-34.yaml", "entries:\n  - quote: interview-34-l45\n    keep: planted\n")
    _plant(
        catalog_copy,
        "interview-43.yaml",
        "entries:\n  - quote: interview-43-l537\n    keep: planted, though it is only thanks\n",
    )
    checked = check_catalog(catalog_copy)
    assert checked.evidence is not None
    stale = [p for p in checked.problems if p.code == "curation-keep-unneeded"]
    assert [(p.file, p.line) for p in stale] == [("catalog/curation/interview-34.yaml", 2)]
    assert "interview-43-l537" in {q.id for q in checked.evidence.quotes}


# --- the checks apply to every kind of quote -----------------------------------------------------


def test_short_or_interviewer_like_stand_off_quotes_are_hidden_with_a_located_warning(catalog_copy: Path) -> None:
    (catalog_copy / "quotes" / "interview-43.yaml").write_text(
        "quotes:\n"
        "  - text: Sure. Yeah.\n    entities: [outliers]\n"
        "  - text: have you ever used external data, so public data set, third party, p i or web, web scrape data?\n"
        "    entities: [outliers]\n"
        "  - text: the labels might be dirty. The labels might not exist at all, which means you might have missing"
        " labels.\n    entities: [outliers]\n",
        encoding="utf-8",
    )
    checked = check_catalog(catalog_copy)
    assert checked.evidence is not None
    outliers = [q.text for q in checked.evidence.quotes_by_entity["outliers"] if q.transcript == "interview-43"]
    assert outliers == [
        "the labels might be dirty. The labels might not exist at all, which means you might have missing labels."
    ]
    codes = sorted(
        p.code for p in checked.problems if p.file == "catalog/transcripts/interview-43.txt" and p.line in (99, 129)
    )
    assert codes == ["quote-filler", "quote-interviewer"]
    assert all(p.line for p in checked.problems if p.code.startswith("quote-"))


@pytest.mark.parametrize(
    "text",
    [
        "I see.",
        "ı",
        "the issue?",
        "Okay. Okay. Nice. Perfect. Well, thanks.",
        "I see, I see. Thank you. Yeah.",
        "mm-hmm. Right. Sure.",
        "that that's how we address the process.",
    ],
)
def test_filler_is_caught(text: str) -> None:
    assert "quote-filler" in {c.code for c in quality(clean_verbatim(text), text)}


@pytest.mark.parametrize(
    "text",
    [
        "Okay. Can you tell me some of the issues you had with",
        "So what about the data you collected from those sensors for the project?",
        "Thank you. have you ever used external data, so public data set, third party, p i or web scrape data?",
        "And how did you make sure that the labels from the different annotators agreed with each other?",
        "Could you describe how the team decided which of the records to remove from the data set?",
        "Perfect. Let's move to the deployment of the models that you trained on those data sets.",
    ],
)
def test_interviewer_speech_is_caught(text: str) -> None:
    assert "quote-interviewer" in {c.code for c in quality(clean_verbatim(text), text)}


@pytest.mark.parametrize(
    "text",
    [
        "So I take the range between 20 to 60 and the model prediction gives me a negative value.",
        "What did we do? We removed the whole record whenever one of its fields was missing.",
        "We used three different smartphones, different models and brands, to have variability in the data.",
    ],
)
def test_a_participant_s_answer_passes(text: str) -> None:
    assert quality(clean_verbatim(text), text) == []


def test_mid_sentence_warns_with_a_trim_and_does_not_hide() -> None:
    text = "the data was noisy. We relabelled every image by hand over two weeks. And then we"
    checks = quality(clean_verbatim(text), text)
    assert [c.code for c in checks] == ["quote-fragment"] and not checks[0].hides
    assert "starts and ends mid-sentence" in checks[0].message
    assert 'suggested trim: [{start: "We relabelled every image", end: "hand over two weeks."}]' in checks[0].message


# --- clean verbatim -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("verbatim", "clean"),
    [
        ("we, uh, removed it", "we removed it"),
        ("Um, so we did it.", "so we did it."),
        ("and uhm the data, er, changed, ah, a lot", "and the data changed a lot"),
        ("we did it. Um. Then we left.", "we did it. Then we left."),
        ("with, with the, the labels", "with the labels"),
        ("I, I, I think it it works", "I think it works"),
        ("music value [missing value] and, uh, [um]", "music value [missing value] and [um]"),
        (
            "an umbrella, a human error, an album and Ahmed's hummus",
            "an umbrella, a human error, an album and Ahmed's hummus",
        ),
        ("one. . two,  three", "one. . two,  three"),
        ("first paragraph, um.\n\nUh, second paragraph", "first paragraph.\n\nsecond paragraph"),
    ],
)
def test_clean_verbatim_removes_disfluencies_and_repeats_and_nothing_else(verbatim: str, clean: str) -> None:
    assert clean_verbatim(verbatim) == clean


def test_pages_show_clean_verbatim_and_search_finds_either_form(tmp_path_factory: pytest.TempPathFactory) -> None:
    site = built_site(tmp_path_factory.getbasetemp() / "mlq-site")
    page = (site / "fixes" / "lighter-models" / "index.html").read_text(encoding="utf-8")
    figure = page[page.index('id="interview-35-l343"') :]
    figure = figure[: figure.index("</figure>")]
    shown, verbatim = figure.split('<details class="mlq-verbatim">')
    assert "that was specifically developed by Google" in shown and " um" not in shown.casefold()
    assert "Verbatim" in verbatim and "Uh, that was specifically, um, developed by Google" in verbatim
    index = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    text = " ".join(doc["text"] for doc in index["docs"])
    assert "that was specifically developed by Google" in text
    assert "Uh, that was specifically, um, developed by Google" in text


def test_a_speaker_correction_to_the_interviewee_makes_the_coded_turn_a_quote(catalog_copy: Path) -> None:
    before = check_catalog(catalog_copy)
    assert before.loaded_evidence is not None
    assert "interview-34-l93" not in {q.id for q in before.loaded_evidence.quotes}  # labelled "Interviewer 1"
    _plant(
        catalog_copy,
        "interview-34.yaml",
        "entries:\n  - lines: [93, 93]\n    speaker: interviewee\n    keep: planted, to see the turn become a quote\n",
    )
    checked = check_catalog(catalog_copy)
    assert not checked.errors and checked.evidence is not None and checked.catalog is not None
    [quote] = [q for q in checked.evidence.quotes if q.id == "interview-34-l93"]
    assert quote.entities == ("web-scraping",) and quote.edits[0].startswith("speaker:")
    assert quote in checked.evidence.quotes_by_entity["web-scraping"]
    exported = {q["id"]: q for q in catalog_to_dict(checked.catalog, checked.evidence)["quotes"]}
    assert exported["interview-34-l93"]["edits"] == list(quote.edits)
