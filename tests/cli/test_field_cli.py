"""``surveylab import-field``: the summary and exit code, the JSON shape, no bar off a terminal,
a Viewer refused, and an import killed half-way then run again (everything exactly once)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from surveylab.repositories import UnitOfWork
from surveylab.services import accounts
from tests.cli.conftest import refused
from tests.field_data import write_field


def _revisions(settings) -> list[tuple[str, int]]:
    """Every stored (run number, revision), sorted, repeats kept."""
    with UnitOfWork(settings) as uow:
        return sorted(
            (r.run_number, s.revision) for r in uow.runs.list() for s in uow.surveys.for_run(r.id)
        )


def test_the_json_document_and_the_exit_code(cli, settings, tmp_path):
    made = write_field(tmp_path / "f", seed=21, wells=2, runs=2, broken=1, duplicates=1)
    code, out, err = cli("surveyor", "import-field", str(made.manifest), "--json")
    assert code == 1  # a file was refused
    doc = json.loads(out)
    assert set(doc) == {"source", "workers", "seconds", "counts", "files"}
    assert doc["counts"] == {
        "files": 6,
        "imported": 4,
        "duplicates": 1,
        "refused": 1,
        "wells_created": 2,
        "wellbores_created": 0,
        "runs_created": 4,
    }
    keys = {
        "file",
        "outcome",
        "manifest_line",
        "well",
        "wellbore",
        "run",
        "revision",
        "stations",
        "worst_finding",
        "reason",
        "line",
        "field",
    }
    assert all(set(f) == keys for f in doc["files"])
    assert [f["manifest_line"] for f in doc["files"]] == [2, 3, 4, 5, 6, 7]
    (bad,) = [f for f in doc["files"] if f["outcome"] == "refused"]
    assert bad["file"] == "F21-W0000/broken0.csv" and bad["line"] and bad["field"] == "md"
    assert not err  # no bar, no per-file lines with --json
    code, out, _ = cli("surveyor", "import-field", str(made.manifest), "--json")
    assert code == 1 and json.loads(out)["counts"]["duplicates"] == 5


def test_the_text_summary_names_the_refused_file_line_and_field(cli, settings, tmp_path):
    made = write_field(tmp_path / "f", seed=22, wells=1, runs=2, broken=1, bad_lines=2)
    code, out, err = cli("engineer", "import-field", str(made.root), "--workers", "1")
    assert code == 1
    lines = out.splitlines()
    # one line per file as it is decided (not a terminal: no bar), then the summary
    assert sum(" imported as revision 1 " in x for x in lines) == 2
    summary = next(x for x in lines if x.startswith(f"{made.root}: "))
    assert "2 imported, 0 duplicates, 3 refused, of 5 files" in summary
    refusals = lines[lines.index("refused (nothing stored for these):") + 1 :]
    assert len(refusals) == 3
    assert refusals[0].startswith("  F22-W0000/broken0.csv, manifest line 4, line ")
    assert "field 'md'" in refusals[0]
    assert "manifest line 5, field 'file': no such file" in refusals[1]
    assert "manifest line 6, field 'run_type'" in refusals[2]
    assert not err


def test_a_clean_import_exits_zero_and_shows_a_bar_on_a_terminal(
    cli, settings, tmp_path, monkeypatch
):
    from surveylab.cli import field as field_cli

    monkeypatch.setattr(field_cli, "_is_terminal", lambda stream: True)
    made = write_field(tmp_path / "f", seed=23, wells=1, runs=2)
    code, out, err = cli("surveyor", "import-field", str(made.manifest))
    assert code == 0
    assert any("import-field" in line for line in err)  # tqdm's bar on stderr
    assert "imported as revision" not in out  # the bar replaces the per-file lines
    assert "2 imported, 0 duplicates, 0 refused, of 2 files" in out


def test_a_viewer_is_refused(cli, settings, tmp_path):
    made = write_field(tmp_path / "f", seed=24, wells=1, runs=1)
    refused(cli("viewer", "import-field", str(made.manifest)), "viewer", "import a field")
    assert _revisions(settings) == []


def test_bad_arguments_are_refused(cli, settings, tmp_path):
    refused(cli("surveyor", "import-field", str(tmp_path / "nowhere")), "no such folder")
    made = write_field(tmp_path / "f", seed=25, wells=1, runs=1)
    refused(cli("surveyor", "import-field", str(made.manifest), "--workers", "0"), "--workers")


@pytest.mark.slow
def test_an_import_killed_half_way_resumes_and_stores_every_file_once(settings, people, tmp_path):
    made = write_field(tmp_path / "f", seed=26, wells=10, runs=4, stations=30, revisions=2)
    token = accounts.login(UnitOfWork(settings), "surveyor", "surveyor-password-123").access
    env = {
        **os.environ,
        "SURVEYLAB_DATA_DIR": str(settings.data_dir),
        "SURVEYLAB_DATABASE_URL": settings.database_url,
        "SURVEYLAB_SECRET_KEY": settings.secret_key_env,
        "SURVEYLAB_TOKEN": token,
    }
    env.pop("SURVEYLAB_TOKEN_FILE", None)
    argv = [
        sys.executable,
        "-c",
        "import sys; from surveylab.cli import main; sys.exit(main())",
        "import-field",
        str(made.manifest),
        "--workers",
        "2",
    ]
    seen = 0
    deadline = time.monotonic() + 300
    with subprocess.Popen(
        argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, start_new_session=True
    ) as proc:
        assert proc.stdout is not None
        try:
            while seen < 10 and time.monotonic() < deadline:
                line = proc.stdout.readline()
                if not line:
                    break
                seen += b" imported as revision " in line
        finally:
            os.killpg(proc.pid, signal.SIGKILL)  # the import and its workers, mid-write
            proc.wait()
    assert seen == 10, "the import should have been killed half-way"
    stored = _revisions(settings)
    assert 10 <= len(stored) < len(made.imported)
    assert len(set(stored)) == len(stored)
    # run again: the rest is imported, what was stored is recognised, nothing twice
    done = subprocess.run([*argv, "--json"], env=env, capture_output=True, timeout=600)
    assert done.returncode == 0, done.stderr
    counts = json.loads(done.stdout)["counts"]
    assert counts["duplicates"] >= len(stored)
    assert counts["imported"] + counts["duplicates"] == len(made.imported)
    assert _revisions(settings) == sorted(made.imported)
