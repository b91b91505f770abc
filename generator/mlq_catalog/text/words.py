"""The catalog's own words for its entries and its interviewees (catalog.yaml ``labels:``), in the
forms page text needs: plural, capitalised, with an article."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from mlq_catalog.structure.model import Labels


def article(word: str) -> str:
    """``word`` with 'a' or 'an' before it (by its first letter: 'an issue', 'a fix', 'a user')."""
    return ("an " if word[:1].lower() in "aeiou" else "a ") + word


def sentence_case(value: object) -> str:
    """The first letter in capitals, the rest as written (Jinja's ``capitalize`` lowers 'ML' to 'Ml')."""
    text = str(value)
    return text[:1].upper() + text[1:]


@dataclass(frozen=True)
class Words:
    """The catalog's words for its entries and interviewees (catalog.yaml ``labels:``), escaped for
    inline Markdown, in the forms the templates need: ``labels.issues``, ``labels.Issues``, ``labels.an_issue``."""

    issue: str
    issues: str
    fix: str
    fixes: str
    participant: str
    participants: str
    Issue: str
    Issues: str
    Fix: str
    Fixes: str
    Participants: str
    an_issue: str
    An_issue: str
    a_fix: str
    a_participant: str

    @classmethod
    def of(cls, labels: Labels, escape: Callable[[str], str]) -> Words:
        """``escape``: for the page text they go into (the renderer's ``md_inline``)."""
        return cls(
            issue=escape(labels.issue),
            issues=escape(labels.issues),
            fix=escape(labels.fix),
            fixes=escape(labels.fixes),
            participant=escape(labels.participant),
            participants=escape(labels.participants),
            Issue=escape(sentence_case(labels.issue)),
            Issues=escape(sentence_case(labels.issues)),
            Fix=escape(sentence_case(labels.fix)),
            Fixes=escape(sentence_case(labels.fixes)),
            Participants=escape(sentence_case(labels.participants)),
            an_issue=escape(article(labels.issue)),
            An_issue=escape(sentence_case(article(labels.issue))),
            a_fix=escape(article(labels.fix)),
            a_participant=escape(article(labels.participant)),
        )
