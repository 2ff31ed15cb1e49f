"""Readers are served while a long import runs in another process, on DuckDB (one process holds
the file at a time: the import holds it only while it writes) and on PostgreSQL.

The import is a generated file of 200,000 stations whose parse is made to last
``PARSE_S`` seconds whatever the machine's speed (the importer process wraps the parser in a
pause, so the test does not depend on how fast this machine parses); the readers are session
calls in this process and a ``surveylab runs list`` process, with a lock timeout shorter than
the parse. A negative control on DuckDB holds the connection through the whole import, as the
import did before, and the same readers are then refused.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from surveylab.db import DatabaseBusyError
from surveylab.models import Role
from surveylab.repositories import UnitOfWork
from surveylab.services import accounts, runs
from surveylab.session import Session
from tests.conftest import TEST_SECRET

pytestmark = pytest.mark.slow

STATIONS = 200_000
SURVEYLAB = str(Path(sys.executable).with_name("surveylab"))

#: How long the importer's parse lasts at least [s]: longer than the readers' lock timeout.
PARSE_S = 6.0

#: The parser of the importer process, made to last PARSE_S seconds at least.
SLOW_PARSE = f"""
import time
from surveylab.services import surveys
_read_survey = surveys.read_survey
def _slow_read_survey(*args, **kwargs):
    time.sleep({PARSE_S})
    return _read_survey(*args, **kwargs)
surveys.read_survey = _slow_read_survey
"""

#: ``surveylab import FILE --run RUN --json`` with the slow parse.
SLOW_IMPORT = (
    SLOW_PARSE
    + """
import sys
from surveylab.cli import main
sys.exit(main(["import", sys.argv[1], "--run", sys.argv[2], "--json"]))
"""
)

#: An import as it ran before: one connection held from the start of parsing to the commit.
HELD_IMPORT = (
    SLOW_PARSE
    + """
import sys
from pathlib import Path
from surveylab.repositories import UnitOfWork
from surveylab.services import accounts
path, run, token = sys.argv[1:4]
uow = UnitOfWork()
with uow:
    actor = accounts.authenticate(uow, token)
    surveys.import_survey(
        uow, actor, run=run, content=Path(path).read_bytes(), file_name=Path(path).name
    )
"""
)


def _big_survey(path: Path, n: int) -> None:
    """A horizontal well every 0.1 m: vertical to 500 m, build 1 deg/30 m to 90 deg, lateral."""
    md = 0.1 * np.arange(1, n + 1)
    inc = np.clip((md - 500.0) / 30.0, 0.0, 90.0)
    azi = (45.0 + 1e-5 * md) % 360.0
    rows = "\n".join(f"{a:.1f},{b:.4f},{c:.5f}" for a, b, c in zip(md, inc, azi, strict=True))
    path.write_text(
        "Well: BIG-1\nDepth unit: m\nAzimuth reference: true north\n\n"
        f"MD [m],Inc [deg],Azi [deg]\n0.0,0.0,0.0\n{rows}\n"
    )


def _env(settings, token: str, lock_timeout_s: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SURVEYLAB_")}
    env.update(
        SURVEYLAB_DATA_DIR=str(settings.data_dir),
        SURVEYLAB_DATABASE_URL=settings.database_url,
        SURVEYLAB_SECRET_KEY=TEST_SECRET,
        SURVEYLAB_TOKEN=token,
        SURVEYLAB_LOCK_TIMEOUT_S=str(lock_timeout_s),
    )
    return env


def _import_with_readers(settings, tmp_path, *, held: bool, reader_timeout_s: int):
    """Run the import in another process and read meanwhile; returns what happened."""
    for name, role in (("engineer", Role.ENGINEER), ("viewer", Role.VIEWER)):
        accounts.ensure_user(UnitOfWork(settings), name, f"{name}-password-123", role)
    engineer = accounts.login(UnitOfWork(settings), "engineer", "engineer-password-123").access
    viewer = accounts.login(UnitOfWork(settings), "viewer", "viewer-password-123").access
    runs.create_run(
        UnitOfWork(settings),
        accounts.authenticate(UnitOfWork(settings), engineer),
        run_number="BIG",
        run_name="big",
    )
    big = tmp_path / "big.csv"
    _big_survey(big, STATIONS)
    if held:
        command = [sys.executable, "-c", HELD_IMPORT, str(big), "BIG", engineer]
    else:
        command = [sys.executable, "-c", SLOW_IMPORT, str(big), "BIG"]
    importer = subprocess.Popen(
        command,
        env=_env(settings, engineer, 60),  # the importer itself may wait for the readers
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    started = time.monotonic()
    reader_settings = replace(settings, lock_timeout_s=reader_timeout_s)
    reads: list[tuple[float, float, str]] = []  # (start, duration [s], outcome)
    cli_reader: subprocess.Popen[str] | None = None
    while importer.poll() is None:
        if cli_reader is None and time.monotonic() - started > 1.5:
            cli_reader = subprocess.Popen(
                [SURVEYLAB, "runs", "list", "--json"],
                env=_env(settings, viewer, reader_timeout_s),
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
        t0 = time.monotonic()
        try:
            frame = Session(viewer, reader_settings).runs_frame()
            outcome = "ok" if "BIG" in set(frame["run_number"]) else "wrong"
        except DatabaseBusyError:
            outcome = "busy"
        reads.append((t0 - started, time.monotonic() - t0, outcome))
        time.sleep(0.2)  # a reader, not a siege: the importer gets its turns
    finished = time.monotonic() - started
    out, err = importer.communicate()
    assert cli_reader is not None, (
        f"the import ended before the command-line reader started: {importer.returncode}, {err}"
    )
    cli_out, cli_err = cli_reader.communicate(timeout=120)
    return {
        "import": (importer.returncode, out, err),
        "import_s": finished,
        "reads": reads,
        "cli": (cli_reader.returncode, cli_out, cli_err),
    }


def test_readers_are_served_during_a_long_import(settings, tmp_path):
    happened = _import_with_readers(settings, tmp_path, held=False, reader_timeout_s=5)
    code, _out, err = happened["import"]
    assert code == 0, err
    with UnitOfWork(settings) as u:
        run = u.runs.by_number("BIG")
        assert run is not None and run.current_survey_id is not None
        assert u.surveys.get(run.current_survey_id).station_count == STATIONS + 1
    reads = happened["reads"]
    assert [r for r in reads if r[2] != "ok"] == []
    # the readers really ran while the import did (parsing alone takes seconds)
    during = [r for r in reads if 1.0 < r[0] < happened["import_s"] - 1.0]
    assert len(during) >= 3, reads
    cli_code, cli_out, cli_err = happened["cli"]
    assert cli_code == 0, cli_err
    assert '"BIG"' in cli_out


def test_negative_control_an_import_holding_the_file_refuses_readers(duckdb_settings, tmp_path):
    """Holding the connection from parse to commit (the import before) locks DuckDB readers out
    for longer than their timeout: the test above would see it."""
    happened = _import_with_readers(duckdb_settings, tmp_path, held=True, reader_timeout_s=2)
    code, _out, err = happened["import"]
    assert code == 0, err
    assert any(r[2] == "busy" for r in happened["reads"]), happened["reads"]
    cli_code, _cli_out, cli_err = happened["cli"]
    assert cli_code != 0 and "database file is in use" in cli_err
