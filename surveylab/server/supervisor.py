"""Run the server processes of ``surveylab serve`` together, and stop them together.

``surveylab serve`` starts one process per server (today the dashboards' Voila server; an HTTP
API server is another :class:`ServerProcess` in the same list). :func:`supervise` starts them
all, and when one of them ends (or ``serve`` is asked to stop: SIGTERM, SIGINT) stops the others
with SIGTERM, kills what is still running after ``stop_timeout_s``, and returns an exit status.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass

#: Seconds a server has to stop after SIGTERM before it is killed (Voila shuts its kernels
#: down first).
STOP_TIMEOUT_S = 15.0
#: How often the supervisor looks at its processes [s].
POLL_S = 0.25


@dataclass(frozen=True)
class ServerProcess:
    """One server: a name for messages and the command that runs it."""

    name: str
    argv: tuple[str, ...]


def _stop(procs: dict[str, subprocess.Popen[bytes]], timeout_s: float) -> None:
    for proc in procs.values():
        if proc.poll() is None:
            proc.terminate()
    for proc in procs.values():
        try:
            proc.wait(timeout_s)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def supervise(
    servers: Sequence[ServerProcess],
    *,
    stop_timeout_s: float = STOP_TIMEOUT_S,
    echo: Callable[[str], None] = lambda line: print(line, file=sys.stderr, flush=True),
) -> int:
    """Run ``servers`` until one ends or the supervisor gets SIGTERM or SIGINT.

    Parameters
    ----------
    servers : sequence of ServerProcess
        Started in order, each inheriting this process's environment and output.
    stop_timeout_s : float, optional
        Seconds each has to stop after SIGTERM before SIGKILL [s].
    echo : callable, optional
        Where the line naming a server that ended goes (default: stderr).

    Returns
    -------
    int
        0 after a requested stop; otherwise the exit status of the server that ended first
        (1 if that was 0: a server is not meant to end by itself).
    """
    stop = threading.Event()
    previous = {}
    in_main = threading.current_thread() is threading.main_thread()
    if in_main:  # signal handlers can only be set there
        for sig in (signal.SIGTERM, signal.SIGINT):
            previous[sig] = signal.signal(sig, lambda *_: stop.set())
    procs: dict[str, subprocess.Popen[bytes]] = {}
    try:
        for server in servers:
            procs[server.name] = subprocess.Popen(list(server.argv))
        while not stop.wait(POLL_S):
            for name, proc in procs.items():
                code = proc.poll()
                if code is not None:
                    echo(f"surveylab serve: the {name} server ended (exit status {code})")
                    return code or 1
        return 0
    finally:
        _stop(procs, stop_timeout_s)
        for sig, handler in previous.items():
            signal.signal(sig, handler)
