"""Benchmark report rendering: the survey report of a 1,000-station run against the floor.

Usage::

    PYTHONPATH=. python bench/bench_reports.py [--rounds 3] [--stations 1000] [--old-figures]

One run of the script does everything in interleaved rounds, in a fresh DuckDB under a
temporary folder: the floor (papermill executing an empty notebook with the same kernel,
``python3``), the survey report to HTML and to PDF through :func:`surveylab.reporting.
render_report`. Targets: HTML within 2x of the floor; PDF within 2x of the HTML. Medians
over rounds and the spread (min-max) are printed as a Markdown table.

``--old-figures`` also times the figures the way the report made them before (one kaleido
browser started per figure, ``fig.to_image``) against the shared browser, in this process.
Wall-clock times: other jobs on the machine inflate them; run on a quiet machine.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

SECRET = "bench-secret-key-that-is-long-enough-0123456789"


def setup(folder: Path, stations: int):
    """A migrated database with one admin and one run holding a ``stations``-station survey."""
    os.environ.update(
        SURVEYLAB_DATA_DIR=str(folder),
        SURVEYLAB_SECRET_KEY=SECRET,
        SURVEYLAB_ACCESS_MINUTES="120",
    )
    os.environ.pop("SURVEYLAB_DATABASE_URL", None)
    os.environ.pop("SURVEYLAB_TOKEN_FILE", None)
    from surveylab import db
    from surveylab.config import load_settings
    from surveylab.demo import PROFILES, vendor_csv, well_profile
    from surveylab.repositories import UnitOfWork
    from surveylab.services import accounts
    from surveylab.session import Session

    settings = load_settings()
    db.upgrade(settings)
    accounts.ensure_user(UnitOfWork(settings), "bench", "bench-password-123", "Admin")
    s = Session.login("bench", "bench-password-123", settings)
    s.create_well("Bench W-1", "Oil")
    run = s.create_run("B001", "Bench W-1 long run", "Gyro", well="Bench W-1")
    length = sum(seg.length for seg in PROFILES["horizontal"])
    profile = well_profile("horizontal", azimuth=300.0, step=length / stations)
    s.import_file(vendor_csv(profile, well="Bench W-1", run="B001", tool="Gyro"), run.id)
    return s, run


def empty_notebook(folder: Path) -> Path:
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "display_name": "Python 3",
        "language": "python",
        "name": "python3",
    }
    nb.cells = [nbformat.v4.new_code_cell("pass")]
    path = folder / "empty.ipynb"
    nbformat.write(nb, path)
    return path


def floor(path: Path, out: Path) -> float:
    import papermill

    t = time.perf_counter()
    papermill.execute_notebook(
        str(path), str(out), kernel_name="python3", progress_bar=False, log_output=False
    )
    return time.perf_counter() - t


def render(session, run, fmt: str, out: Path) -> float:
    from surveylab.reporting import render_report

    t = time.perf_counter()
    render_report(session, run=run.run_number, fmt=fmt, output_dir=out)
    return time.perf_counter() - t


def old_vs_shared_figures(session, run) -> tuple[float, float]:
    """(one browser per figure, one shared browser) [s] for the report's three figures."""
    from surveylab.ui.report import StaticImages, SurveyReport

    report = SurveyReport.build(run.run_number, session=session)
    figs = report.figures()
    t = time.perf_counter()
    for f in figs:
        f.to_image(format="svg", width=900, height=int(f.layout.height or 400))
    old = time.perf_counter() - t
    shared = StaticImages()
    t = time.perf_counter()
    shared.svg(figs)
    new = time.perf_counter() - t
    shared.stop()
    return old, new


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--stations", type=int, default=1000)
    ap.add_argument("--old-figures", action="store_true")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="surveylab-bench-reports-") as tmp:
        folder = Path(tmp)
        session, run = setup(folder, args.stations)
        n = session.survey(run.id).survey.station_count
        empty = empty_notebook(folder)
        times: dict[str, list[float]] = {"floor": [], "html": [], "pdf": []}
        for i in range(args.rounds):
            times["floor"].append(floor(empty, folder / f"empty_out_{i}.ipynb"))
            times["html"].append(render(session, run, "html", folder / "out"))
            times["pdf"].append(render(session, run, "pdf", folder / "out"))
            print(f"round {i + 1}: " + ", ".join(f"{k} {v[-1]:.2f} s" for k, v in times.items()))
        med = {k: statistics.median(v) for k, v in times.items()}
        print()
        print(
            f"Survey report of a {n}-station run; {args.rounds} rounds; machine: "
            f"{platform.machine()}, {os.cpu_count()} cores, Python {sys.version.split()[0]}, "
            f"load average {os.getloadavg()[0]:.1f} at the end"
        )
        print()
        print("| step | median [s] | spread [s] | ratio |")
        print("|---|---|---|---|")
        rows = (
            ("floor: papermill, empty notebook", "floor", "1"),
            ("survey report to HTML", "html", f"{med['html'] / med['floor']:.2f}x floor"),
            ("survey report to PDF", "pdf", f"{med['pdf'] / med['html']:.2f}x HTML"),
        )
        for label, key, ratio in rows:
            lo, hi = min(times[key]), max(times[key])
            print(f"| {label} | {med[key]:.2f} | {lo:.2f}-{hi:.2f} | {ratio} |")
        if args.old_figures:
            old, new = old_vs_shared_figures(session, run)
            print()
            print(
                f"three figures, one browser each (before): {old:.2f} s; "
                f"one shared browser (now): {new:.2f} s"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
