"""The catalog stands on its study (issue 20): the study's issues as entries, facets and the study reference
as configuration, honest counts from one source, provenance per quote, Interview 36."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from mlq_catalog.commands.generate import render_site
from mlq_catalog.evidence.validate import CheckedCatalog, check_catalog
from mlq_catalog.publish.downloads import citation_cff
from mlq_catalog.render.livenumbers import catalog_counts, expand_placeholders
from mlq_catalog.render.overview import SHARE_FROM, interviews_phrase
from mlq_catalog.structure.evidence import Quote
from mlq_catalog.text.mdsafe import md_inline

from ..conftest import CATALOG, REPO, TEMPLATES

# The study's eighteen issues (Côté et al. 2024, replication package's questionnaire analysis), by attribute.
STUDY_ISSUES = {
    "I1.1": "Evaluability",
    "I1.2": "Evaluability",
    "I1.3": "Evaluability",
    "I1.4": "Evaluability",
    "I2.1": "Explainability",
    "I2.2": "Explainability",
    "I3.1": "Debuggability",
    "I3.2": "Debuggability",
    "I3.3": "Debuggability",
    "I4.1": "Efficiency",
    "I4.2": "Efficiency",
    "I4.3": "Efficiency",
    "I5.1": "Maintainability",
    "I5.2": "Maintainability",
    "I5.3": "Maintainability",
    "I6.1": "Reliability",
    "I6.2": "Reliability",
    "I6.3": "Reliability",
}
DOI = "10.1007/s10664-024-10536-7"
STUDY_DIMENSIONS = {"completeness", "clarity", "uniqueness", "validity"}


def _hand_written(name: str, checked: CheckedCatalog) -> str:
    assert checked.catalog is not None and checked.evidence is not None
    return expand_placeholders((REPO / "docs" / name).read_text(encoding="utf-8"), checked.catalog, checked.evidence)


# --- 1. The taxonomy matches the study -------------------------------------------------------------------


def test_every_study_issue_has_an_entry_with_its_id_and_attribute(checked: CheckedCatalog) -> None:
    catalog = checked.catalog
    assert catalog is not None
    carriers: dict[str, list[str]] = {}
    for issue in catalog.issues.values():
        for sid in issue.study_ids:
            carriers.setdefault(sid, []).append(issue.id)
            # The entry's quality attribute is the study's for that id (configuration, not code).
            assert STUDY_ISSUES[sid] in issue.facets.get("quality-attribute", []), (issue.id, sid)
    assert set(carriers) == set(STUDY_ISSUES), set(STUDY_ISSUES) - set(carriers)


def test_the_issues_the_seeds_support_have_quotes_from_those_participants(checked: CheckedCatalog) -> None:
    evidence = checked.evidence
    assert evidence is not None
    expected = {
        "dependency-management": {"P43"},
        "unstable-data-providers": {"P43", "P05"},
        "judging-dataset-quality": {"P43", "P35"},
    }
    for issue_id, participants in expected.items():
        assert evidence.participants_by_entity[issue_id] == participants, issue_id


def test_an_issue_without_quotes_says_so_and_cites_the_study(checked: CheckedCatalog, pages: dict[str, str]) -> None:
    catalog, evidence = checked.catalog, checked.evidence
    assert catalog is not None and evidence is not None
    quoteless = [i for i in catalog.issues.values() if not evidence.quotes_by_entity.get(i.id)]
    assert quoteless, "the shipped catalog has study issues no published interview raises"
    for issue in quoteless:
        page = pages[f"issues/{issue.id}.md"]
        assert issue.study_ids, f"{issue.id}: only the study's issues may stand without a quote"
        assert "Reported by the study" in page and "no quote in this catalog's interviews yet" in page
        assert "Quality issues in machine learning software systems" in page  # cited, not just named
        assert "1 of" not in page and "published quote" not in page  # not padded with evidence it lacks
    quoted = next(i for i in catalog.issues.values() if evidence.quotes_by_entity.get(i.id) and i.study_ids)
    assert "Reported by the study" not in pages[f"issues/{quoted.id}.md"]


def test_data_quality_issues_carry_the_study_dimension(checked: CheckedCatalog) -> None:
    catalog = checked.catalog
    assert catalog is not None
    data_quality = [i for i in catalog.issues.values() if i.category == "data-quality"]
    assert len(data_quality) >= 5
    for issue in data_quality:
        assert issue.tags.dimension, issue.id
        assert set(issue.tags.dimension) <= STUDY_DIMENSIONS, issue.id
    # The dimension facet now holds only the study's data-quality dimensions, so no other issue borrows it.
    for issue in catalog.issues.values():
        assert set(issue.tags.dimension) <= STUDY_DIMENSIONS, issue.id


def test_misplaced_entries_are_fixed(checked: CheckedCatalog) -> None:
    catalog = checked.catalog
    assert catalog is not None
    assert catalog.issues["data-privacy"].category != "model-quality"
    assert "model-quality" not in catalog.issues["data-privacy"].tags.lifecycle
    reproducibility = catalog.issues["poor-reproducibility"]
    assert "model-quality" not in [reproducibility.category, *reproducibility.tags.lifecycle]
    assert "reproducibility" not in catalog.categories["model-quality"].summary
    assert "sampling-bias" not in catalog.fixes["blind-fairness-audits"].addresses


def test_facets_are_configuration_and_tag_issue_pages(checked: CheckedCatalog, pages: dict[str, str]) -> None:
    assert "Attribute: Reliability" in pages["issues/data-drift.md"].split("---")[1]
    assert "Data quality: Completeness" in pages["issues/missing-values.md"].split("---")[1]
    browse = pages["browse/quality-attribute.md"]
    # In the configured order, not alphabetically.
    order = [browse.index(f"Attribute: {a}") for a in ("Evaluability", "Explainability", "Reliability")]
    assert order == sorted(order)


def test_code_holds_no_word_of_the_study() -> None:
    words = re.compile(
        r"Evaluability|Debuggability|Maintainability|Côté|Khomh|10\.1007|I6\.1|quality-attribute|"
        r"poclecoqq|uniqueness",
        re.IGNORECASE,
    )
    package = REPO / "generator" / "mlq_catalog"
    offenders = [
        f"{path.relative_to(REPO)}:{n}"
        for path in sorted(package.rglob("*"))
        if path.is_file() and path.suffix in (".py", ".j2", ".json", ".md", ".yaml", ".txt")
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if words.search(line)
    ]
    assert offenders == []


def test_an_unknown_facet_or_value_is_an_error_naming_file_and_line(catalog_copy: Path) -> None:
    path = catalog_copy / "issues" / "data-drift.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("    - Reliability", "    - Relyability"), encoding="utf-8")
    other = catalog_copy / "issues" / "outliers.yaml"
    other.write_text(other.read_text(encoding="utf-8") + "facets:\n  audience: [Newcomers]\n", encoding="utf-8")
    messages = [p.format_text() for p in check_catalog(catalog_copy).problems]
    assert any(
        re.match(r".*issues/data-drift\.yaml:\d+:\d+: 'Relyability' is not a value of facet 'quality-attribute'", m)
        for m in messages
    ), messages
    assert any(re.match(r".*issues/outliers\.yaml:\d+:\d+: unknown facet 'audience'", m) for m in messages), messages


def test_an_own_facet_needs_a_title(catalog_copy: Path) -> None:
    path = catalog_copy / "catalog.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("    title: Quality attribute\n", ""), encoding="utf-8")
    messages = [p.format_text() for p in check_catalog(catalog_copy).problems]
    assert any("catalog.yaml" in m and "facet 'quality-attribute' needs a 'title'" in m for m in messages), messages


# --- 2. Honest evidence ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("k", "n", "expected"),
    [
        (0, 5, "in none of the 5 interviews"),
        (1, 5, "by a practitioner (1 of 5 interviews)"),
        (2, 5, "in 2 of 5 interviews"),
        (5, 5, "in 5 of 5 interviews"),
        (3, SHARE_FROM - 1, f"in 3 of {SHARE_FROM - 1} interviews"),
        (5, 20, "in 5 of 20 interviews, 25%"),
        (1, 40, "by a practitioner (1 of 40 interviews, 2%)"),
    ],
)
def test_counts_read_k_of_n_interviews(k: int, n: int, expected: str) -> None:
    assert interviews_phrase(k, n, "a practitioner") == expected


def test_no_page_gives_a_percentage_of_five_or_a_plural_for_one(pages: dict[str, str]) -> None:
    for path, text in pages.items():
        if not path.endswith(".md"):
            continue
        assert not re.search(r"\d+ of \d+ interviews, \d+%", text), path
        assert not re.search(r"\b1 of \d+ participants\b|Raised in 1 of", text), path
        assert "participants**" not in text, path
    assert "Raised by a practitioner (1 of 5 interviews)" in pages["issues/dependency-management.md"]


def test_counts_rest_on_published_quotes_only(checked: CheckedCatalog) -> None:
    evidence, loaded = checked.evidence, checked.loaded_evidence
    assert evidence is not None and loaded is not None
    for entity, participants in evidence.participants_by_entity.items():
        assert participants == {q.participant for q in evidence.quotes_by_entity.get(entity, [])}, entity
    for transcript, entities in evidence.entities_by_transcript.items():
        assert entities == {e for q in evidence.quotes if q.transcript == transcript for e in q.entities}


def test_a_code_only_on_interviewer_turns_counts_for_nothing(catalog_copy: Path) -> None:
    path = catalog_copy / "transcripts" / "interview-43.txt"
    text = path.read_text(encoding="utf-8")
    # Code one interviewer question with an issue no quote of P43 supports.
    question = "so to start off, what are the main quality issues you have encountered with your data model or system"
    assert question in text
    path.write_text(text.replace(question, question + "\n\nQM-reproducibility\n", 1), encoding="utf-8")
    result = check_catalog(catalog_copy)
    assert result.loaded_evidence is not None and result.evidence is not None
    assert "P43" in result.loaded_evidence.participants_by_entity["poor-reproducibility"]  # coded ...
    assert "P43" not in result.evidence.participants_by_entity["poor-reproducibility"]  # ... but not shown


def test_every_quote_says_whose_coding_it_comes_from(checked: CheckedCatalog, pages: dict[str, str]) -> None:
    sides = "\n".join(text for path, text in pages.items() if path.endswith(".quotes.html"))
    captions = re.findall(r"<figcaption[^>]*>(.*?)</figcaption>", sides)
    assert captions and all('<span class="mlq-coding">coding: ' in c for c in captions)
    # One stand-off quote on a transcript with the study's moderated codes: each says its own provenance.
    drift = pages["issues/data-drift.md"]
    # (Either order: the most quotes first, and curation left more stand-off ones, issue 17.)
    assert re.search(r"\*\*Coding:\*\* [^\n]*the study's researchers, moderated \(", drift)
    assert "this catalog's stand\\-off coding (" in drift
    p35 = [c for c in captions if "<strong>P35</strong>" in c and "judging" not in c]
    assert any("a single coder before moderation" in c for c in p35)


def test_provenance_words_are_configuration(catalog_copy: Path) -> None:
    path = catalog_copy / "transcripts.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            "coding: the study's researchers, moderated", "coding: two reviewers, reconciled"
        ),
        encoding="utf-8",
    )
    result = check_catalog(catalog_copy)
    assert result.catalog is not None and result.evidence is not None
    page = render_site(result.catalog, result.evidence, TEMPLATES).pages["issues/data-drift.md"]
    assert "two reviewers, reconciled (" in page and "moderated" not in page


# --- 3. Home, About, changelog: one source for every count ------------------------------------------------

COUNT_NOUNS = r"(?:published\s+)?(interviews?|quotes?|issues?|fixes|contexts|categories|practitioners?|participants?)"
COUNT_PHRASE = re.compile(r"(?:\*\*)?(\d+)(?:\*\*)?\s+(?:of\s+(?:the\s+study's\s+)?(\d+)\s+)?(?:\*\*)?" + COUNT_NOUNS)


def contradictions(text: str, counts: dict[str, int]) -> list[str]:
    """Every 'N noun' and 'k of n interviews' in ``text`` whose number is not the count of that noun."""
    of_noun = {
        "interview": {counts["interviews"], counts["participants"], counts.get("study-interviews", -1)},
        "quote": {counts["quotes"]},
        "issue": {counts["issues"], counts["study-issues"]},
        "fixes": {counts["fixes"]},
        "contexts": {counts["contexts"]},
        "categories": {counts["categories"]},
        "practitioner": {counts["participants"]},
        "participant": {counts["participants"]},
    }
    wrong = []
    for match in COUNT_PHRASE.finditer(" ".join(text.split())):
        k, n, noun = match.group(1), match.group(2), match.group(3).rstrip("s")
        noun = noun if noun in of_noun else noun + "s"
        if n is not None:
            # "k of n interviews": the whole is the catalog's or the study's interviews, the part a coding group.
            if int(n) not in of_noun["interview"] or int(k) > int(n):
                wrong.append(match.group(0))
        elif int(k) not in of_noun.get(noun, {int(k)}):
            wrong.append(match.group(0))
    return wrong


def test_home_about_and_changelog_counts_come_from_one_source(checked: CheckedCatalog, pages: dict[str, str]) -> None:
    catalog, evidence = checked.catalog, checked.evidence
    assert catalog is not None and evidence is not None
    counts = catalog_counts(catalog, evidence)
    home, about, changelog = (
        _hand_written("index.md", checked),
        _hand_written("about.md", checked),
        pages["changelog.md"],
    )
    for name, text in (("home", home), ("about", about), ("changelog", changelog)):
        assert "<!-- mlq:" not in text, name
        assert contradictions(text, counts) == [], name
    # The numbers the issue asks for, all derived: 5 of 37 interviews; 3 by the study's researchers (1 before
    # moderation); 2 for this catalog.
    assert f"{counts['interviews']} of the study's {counts['study-interviews']}" in " ".join(about.split())
    assert (counts["interviews"], counts["study-interviews"], counts["study-issues"]) == (5, 37, 18)
    groups = dict(re.findall(r"- \*\*(.+?)\*\*: (\d+) of \d+ interviews", about))
    assert groups == {
        "the study's researchers, moderated": "2",
        "the study's researchers, a single coder before moderation": "1",
        "this catalog's stand\\-off coding": "2",
    }
    assert f"**{counts['quotes']} published quotes**" in home
    assert str(counts["study-issues-without-quotes"]) + " that no published quote" in " ".join(changelog.split())


def test_hand_written_pages_state_no_count_themselves() -> None:
    # A number typed beside a counted noun would drift from the catalog: counts come from placeholders.
    sources = {
        "docs/index.md": (REPO / "docs" / "index.md").read_text(encoding="utf-8"),
        "docs/about.md": (REPO / "docs" / "about.md").read_text(encoding="utf-8"),
        "catalog.yaml versions": " ".join(
            v["notes"] for v in yaml.safe_load((CATALOG / "catalog.yaml").read_text(encoding="utf-8"))["versions"]
        ),
    }
    for name, text in sources.items():
        assert COUNT_PHRASE.findall(" ".join(text.split())) == [], name


def test_a_planted_contradiction_is_caught(checked: CheckedCatalog) -> None:
    catalog, evidence = checked.catalog, checked.evidence
    assert catalog is not None and evidence is not None
    counts = catalog_counts(catalog, evidence)
    for planted in (
        "The catalog draws on **4 interviews**.",
        "(3 of them coded so far) from 12 interviews",
        f"from which come **{counts['quotes'] + 1} published quotes**",
        "It lists 21 issues.",
        "Raised in 6 of 5 interviews",
    ):
        assert contradictions(planted, counts), planted


def test_the_doi_is_on_about_and_in_both_citation_files(checked: CheckedCatalog) -> None:
    assert checked.catalog is not None
    about = _hand_written("about.md", checked)
    assert f"[{md_inline(DOI)}](https://doi.org/{DOI})" in about
    for cff in ((REPO / "CITATION.cff").read_text(encoding="utf-8"), citation_cff(checked.catalog)):
        reference = yaml.safe_load(cff)["references"][0]
        assert reference["doi"] == DOI and reference["type"] == "article"
        assert reference["authors"][0] == {"family-names": "Côté", "given-names": "P.-O."}


def test_the_study_figures_are_labelled_as_the_study_s(checked: CheckedCatalog) -> None:
    about = _hand_written("about.md", checked)
    section = about.split("## The study's own figures", 1)[1].split("\n## ", 1)[0]
    assert "These are the study's figures" in section and "not counts of the quotes in this catalog" in section
    assert "| Completeness | 16 |" in section


# --- Interview 36 -------------------------------------------------------------------------------------------


def test_seed_003_is_participant_p36_and_its_old_ids_still_work(checked: CheckedCatalog, pages: dict[str, str]) -> None:
    catalog, evidence = checked.catalog, checked.evidence
    assert catalog is not None and evidence is not None
    assert catalog.transcripts["interview-u1"].participant == "P36"
    assert "PU1" not in {q.participant for q in evidence.quotes}
    quotes: list[Quote] = [q for q in evidence.quotes if q.transcript == "interview-u1"]
    assert quotes and all(q.participant == "P36" for q in quotes)
    # Its stand-off quotes (keyed by the old transcript id) and their anchors are where they were.
    assert 'id="interview-u1-l169"' in pages["fixes/lighter-models.quotes.html"]
