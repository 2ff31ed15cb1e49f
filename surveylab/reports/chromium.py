"""Print HTML pages to PDF with Debian's chromium, driven over the DevTools protocol on a pipe.

:class:`PdfPrinter` starts the browser as soon as it is made, in a thread of its own, so that a
report starts it before its notebook runs and the two start-ups overlap. Chromium takes about a
second to start on the reference machine, as long as the whole HTML report (bench/RESULTS.md,
Reports). ``chromium --print-to-pdf`` cannot start before the page exists. Playwright can, but
it first starts its Node.js driver, which took 0.6 s of CPU more than the report's notebook.

The browser listens on a pipe (``--remote-debugging-pipe``: it reads commands on its file
descriptor 3 and answers on 4), never on a network port that other local users could reach.
Four commands are used: attach to the first tab, navigate, wait for the load event, print.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import json
import os
import queue
import select
import shutil
import signal
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from surveylab.models.checks import Check

#: Flags for Debian's chromium run as a tool on this machine: no sandbox (root in CI), no GPU,
#: and nothing that would reach the internet (updates, sync, background requests, QUIC).
CHROMIUM_OFFLINE_FLAGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
)


#: Niceness of the browser: it starts while a report's notebook runs and yields the CPU to it.
NICENESS = 10


class PrintError(RuntimeError):
    """Chromium could not start, load the page or print it (the reason in the message)."""


def chromium_path() -> str | None:
    """Debian's chromium (or another Chromium found on PATH); None when there is none."""
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def chromium_check() -> Check:
    """Whether a Chromium is on PATH for PDF reports (``surveylab doctor``)."""
    found = chromium_path()
    if found is None:
        return Check.problem(
            "chromium",
            "no chromium on PATH: PDF reports cannot be printed (HTML reports still work)",
            "apt-get install chromium (Debian's; put it on the service's PATH)",
        )
    return Check.ok("chromium", f"{found} prints PDF reports")


class _DevTools:
    """One chromium process and the DevTools protocol on its pipe (blocking, one caller)."""

    def __init__(self, browser: str, profile: str, deadline: float) -> None:
        self.deadline = deadline
        self.stderr = Path(profile) / "stderr.txt"
        to_browser = os.pipe()
        from_browser = os.pipe()
        # the child's ends go to fds 3 and 4; duplicates above 4 so that dup2 always moves them
        theirs = [
            fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 5) for fd in (to_browser[0], from_browser[1])
        ]
        for fd in (to_browser[0], from_browser[1]):
            os.close(fd)
        self._out, self._in = to_browser[1], from_browser[0]
        nice = shutil.which("nice")
        argv = [
            *([nice, "-n", str(NICENESS)] if nice and NICENESS else []),
            browser,
            "--headless",
            *CHROMIUM_OFFLINE_FLAGS,
            f"--user-data-dir={profile}",
            "--remote-debugging-pipe",
            "about:blank",
        ]
        try:
            self.pid = os.posix_spawn(
                argv[0],
                argv,
                os.environ,
                file_actions=[
                    (os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
                    (os.POSIX_SPAWN_OPEN, 1, os.devnull, os.O_WRONLY, 0),
                    (os.POSIX_SPAWN_OPEN, 2, str(self.stderr), os.O_WRONLY | os.O_CREAT, 0o600),
                    (os.POSIX_SPAWN_DUP2, theirs[0], 3),
                    (os.POSIX_SPAWN_DUP2, theirs[1], 4),
                ],
                setpgroup=0,  # a process group of its own, killed as one if it hangs
            )
        finally:
            for fd in theirs:
                os.close(fd)
        self._ended = False
        self._buffer = b""
        self._next_id = 0
        self.events: list[dict[str, Any]] = []

    def _message(self) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            left = self.deadline - time.monotonic()
            if left <= 0:
                raise PrintError("timed out")
            ready, _, _ = select.select([self._in], [], [], left)
            if not ready:
                continue
            chunk = os.read(self._in, 1 << 16)
            if not chunk:
                raise self._exited()
            self._buffer += chunk
        raw, _, self._buffer = self._buffer.partition(b"\0")
        return json.loads(raw)

    def call(self, method: str, session: str | None = None, **params: Any) -> dict[str, Any]:
        """Send one command and return its result (events that arrive meanwhile are kept)."""
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params}
        if session is not None:
            message["sessionId"] = session
        try:
            os.write(self._out, json.dumps(message).encode() + b"\0")
        except BrokenPipeError:  # it has already exited
            raise self._exited() from None
        while True:
            reply = self._message()
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise PrintError(f"{method}: {reply['error'].get('message', reply['error'])}")
                return reply.get("result", {})
            self.events.append(reply)

    def wait_event(self, method: str, session: str) -> dict[str, Any]:
        """The first event ``method`` of ``session`` (kept or still to come)."""
        while True:
            for event in self.events:
                if event.get("method") == method and event.get("sessionId") == session:
                    self.events.remove(event)
                    return event
            self.events.append(self._message())

    def _exited(self) -> PrintError:
        """The error for a browser that closed its pipe: it exited (its last words quoted,
        read once it has ended, up to 2 s later)."""
        self._reap(2.0)
        return PrintError(f"chromium exited: {self.stderr_tail()}")

    def _reap(self, timeout_s: float) -> bool:
        """Wait up to ``timeout_s`` [s] for the browser process to end; whether it has."""
        end = time.monotonic() + timeout_s
        while not self._ended:
            if os.waitpid(self.pid, os.WNOHANG)[0]:
                self._ended = True
            elif time.monotonic() > end:
                break
            else:
                time.sleep(0.01)
        return self._ended

    def stderr_tail(self) -> str:
        try:
            return self.stderr.read_text(errors="replace").strip()[-300:] or "no message"
        except OSError:
            return "no message"

    def close(self) -> None:
        """Close the browser (it ends its own processes), else kill its process group after
        5 s; then the pipe."""
        with contextlib.suppress(OSError):
            os.write(self._out, json.dumps({"id": 0, "method": "Browser.close"}).encode() + b"\0")
        if not self._reap(5.0):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
            self._ended = True
        for fd in (self._out, self._in):
            os.close(fd)


class PdfPrinter:
    """Debian's chromium, started in a thread of its own, that prints one HTML page to PDF.

    Use it as a context manager so that the browser ends whatever happens.

    Parameters
    ----------
    timeout_s : float, optional
        Time allowed from making the printer to the PDF being written [s]. Default 120.
    start : bool, optional
        Start the browser now (default); else at :meth:`start` or, at the latest, :meth:`print`.

    Raises
    ------
    PrintError
        No chromium on this machine.
    """

    def __init__(self, timeout_s: float = 120.0, start: bool = True) -> None:
        browser = chromium_path()
        if browser is None:
            raise PrintError("PDF needs Debian's chromium (apt-get install chromium)")
        self.browser = browser
        self.timeout_s = timeout_s
        self._deadline = time.monotonic() + timeout_s
        self._job: queue.Queue[tuple[Path, Path] | None] = queue.Queue()
        self._result: queue.Queue[BaseException | None] = queue.Queue()
        # not a daemon: a program that ends right after printing still closes the browser
        self._thread = threading.Thread(target=self._run, name="pdf-printer")
        self._started = threading.Lock()
        if start:
            self.start()

    def start(self) -> None:
        """Start the browser (once; later calls do nothing)."""
        if self._started.acquire(blocking=False):
            self._thread.start()

    def _run(self) -> None:
        try:
            with tempfile.TemporaryDirectory(prefix="surveylab-chromium-") as profile:
                tools = _DevTools(self.browser, profile, self._deadline)
                try:
                    self._print(tools)
                finally:
                    tools.close()
        except BaseException as exc:  # handed to the caller of print()
            self._result.put(exc)

    def _print(self, tools: _DevTools) -> None:
        pages = [
            t for t in tools.call("Target.getTargets")["targetInfos"] if t.get("type") == "page"
        ]
        target = (pages[0] if pages else tools.call("Target.createTarget", url=""))["targetId"]
        session = tools.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        tools.call("Page.enable", session)
        job = self._job.get()
        if job is None:
            return
        html_path, pdf_path = job
        navigated = tools.call("Page.navigate", session, url=html_path.resolve().as_uri())
        if navigated.get("errorText"):
            raise PrintError(f"could not load the page: {navigated['errorText']}")
        tools.wait_event("Page.loadEventFired", session)
        printed = tools.call(
            "Page.printToPDF",
            session,
            printBackground=True,
            preferCSSPageSize=True,
            displayHeaderFooter=False,
        )
        pdf_path.write_bytes(base64.b64decode(printed["data"]))
        self._result.put(None)

    def print(self, html_path: Path, pdf_path: Path) -> None:
        """Print ``html_path`` to ``pdf_path`` (A4 unless the page's CSS sets the size).

        Raises
        ------
        PrintError
            The browser did not start, could not load or print the page, or ran out of time.
        """
        self.start()
        self._job.put((html_path, pdf_path))
        try:
            failure = self._result.get(timeout=max(0.0, self._deadline - time.monotonic()) + 1)
        except queue.Empty:
            failure = PrintError("timed out")
        if failure is None and pdf_path.exists() and pdf_path.stat().st_size > 0:
            return
        reason = (str(failure) if failure is not None else "the PDF is empty").strip()
        raise PrintError(f"chromium could not print {html_path.name} to PDF: {reason}")

    def close(self, wait: bool = False) -> None:
        """Let the browser close, in its thread (at once when nothing was printed); ``wait``
        for it to end. The caller need not wait: the PDF is complete when :meth:`print`
        returns, and the browser takes another 0.15 s to close."""
        self._job.put(None)
        if wait and self._thread.is_alive():
            self._thread.join(max(0.0, self._deadline - time.monotonic()) + 10)

    def __enter__(self) -> PdfPrinter:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def html_to_pdf(html_path: Path, pdf_path: Path, timeout_s: float = 120.0) -> None:
    """Print one HTML page to PDF (A4 unless its CSS sets the size) with Debian's chromium.

    Raises
    ------
    PrintError
        No chromium, or it could not load or print the page in time.
    """
    printer = PdfPrinter(timeout_s)
    try:
        printer.print(html_path, pdf_path)
    finally:
        printer.close(wait=True)
