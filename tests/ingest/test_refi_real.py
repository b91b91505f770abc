"""Real REFI-QDA exports from QDA tools (issue 18), measured by ``bench/refi_real.py``.

Third-party projects are not committed. Put ``.qdpx`` files in a folder and point
``MLQ_REAL_QDPX_DIR`` at it (for example the NVivo for Mac and Windows projects of the
MIT-licensed ``DEpt-metagenom/pyqdpx`` repository); without it these tests skip.
"""

from __future__ import annotations

import importlib.util
import os
import tempfile
from pathlib import Path
from types import ModuleType

import pytest

from ..conftest import REPO

FOLDER = Path(os.environ["MLQ_REAL_QDPX_DIR"]) if os.environ.get("MLQ_REAL_QDPX_DIR") else None
FILES = sorted(FOLDER.glob("*.qdpx")) if FOLDER is not None and FOLDER.is_dir() else []


def _bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("refi_real", REPO / "bench" / "refi_real.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.skipif(not FILES, reason="no real exports: set MLQ_REAL_QDPX_DIR to a folder of .qdpx files")
@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_a_real_export_arrives_whole(path: Path) -> None:
    bench = _bench()
    with tempfile.TemporaryDirectory() as work:
        run = bench.measure(path, Path(work) / "catalog")
    assert run["exit_code"] == 0, run["messages"]
    assert run["selections_with_right_text"] == run["selections_in_file"], run["first_wrong"]
    assert run["codebook_codes_imported"] == run["codebook_codes_in_file"]
    assert run["validate_error_count_after"] == 0, run["validate_errors_after"]
    skipped = [m for m in run["messages"] if m.startswith("note: skipped")]
    assert len(skipped) >= sum(run["non_text_sources_in_file"].values())
