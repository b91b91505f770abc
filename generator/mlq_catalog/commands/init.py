"""``mlq-catalog init DIR``: a new catalog project that builds at once with ``--strict``.

The project comes from ``defaults/project/``: a site configuration, an example taxonomy (two
categories, three issues, two fixes), one short example transcript in each layout the reader
understands, docs, GitHub workflows, a pre-commit configuration, a README and a .gitignore. Text
files there are Jinja templates with ``[[ ]]`` and ``[% %]`` delimiters (the workflows use
``${{ }}`` themselves); a leading ``_`` in a path stands for a dot (``_github`` -> ``.github``),
because package data globs skip hidden files.

Nothing is ever overwritten: a folder that is not empty is refused unless ``force``, and even
then each file that exists is skipped and reported. The JSON Schemas are written into the
project's ``schemas/`` (committed with it) so that an editor helps from the first file opened.
"""

from __future__ import annotations

import datetime
import json
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from mlq_catalog.defaults import PROJECT_DIR
from mlq_catalog.ingest.paragraph_kinds import GENERIC_LABEL
from mlq_catalog.structure.errors import CatalogError, OutputError, display_path
from mlq_catalog.structure.model import LABEL_PATTERN, PSEUDONYM_PREFIX_PATTERN
from mlq_catalog.text.words import article

LABEL_RE = re.compile(r"^[A-Za-z][A-Za-z0-9 ]{0,39}$")
WORD_RE = re.compile(LABEL_PATTERN)
SCHEMA_DIR_NAME = "schemas"


@dataclass(frozen=True)
class InitOptions:
    """What a new project is called and how its pages speak; every field has a flag in ``mlq-catalog init``."""

    title: str = "Interview Catalog"
    subject: str = "the issues our interviewees raised"
    description: str | None = None
    study_citation: str | None = None
    authors: tuple[str, ...] = ("The research team",)
    interviewee_label: str = "Interviewee"
    pseudonym_prefix: str = "P"
    issue_label: str = "issue"
    issues_label: str = "issues"
    fix_label: str = "fix"
    fixes_label: str = "fixes"
    participant_label: str = "participant"
    participants_label: str = "participants"
    site_url: str | None = None
    repository: str | None = None

    def check(self) -> None:
        """Refuse values the project files could not hold, with a one-line reason."""
        for name, value in (("title", self.title), ("subject", self.subject)):
            if not value.strip() or "\n" in value or len(value) > 200:
                raise CatalogError(f"--{name}: give one line of at most 200 characters")
        if not self.authors or any(not a.strip() or "\n" in a for a in self.authors):
            raise CatalogError("--author: give each author on one line")
        if not LABEL_RE.match(self.interviewee_label):
            raise CatalogError(
                f"--interviewee-label '{self.interviewee_label}': use letters, digits and spaces "
                "(at most 40), starting with a letter, e.g. 'Participant'"
            )
        if not re.match(PSEUDONYM_PREFIX_PATTERN, self.pseudonym_prefix):
            raise CatalogError(
                f"--pseudonym-prefix '{self.pseudonym_prefix}': use a capital letter and up to 11 more letters, "
                "e.g. 'P'"
            )
        for flag, value in self.labels().items():
            if not WORD_RE.match(value) or value != value.strip():
                raise CatalogError(f"--{flag}-label '{value}': give a plain word or two, without punctuation")
        for name, url in (("site-url", self.site_url), ("repository", self.repository)):
            if url is not None and not re.match(r"^https?://[^\s\"'<>]+$", url):
                raise CatalogError(f"--{name} '{url}': give an http(s) address")

    def labels(self) -> dict[str, str]:
        return {
            "issue": self.issue_label,
            "issues": self.issues_label,
            "fix": self.fix_label,
            "fixes": self.fixes_label,
            "participant": self.participant_label,
            "participants": self.participants_label,
        }


@dataclass
class InitReport:
    written: list[Path] = field(default_factory=list)
    skipped: list[Path] = field(default_factory=list)


def _yaml(text: str) -> str:
    """A YAML scalar for any one-line text: JSON strings are YAML."""
    return json.dumps(" ".join(text.split()), ensure_ascii=False)


def _md(text: str) -> str:
    from mlq_catalog.text.mdsafe import md_inline

    return md_inline(text)


def _today() -> str:
    # SOURCE_DATE_EPOCH: two runs of the same init give the same files (reproducible builds).
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return datetime.datetime.fromtimestamp(int(epoch), tz=datetime.timezone.utc).date().isoformat()
    return datetime.date.today().isoformat()


def _package_version() -> str:
    try:
        return version("mlq-catalog")
    except PackageNotFoundError:  # pragma: no cover - running from a checkout that was never installed
        return "0.1.0"


def context_for(options: InitOptions) -> dict[str, object]:
    labels = options.labels()
    return {
        "title_yaml": _yaml(options.title),
        "title_md": _md(options.title),
        "description_yaml": _yaml(
            options.description
            or f"A catalog of {options.subject}, built from interviews: every {labels['issue']} is backed by "
            "anonymized quotes."
        ),
        "subject_yaml": _yaml(options.subject),
        "subject_md": _md(options.subject),
        "study_citation": _yaml(options.study_citation) if options.study_citation else None,
        "authors": [_yaml(a) for a in options.authors],
        "repository": options.repository,
        "site_url": options.site_url,
        "interviewee_label": options.interviewee_label,
        # A label other than the generic ones (Interviewee, Participant ...) is a word the audit must ask
        # about; the team named it as a role on the command line, so init records that decision.
        "interviewee_label_reviewed": GENERIC_LABEL.fullmatch(options.interviewee_label) is None,
        "pseudonym_prefix": options.pseudonym_prefix,
        "labels": {key: _yaml(value) for key, value in labels.items()},
        "labels_md": {
            **{key: _md(value) for key, value in labels.items()},
            "an_issue": _md(article(labels["issue"])),
            "a_fix": _md(article(labels["fix"])),
        },
        "issues_title": _yaml(labels["issues"][:1].upper() + labels["issues"][1:]),
        "fixes_title": _yaml(labels["fixes"][:1].upper() + labels["fixes"][1:]),
        "facet_intros": {
            "lifecycle": _yaml(f"The categories each {labels['issue']} belongs to."),
            "dimension": _yaml(f"What each {labels['issue']} affects, as tagged in its file (tags: dimension)."),
        },
        "today": _today(),
        "version": _package_version(),
    }


def project_files(options: InitOptions) -> dict[str, str]:
    """Project-relative path -> text of every file ``init`` writes, the schemas aside."""
    import jinja2

    env = jinja2.Environment(
        variable_start_string="[[",
        variable_end_string="]]",
        block_start_string="[%",
        block_end_string="%]",
        comment_start_string="[#",
        comment_end_string="#]",
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,
    )
    context = context_for(options)
    files: dict[str, str] = {}
    for source in sorted(PROJECT_DIR.rglob("*")):
        if not source.is_file() or "__pycache__" in source.parts:
            continue
        relative = "/".join(
            "." + part[1:] if part.startswith("_") else part for part in source.relative_to(PROJECT_DIR).parts
        )
        text = env.from_string(source.read_text(encoding="utf-8")).render(context)
        if text.strip():  # a file whose whole text is conditional (the allow-list) is written only when needed
            files[relative] = text
    return files


def init_project(
    target: Path, options: InitOptions, *, force: bool = False, notify: Callable[[str], None] = lambda _: None
) -> InitReport:
    """Write a new project into ``target``; never overwrite a file. ``notify`` gets one line per skipped file."""
    options.check()
    if target.exists() and not target.is_dir():
        raise OutputError(f"{display_path(target)}: not a folder")
    if target.is_dir() and any(target.iterdir()) and not force:
        raise OutputError(
            f"{display_path(target)}: folder is not empty; pass --force to add the missing files "
            "(nothing is overwritten)"
        )
    report = InitReport()
    _write_all(target, project_files(options), report, notify)
    # The schemas are made from the models and the example's ids, once the catalog is in place.
    from mlq_catalog.publish.schema import render_all

    schemas = {f"{SCHEMA_DIR_NAME}/{name}": text for name, text in render_all(target / "catalog").items()}
    _write_all(target, schemas, report, notify)
    return report


def _write_all(target: Path, files: Mapping[str, str], report: InitReport, notify: Callable[[str], None]) -> None:
    for relative, text in files.items():
        path = target / relative
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("x", encoding="utf-8", newline="\n") as handle:  # "x": never overwrite
                handle.write(text)
        except FileExistsError:
            report.skipped.append(path)
            notify(f"{display_path(path)}: already exists; kept as it is")
            continue
        except OSError as exc:
            raise OutputError(f"{display_path(path)}: cannot write: {exc.strerror}") from exc
        report.written.append(path)
