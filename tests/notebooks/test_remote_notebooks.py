"""An engineer's notebook runs unchanged against a central server: executed once on the local
database (``SURVEYLAB_TOKEN``) and once over the HTTP API (``SURVEYLAB_URL`` too), its outputs
are the same."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import pytest

from tests.api.conftest import start_server
from tests.conftest import REPO_ROOT, TEST_SECRET, settings_for

pytestmark = [pytest.mark.notebooks, pytest.mark.slow]


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Any:
    """A demo database, the engineer's token, and the API serving that database."""
    from surveylab import db
    from surveylab import demo as demo_data
    from surveylab.repositories import UnitOfWork
    from surveylab.services import accounts

    data = tmp_path_factory.mktemp("nb-remote")
    settings = settings_for(None, data, SURVEYLAB_ACCESS_MINUTES="60")
    db.upgrade(settings)
    demo_data.load_demo(settings, echo=lambda _msg: None)
    token = accounts.login(UnitOfWork(settings), "engineer", "engineer-demo-password").access
    server = start_server(settings)
    yield settings, token, server
    server.stop()


def _run(path: Path, env: dict[str, str]) -> list[list[str]]:
    """Execute the notebook with ``env``; each code cell's outputs as text (consecutive
    outputs of one stream joined, as a notebook shows them: how a kernel splits a printed
    text into messages depends on timing)."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    )
    client.execute(env=env)
    outputs = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        texts: list[str] = []
        stream = None  # the stream of the last output, if it was one
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream" and out.get("name") == stream:
                texts[-1] += out.get("text", "")
                continue
            stream = out.get("name") if out.get("output_type") == "stream" else None
            if out.get("output_type") == "error":
                texts.append(f"ERROR {out.get('ename')}: {out.get('evalue')}")
            elif out.get("output_type") == "stream":
                texts.append(out.get("text", ""))
            else:
                data = out.get("data", {})
                texts.append(data.get("text/plain", "") + data.get("text/html", ""))
        outputs.append(texts)
    return outputs


def _env(settings: Any, token: str, **extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("SURVEYLAB_") and k not in ("PYTEST_ADDOPTS", "PYTEST_CURRENT_TEST")
    }
    env.update(
        SURVEYLAB_DATA_DIR=str(settings.data_dir),
        SURVEYLAB_SECRET_KEY=TEST_SECRET,
        SURVEYLAB_ACCESS_MINUTES="60",
        SURVEYLAB_TOKEN=token,
    )
    env.update(extra)
    return env


@pytest.mark.parametrize("name", ["04_north_references_and_units.ipynb", "03_import_and_qc.ipynb"])
def test_the_notebook_gives_the_same_outputs_over_http(demo: Any, name: str) -> None:
    settings, token, server = demo
    path = REPO_ROOT / "notebooks" / name
    local = _run(path, _env(settings, token))
    # over HTTP the kernel has no database of its own: an empty data folder
    elsewhere = settings.data_dir.parent / f"{settings.data_dir.name}-client"
    remote = _run(
        path, _env(settings, token, SURVEYLAB_URL=server.url, SURVEYLAB_DATA_DIR=str(elsewhere))
    )
    texts = json.dumps(local) + json.dumps(remote)
    assert "ERROR" not in texts, texts[:3000]
    assert not (elsewhere / "surveylab.duckdb").exists()

    def comparable(outputs: list[list[str]]) -> list[list[str]]:
        # a run made by the notebook has the time it was made in its number
        return [[re.sub(r"QC-\d+", "QC-<time>", t) for t in cell] for cell in outputs]

    assert comparable(remote) == comparable(local)
    assert sum(len("".join(c)) for c in local) > 500  # the notebook did show things
