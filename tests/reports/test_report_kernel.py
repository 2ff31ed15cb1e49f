"""The report kernels' IPython extension: the collector's view frozen after every cell."""

from __future__ import annotations

import gc

import pytest

from surveylab.reports import kernel as report_kernel
from surveylab.reports import render as reporting


class _Events:
    def __init__(self) -> None:
        self.handlers: dict[str, list] = {}

    def register(self, name, fn) -> None:
        self.handlers.setdefault(name, []).append(fn)

    def unregister(self, name, fn) -> None:
        self.handlers[name].remove(fn)


class _Shell:
    def __init__(self) -> None:
        self.events = _Events()


def test_the_extension_freezes_after_each_cell_and_unloads_cleanly() -> None:
    shell = _Shell()
    gc.unfreeze()
    try:
        report_kernel.load_ipython_extension(shell)
        (hook,) = shell.events.handlers["post_run_cell"]
        assert gc.get_freeze_count() == 0
        kept = [object() for _ in range(10)]  # something alive to freeze
        hook(None)
        assert gc.get_freeze_count() > 0
        report_kernel.unload_ipython_extension(shell)
        assert shell.events.handlers["post_run_cell"] == []
        assert gc.get_freeze_count() == 0
        del kept
    finally:
        gc.unfreeze()


def test_a_report_kernel_runs_with_the_extension(tmp_path) -> None:
    """papermill's kernel for a report loads the extension: after the first cell, the
    collector's permanent generation holds the kernel's objects."""
    import json

    cells = [
        {
            "id": "make-objects",
            "cell_type": "code",
            "metadata": {},
            "outputs": [],
            "execution_count": None,
            "source": "x = [object() for _ in range(10)]",
        },
        {
            "id": "check-frozen",
            "cell_type": "code",
            "metadata": {},
            "outputs": [],
            "execution_count": None,
            "source": "import gc\nprint('frozen', gc.get_freeze_count() > 0)",
        },
    ]
    nb = {
        "cells": cells,
        "nbformat": 4,
        "nbformat_minor": 5,
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3"}},
    }
    template = tmp_path / "probe.ipynb"
    template.write_text(json.dumps(nb))
    out = reporting.execute_notebook(template, {}, "", tmp_path)
    executed = json.loads(out.read_text())
    text = "".join(executed["cells"][1]["outputs"][0]["text"])
    assert text.strip() == "frozen True"


def test_report_builders_without_a_token_say_which_variables_to_set(monkeypatch) -> None:
    from surveylab.reports.survey import SurveyReport, report_session
    from surveylab.reports.well import WellReport

    for name in ("SURVEYLAB_TOKEN", "SURVEYLAB_TOKEN_FILE"):
        monkeypatch.delenv(name, raising=False)
    for build in (lambda: SurveyReport.build("D101"), lambda: WellReport.build("Demo J-1")):
        with pytest.raises(RuntimeError, match="set SURVEYLAB_TOKEN or SURVEYLAB_TOKEN_FILE"):
            build()
    with pytest.raises(RuntimeError, match="not authenticated"):
        report_session(None)
