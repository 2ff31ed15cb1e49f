"""Many survey reports at once (``surveylab report-batch``): a few warm kernels, each executing
many report notebooks (:mod:`surveylab.reports.warm`), one failure never stopping the others.

Each worker is a thread with its own session (a :class:`~surveylab.session.Session` holds the
connection of an open batch, so it is not shared) and its own kernel; the threads take runs
from one queue. The parent's share of a report (reading the run and building its sections,
:func:`surveylab.reports.render.render_report`) overlaps the other worker's notebook.
"""

from __future__ import annotations

import os
import queue
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from surveylab.models.records import RunRecord
from surveylab.session import Session

#: Workers (kernels) when not given: the processor count, at most 4 [-].
DEFAULT_WORKERS = max(1, min(4, os.cpu_count() or 1))


@dataclass(frozen=True)
class BatchItem:
    """One report of a batch: the file written, or why it failed.

    Attributes
    ----------
    run_number : str
        The run reported on [text].
    path : Path or None
        The report written [absolute path]; None when it failed.
    error : str or None
        Why the report failed (the step and the message); None when it was written.
    """

    run_number: str
    path: Path | None
    error: str | None

    @property
    def ok(self) -> bool:
        return self.error is None


def render_batch(
    session: Session,
    runs: Sequence[RunRecord],
    *,
    fmt: str = "html",
    output_dir: str | os.PathLike = ".",
    units: str = "m",
    workers: int | None = None,
    progress: Callable[[BatchItem], None] | None = None,
) -> list[BatchItem]:
    """Render the survey report of every run in ``runs`` with ``workers`` warm kernels.

    Parameters
    ----------
    session : Session
        The acting user (needs the right to run reports); each worker acts as the same user.
    runs : sequence of RunRecord
        The runs to report on.
    fmt : str, optional
        "html" or "pdf". Default "html".
    output_dir : str or path-like, optional
        Folder the reports are written to.
    units : str, optional
        Depth unit of the reports: "m", "ft" or "usft".
    workers : int, optional
        Kernels (and threads) working at once; default :data:`DEFAULT_WORKERS`, never more
        than there are runs.
    progress : callable, optional
        Called with each :class:`BatchItem` as it finishes (from the worker's thread, one call
        at a time).

    Returns
    -------
    list of BatchItem
        One per run, in the order of ``runs``: the file, or the error (a failing report, or a
        kernel that could not start, never stops the others).
    """
    from surveylab.reports.render import render_report
    from surveylab.reports.warm import WarmKernel

    n = len(runs)
    results: list[BatchItem | None] = [None] * n
    todo: queue.Queue[int] = queue.Queue()
    for i in range(n):
        todo.put(i)
    reporting = threading.Lock()
    count = max(1, min(workers or DEFAULT_WORKERS, n))

    def finish(i: int, item: BatchItem) -> None:
        results[i] = item
        if progress is not None:
            with reporting:
                progress(item)

    def work() -> None:
        own = Session(session.token, session.settings)
        kernel: WarmKernel | None = None
        start_error: str | None = None
        try:
            kernel = WarmKernel(session.token or "")
        except Exception as exc:  # every run of this worker gets the reason
            start_error = f"{type(exc).__name__}: {exc}"
        try:
            while True:
                try:
                    i = todo.get_nowait()
                except queue.Empty:
                    return
                run = runs[i]
                if kernel is None:
                    finish(i, BatchItem(run.run_number, None, start_error))
                    continue
                try:
                    out = render_report(
                        own,
                        run=str(run.id),
                        fmt=fmt,
                        output_dir=output_dir,
                        units=units,
                        kernel=kernel,
                    )
                    finish(i, BatchItem(run.run_number, out.path, None))
                except Exception as exc:  # one failing report must not stop
                    # the batch; the error names the run and what failed
                    finish(i, BatchItem(run.run_number, None, f"{type(exc).__name__}: {exc}"))
        finally:
            if kernel is not None:
                kernel.close()

    threads = [
        threading.Thread(target=work, name=f"surveylab-report-{k}", daemon=True)
        for k in range(count)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return [item for item in results if item is not None]
