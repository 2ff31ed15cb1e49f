"""Benchmark report rendering: the survey report of a 1,000-station run against the floor.

Usage::

    PYTHONPATH=. python bench/bench_reports.py [--rounds 5] [--stations 1000] [--breakdown]

One run of the script does everything in interleaved rounds, in a fresh DuckDB under a
temporary folder: the floor (papermill executing an empty notebook with the same kernel,
``python3``), the survey report to HTML and to PDF through :func:`surveylab.reports.
render.render_report`. Targets: HTML within 2x of the floor; PDF within 2x of the HTML. Medians
over rounds and the spread (min-max) are printed as a Markdown table.

``--breakdown`` adds one instrumented rendering: the report's sections built in this process
(what :func:`render_report` prepares while the kernel starts), the notebook's execution as it
runs without them (the kernel building the report itself, as when run by hand: kernel start-up
and each cell, from papermill's cell durations), the HTML page, the PDF print in a fresh
browser, and the report's static figures drawn in this process (matplotlib).
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
    from surveylab.reports.render import render_report

    t = time.perf_counter()
    render_report(session, run=run.run_number, fmt=fmt, output_dir=out)
    return time.perf_counter() - t


def breakdown(session, run, folder: Path) -> None:
    """Print where one survey report's time goes [s]."""
    import json

    from surveylab.reports.chromium import html_to_pdf
    from surveylab.reports.render import TEMPLATES, execute_notebook, notebook_to_html
    from surveylab.reports.survey import SurveyReport

    work = folder / "breakdown"
    work.mkdir(exist_ok=True)
    t = time.perf_counter()
    executed = execute_notebook(TEMPLATES["survey"], {"run": str(run.id)}, session.token, work)
    total = time.perf_counter() - t
    cells = [
        c["metadata"]["papermill"]["duration"] for c in json.loads(executed.read_text())["cells"]
    ]
    t = time.perf_counter()
    page = notebook_to_html(executed, "bench", for_print=True)
    to_html = time.perf_counter() - t
    (work / "bench.html").write_text(page, encoding="utf-8")
    t = time.perf_counter()
    html_to_pdf(work / "bench.html", work / "bench.pdf")
    to_pdf = time.perf_counter() - t
    report = SurveyReport.build(run.run_number, session=session)
    report.figures()  # first figures pay matplotlib's lazy imports (mplot3d) and font look-up
    t = time.perf_counter()
    report.figures()
    figures = time.perf_counter() - t
    t = time.perf_counter()
    SurveyReport.build(run.run_number, session=session).sections()
    prepared = time.perf_counter() - t
    print(
        f"breakdown: sections built in-process {prepared:.2f} s; "
        f"papermill building in the kernel {total:.2f} s = kernel start and papermill "
        f"{total - sum(cells):.2f} s + cells {', '.join(f'{c:.2f}' for c in cells)} s; "
        f"HTML page {to_html:.3f} s ({len(page) / 1e3:.0f} kB); PDF print {to_pdf:.2f} s; "
        f"four static figures in-process (warm) {figures:.2f} s"
    )


def cpu_model() -> str:
    """The CPU's model name (Linux), else the machine type."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.machine()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--stations", type=int, default=1000)
    ap.add_argument("--breakdown", action="store_true")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="surveylab-bench-reports-") as tmp:
        folder = Path(tmp)
        load_start = os.getloadavg()[0]
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
            f"{cpu_model()}, {os.cpu_count()} cores, Python {sys.version.split()[0]}; "
            f"load average {load_start:.1f} at the start, {os.getloadavg()[0]:.1f} at the end"
        )
        per_round = [h / f for h, f in zip(times["html"], times["floor"], strict=True)]
        pdf_round = [p / h for p, h in zip(times["pdf"], times["html"], strict=True)]
        print(
            f"same-round ratios, median: HTML {statistics.median(per_round):.2f}x floor, "
            f"PDF {statistics.median(pdf_round):.2f}x HTML"
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
        if args.breakdown:
            print()
            breakdown(session, run, folder)
    return 0


if __name__ == "__main__":
    sys.exit(main())
