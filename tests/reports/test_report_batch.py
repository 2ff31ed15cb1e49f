"""``report-batch``: warm kernels executing many report notebooks with papermill, a failing run
that does not stop the others, the progress bar on a terminal; the warm kernel itself (a
cleared namespace between notebooks, a new kernel after one ended)."""

from __future__ import annotations

import io
import sys
from datetime import UTC, datetime

import nbformat
import pytest

from tests.conftest import TEST_SECRET, settings_for

pytestmark = [pytest.mark.notebooks, pytest.mark.slow]


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    from surveylab import db
    from surveylab import demo as demo_data
    from surveylab.session import Session

    data = tmp_path_factory.mktemp("batch-demo")
    settings = settings_for(None, data, SURVEYLAB_ACCESS_MINUTES="60")
    db.upgrade(settings)
    demo_data.load_demo(settings, echo=lambda _msg: None)
    mp = pytest.MonkeyPatch()
    for key in ("SURVEYLAB_TOKEN_FILE", "SURVEYLAB_DATABASE_URL", "SURVEYLAB_TOKEN"):
        mp.delenv(key, raising=False)
    mp.setenv("SURVEYLAB_DATA_DIR", str(data))
    mp.setenv("SURVEYLAB_SECRET_KEY", TEST_SECRET)
    mp.setenv("SURVEYLAB_ACCESS_MINUTES", "60")
    engineer = Session.login("engineer", "engineer-demo-password", settings)
    yield {"settings": settings, "engineer": engineer, "mp": mp}
    mp.undo()


def _notebook(path, *sources: str):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "display_name": "Python 3",
        "language": "python",
        "name": "python3",
    }
    nb.cells = [nbformat.v4.new_code_cell(src) for src in sources]
    nbformat.write(nb, path)
    return path


def test_batch_reuses_its_kernels_and_survives_a_failing_run(demo, tmp_path) -> None:
    from surveylab.reports import warm
    from surveylab.reports.batch import render_batch

    s = demo["engineer"]
    runs = [r for r in s.runs() if r.current_survey_id is not None][:3]
    empty = s.create_run("BATCH-EMPTY", "batch run without a survey", "MWD")
    kernels: list[warm.WarmKernel] = []
    real_init = warm.WarmKernel.__init__

    def remember(self, token):
        real_init(self, token)
        kernels.append(self)

    demo["mp"].setattr(warm.WarmKernel, "__init__", remember)
    seen: list = []
    try:
        items = render_batch(
            s, [runs[0], empty, *runs[1:]], output_dir=tmp_path, workers=1, progress=seen.append
        )
    finally:
        demo["mp"].setattr(warm.WarmKernel, "__init__", real_init)
    # one item per run, in the order given; the run without a survey failed, named, alone
    assert [i.run_number for i in items] == [runs[0].run_number, "BATCH-EMPTY"] + [
        r.run_number for r in runs[1:]
    ]
    failed = [i for i in items if not i.ok]
    assert [i.run_number for i in failed] == ["BATCH-EMPTY"]
    assert "no survey" in (failed[0].error or "") and failed[0].path is None
    # the others were written, each by papermill in the same kernel
    assert len(kernels) == 1 and kernels[0].notebooks == 3
    for item, run in zip([i for i in items if i.ok], runs, strict=True):
        assert item.path is not None and item.path.exists()
        assert run.run_name in item.path.read_text(encoding="utf-8")
    assert sorted(i.run_number for i in seen) == sorted(i.run_number for i in items)
    assert not kernels[0].alive()  # stopped at the end


def test_warm_kernel_clears_the_namespace_and_replaces_a_dead_kernel(demo, tmp_path) -> None:
    from surveylab.reports.render import ReportError
    from surveylab.reports.warm import WarmKernel

    sets = _notebook(tmp_path / "sets.ipynb", "leftover = 42", "import os\nhere = os.getcwd()")
    checks = _notebook(
        tmp_path / "checks.ipynb",
        "assert 'leftover' not in globals(), 'the last notebook left its variables'",
    )
    fails = _notebook(tmp_path / "fails.ipynb", "raise ValueError('broken cell')")
    dies = _notebook(tmp_path / "dies.ipynb", "import os\nos._exit(3)")
    k = WarmKernel(demo["engineer"].token)
    try:
        first, second = tmp_path / "w1", tmp_path / "w2"
        first.mkdir()
        second.mkdir()
        out = k.execute(sets, {}, first)
        assert out.parent == first and out.exists()
        executed = nbformat.read(out, as_version=4)
        assert executed.cells[0]["outputs"] == []  # nothing of the preparation in the notebook
        k.execute(checks, {}, second)  # fails if the namespace was kept
        with pytest.raises(ReportError, match="failed in cell 1: ValueError: broken cell"):
            k.execute(fails, {}, first)
        with pytest.raises(Exception, match=r"(?i)dead|died|kernel"):
            k.execute(dies, {}, first)
        assert not k.alive()
        k.execute(checks, {}, second)  # a new kernel took the dead one's place
        assert k.alive() and k.notebooks == 3
    finally:
        k.close()


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_report_batch_shows_a_bar_on_a_terminal(demo, tmp_path, capsys, monkeypatch) -> None:
    from surveylab.cli import main

    since = datetime(2000, 1, 1, tzinfo=UTC).isoformat()
    runs = [r for r in demo["engineer"].runs(changed_since=datetime.fromisoformat(since))]
    demo["mp"].setenv("SURVEYLAB_TOKEN", demo["engineer"].token)
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    try:
        code = main(
            ["report-batch", "--changed-since", since, "--output", str(tmp_path), "--workers", "2"]
        )
    finally:
        demo["mp"].delenv("SURVEYLAB_TOKEN")
    assert code == 0
    bar = terminal.getvalue()
    assert f"{len(runs)}/{len(runs)}" in bar and "report" in bar
    out = capsys.readouterr().out
    assert all(r.run_number in out for r in runs)
    assert len(list(tmp_path.glob("*.html"))) == len(runs)


def test_report_batch_refuses_no_workers(demo, capsys) -> None:
    from surveylab.cli import main

    demo["mp"].setenv("SURVEYLAB_TOKEN", demo["engineer"].token)
    try:
        code = main(
            ["report-batch", "--changed-since", "2020-01-01", "--output", "x", "--workers", "0"]
        )
    finally:
        demo["mp"].delenv("SURVEYLAB_TOKEN")
    assert code != 0 and "--workers must be at least 1" in capsys.readouterr().err
