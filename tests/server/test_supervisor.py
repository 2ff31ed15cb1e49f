"""`surveylab serve` runs its servers together and stops them together
(surveylab.server.supervisor), with real processes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import psutil

from surveylab.server.supervisor import ServerProcess, supervise

PY = sys.executable


def _sleeper(pid_file: Path, *, ignore_term: bool = False) -> ServerProcess:
    code = "import os, signal, time, pathlib\n"
    if ignore_term:
        code += "signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
    code += f"pathlib.Path({str(pid_file)!r}).write_text(str(os.getpid()))\ntime.sleep(600)\n"
    return ServerProcess(pid_file.stem, (PY, "-c", code))


def _gone(pid: int, timeout_s: float = 10) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            if psutil.Process(pid).status() == psutil.STATUS_ZOMBIE:
                return True
        except psutil.NoSuchProcess:
            return True
        time.sleep(0.1)
    return False


def _wait_for(path: Path, timeout_s: float = 30) -> int:
    deadline = time.monotonic() + timeout_s
    while not path.exists() or not path.read_text():
        assert time.monotonic() < deadline, f"{path} not written"
        time.sleep(0.05)
    return int(path.read_text())


def test_when_one_server_ends_the_others_are_stopped(tmp_path):
    lines: list[str] = []
    failing = ServerProcess("api", (PY, "-c", "import time, sys; time.sleep(1); sys.exit(3)"))
    status = supervise([_sleeper(tmp_path / "dashboards.pid"), failing], echo=lines.append)
    assert status == 3
    assert lines == ["surveylab serve: the api server ended (exit status 3)"]
    assert _gone(int((tmp_path / "dashboards.pid").read_text()))


def test_a_server_ending_cleanly_by_itself_is_still_a_failure(tmp_path):
    done = ServerProcess("dashboards", (PY, "-c", "pass"))
    assert supervise([done, _sleeper(tmp_path / "api.pid")], echo=lambda _: None) == 1


def test_sigterm_stops_every_server_and_kills_one_that_does_not_listen(tmp_path):
    script = textwrap.dedent(
        f"""
        import sys
        from pathlib import Path
        sys.path.insert(0, {str(Path(__file__).resolve().parents[2])!r})
        from surveylab.server.supervisor import ServerProcess, supervise
        from tests.server.test_supervisor import _sleeper
        tmp = Path({str(tmp_path)!r})
        sys.exit(supervise(
            [_sleeper(tmp / "a.pid"), _sleeper(tmp / "b.pid", ignore_term=True)],
            stop_timeout_s=1,
        ))
        """
    )
    serve = subprocess.Popen([PY, "-c", script])
    a, b = _wait_for(tmp_path / "a.pid"), _wait_for(tmp_path / "b.pid")
    os.kill(serve.pid, signal.SIGTERM)
    assert serve.wait(30) == 0
    assert _gone(a) and _gone(b)
