"""Search that answers a symptom (issue 21): the committed queries, the query rewrite, the index settings.

The browser test (test_browser.py::test_symptom_search) types the queries into the built site.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from mlq_catalog.defaults import DOCS_DIR
from mlq_catalog.evidence.validate import check_catalog

from ..conftest import CATALOG
from ..searchprobe import load_queries

SCRIPT = DOCS_DIR / "javascripts" / "mlq-search.js"
NODE = shutil.which("node")


def _words(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.casefold()))


def test_symptom_queries_name_real_issues_and_never_repeat_their_words() -> None:
    checked = check_catalog(CATALOG)
    assert checked.catalog is not None
    queries = load_queries()
    committed = [q for q in queries if not q.held_out]
    assert len(committed) >= 15 and len({q.query for q in queries}) == len(queries)
    for q in queries:
        assert q.issue in checked.catalog.issues, q
        query = f" {_words(q.query)} "
        for issue in checked.catalog.issues.values():
            for phrase in [issue.title, *issue.aliases, *issue.symptoms]:
                words = _words(phrase)
                # A one-word title ("Outliers") may occur in a question; a longer phrase may not, word for word.
                repeated = query.strip() == words if " " not in words else f" {words} " in query
                assert not repeated, f"{q.query!r} repeats {phrase!r} of {issue.id}"


def _rewrite(queries: list[str]) -> list[str]:
    assert NODE is not None
    # The page's script patches Worker.prototype.postMessage; a stand-in Worker records what reaches it.
    program = (
        "const sent = []; globalThis.Worker = function () {};"
        " Worker.prototype.postMessage = function (m) { sent.push(m); };"
        f" {SCRIPT.read_text(encoding='utf-8')}\n"
        f" for (const q of {json.dumps(queries)}) new Worker().postMessage({{type: 2, data: q}});"
        " new Worker().postMessage({type: 0, data: 'setup'});"
        " console.log(JSON.stringify(sent));"
    )
    out = subprocess.run([NODE, "-e", program], capture_output=True, text=True, check=True, timeout=60).stdout
    sent = json.loads(out)
    assert sent[-1] == {"type": 0, "data": "setup"}, "only query messages are rewritten"
    return [m["data"] for m in sent[:-1]]


@pytest.mark.skipif(NODE is None, reason="node is not installed")
def test_query_rewrite_drops_stop_words_and_searches_stems() -> None:
    got = _rewrite(
        [
            "variable X is not available",
            "We cannot reproduce the results",
            "the",
            '+label "concept drift"',
            "reprod",
            "noisy labels ",
        ]
    )
    assert got[0] == "variable^1 x^1 available^1 available"
    assert got[1] == "reproduce^1 results^1 results"
    assert got[2] == "the", "a query of stop words alone is left to Material"
    assert got[3] == '+label "concept drift"', "Lunr syntax is left as written"
    assert got[4] == "reprod^1 reprod", "the word being typed keeps its prefix match"
    assert got[5] == "noisy^1 labels^1", "a finished word needs no prefix match"
    for rewritten in got[:2]:
        assert not re.search(r"\b(is|not|we|the|cannot)\b", rewritten)


def test_the_plugin_gives_material_a_stemming_index(tmp_path: Path) -> None:
    from mkdocs.config import load_config

    from mlq_catalog.commands.engine_config import SEARCH_PIPELINE, SEARCH_SCRIPT, _tune_search, _with_required_markdown

    config = load_config(str(Path(__file__).resolve().parents[2] / "mkdocs.yml"))
    _tune_search(config)
    _with_required_markdown(config)
    search = config.plugins["material/search"].config
    assert search.pipeline == SEARCH_PIPELINE and "stemmer" in search.pipeline
    assert search.fields["tags"]["boost"] < search.fields["title"]["boost"] <= 100
    assert SEARCH_SCRIPT in [str(s) for s in config.extra_javascript]
