"""Dashboard benchmark: opening the runs dashboard and drawing a 10,000-station run.

    .venv/bin/python bench/bench_dashboards.py [--runs 1000] [--stations 200000]
        [--big 10000] [--repeat 3] [--no-browser] [--markdown bench/RESULTS.md]

On a fresh DuckDB database of ``--runs`` runs holding ``--stations`` stations in all (one run
of ``--big`` stations, the others sharing the rest; rows written through the repositories in
bulk, as the import service stores them):

- kernel side: ``import surveylab.ui.runs_app`` in a fresh interpreter; RunsApp login until the
  first page of the runs table is built; ``RunsApp.select_run`` of the big run, figures
  serialised as the kernel sends them (median of ``--repeat``);
- browser side (Debian's chromium via Playwright, Voila started with ``voila_command``):
  from opening runs.ipynb to the runs table shown after logging in, against the floor: a bare
  notebook showing one ipywidgets Button, served by the same Voila options from a temp dir.
  The dashboard's time is split into until the login form, typing the user and password
  (Playwright's, reported but not the software's) and from the click on "Log in" to the
  table; floor and dashboard loads alternate, each from a blank page after ``SETTLE_S``
  (the previous page's kernel ended, Voila's pool refilled), and "shown" is checked in the
  page at every animation frame (:func:`wait_visible`);
  from a click on the big run's row to its summary shown; from a click on the Plots tab to
  its three plots drawn; from a click on the 3-D tab to its WebGL scene drawn; with the Plots
  tab open, from a click on the big run's row to its plots drawn; from a click on Next to the
  runs table's second page (median of ``--repeat``, each on the page's clock).

With ``--bulk-runs N`` the database gets N more runs by bulk inserts (``bench/bulk_runs.py``)
before anything is measured (100,000: a field's worth, where the runs table must stay quick).

With ``--markdown FILE`` a "## Dashboards" section is appended to FILE (never rewritten).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from surveylab import db  # noqa: E402
from surveylab.config import load_settings  # noqa: E402
from surveylab.demo import vendor_csv  # noqa: E402
from surveylab.models import Role  # noqa: E402
from surveylab.reports.chromium import CHROMIUM_OFFLINE_FLAGS  # noqa: E402
from surveylab.repositories import UnitOfWork  # noqa: E402
from surveylab.services import accounts, surveys  # noqa: E402

SECRET = "bench-secret-key-that-is-long-enough-0123456789"
USER, PASSWORD = "bench-engineer", "bench-engineer-password"
BIG_RUN = "A-BIG"
#: No request leaves the machine: every host name but 127.0.0.1 fails to resolve, in the
#: browser itself. (Not Playwright's ``page.route``, which passes every request of the page
#: through its driver and made each load ~0.6 s slower, floor and dashboard alike.)
CHROMIUM_ARGS = [
    *CHROMIUM_OFFLINE_FLAGS,
    "--disable-dev-shm-usage",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
]


def survey_bytes(n: int, seed: int) -> bytes:
    """A vendor CSV of ``n`` stations every 10 m (build to 60 deg, slow turn)."""
    rng = np.random.default_rng(seed)
    md = np.arange(1, n + 1) * 10.0
    inc = np.clip(np.linspace(0, 60, n) + rng.normal(0, 0.05, n), 0, 180).round(2)
    azi = ((30.0 + np.linspace(0, 20, n) + rng.normal(0, 0.1, n)) % 360).round(2)
    frame = pd.DataFrame({"md": md, "inc": inc, "azi": azi})
    return vendor_csv(frame, well="Bench", run=str(seed), tool="MWD")


def build_database(data_dir: Path, n_runs: int, n_stations: int, big: int) -> dict[str, int]:
    """Users, 1 well, ``n_runs`` runs with one survey each, ``n_stations`` stations in all."""
    settings = load_settings({"SURVEYLAB_DATA_DIR": str(data_dir), "SURVEYLAB_SECRET_KEY": SECRET})
    db.upgrade(settings)
    user = accounts.ensure_user(UnitOfWork(settings), USER, PASSWORD, Role.ENGINEER)
    per_run = max(2, (n_stations - big) // max(1, n_runs - 1))
    small = surveys.preview_file(survey_bytes(per_run - 1, 0), "small.csv")  # + tie-on row
    large = surveys.preview_file(survey_bytes(big - 1, 1), "big.csv")
    stored = 0
    with UnitOfWork(settings) as uow:
        well = uow.wells.add("Bench well", "Oil", user.id)
        for i in range(n_runs):
            pv = large if i == 0 else small
            number = BIG_RUN if i == 0 else f"B-{i:05d}"
            run = uow.runs.add(
                run_number=number,
                run_name=f"bench run {i:05d}",
                run_type=("MWD", "Gyro", "GTL", "Unknown")[i % 4],
                user_id=user.id,
                well_id=well.id,
            )
            content = f"bench file {i}".encode()
            f = uow.files.add(
                run_id=run.id,
                file_name=f"{number}.csv",
                content=content,
                sha256=hashlib.sha256(content).hexdigest(),
                detected_format=pv.parsed.format,
                uploaded_by=user.id,
            )
            survey = uow.surveys.add(
                run_id=run.id,
                file_id=f.id,
                revision=1,
                depth_unit=pv.parsed.header.depth_unit,
                azimuth_reference=pv.parsed.header.azimuth_reference,
                method="minimum_curvature",
                dls_course_length=30.0,
                vs_azimuth=None,
                header=pv.parsed.header,
                findings=pv.findings,
                assumptions=pv.assumptions,
                worst_severity="warning" if pv.findings else None,
                imported_by=user.id,
                imported_by_name=USER,
                stations=pv.stations,
            )
            uow.runs.update(run.id, current_survey_id=survey.id)
            stored += len(pv.stations)
        uow.commit()
    db.get_engine(settings).dispose()
    return {"runs": n_runs, "stations": stored, "big": len(large.stations)}


#: Pause before each timed page load [s]: Voila refills its pool of pre-heated kernels
#: ``fill_delay`` = 5 s after a page takes one (``surveylab serve``), and the refill (kernel
#: start, the notebook's imports, the kernel's warm-up) takes 2-3 s of CPU. Without the pause,
#: back-to-back loads time the previous load's refill on this 2-core machine; with 5 s (the
#: second session's value, before the fill delay went from 1 to 5 s) the timed load still
#: overlapped the end of that refill.
SETTLE_S = 10.0


def median_ms(fn, repeat: int) -> tuple[float, list[float]]:
    """Median and all times [ms] of ``repeat`` calls of ``fn``."""
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times), times


# ----------------------------------------------------------------------------- kernel side
def kernel_side(data_dir: Path, repeat: int) -> dict[str, float]:
    out: dict[str, float] = {}
    env = dict(os.environ, PYTHONPATH=str(REPO))

    def fresh_import(module: str) -> float:
        code = f"import time; t=time.perf_counter(); import {module}; print(time.perf_counter()-t)"
        r = subprocess.run(
            [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
        )
        return float(r.stdout.strip()) * 1000

    for module in ("ipywidgets", "surveylab.ui.runs_app"):
        out[f"import {module}"] = statistics.median(fresh_import(module) for _ in range(repeat))
    import surveylab.ui.runs_app as runs_app
    from surveylab.ui.runs_app import RunsApp

    settings = load_settings({"SURVEYLAB_DATA_DIR": str(data_dir), "SURVEYLAB_SECRET_KEY": SECRET})

    def login_and_list():
        app = RunsApp(settings)
        assert app.login.submit(USER, PASSWORD) is not None
        assert "1000 runs" in app.page_label.value or app.total > 0
        return app

    out["login + first page [kernel]"], _ = median_ms(login_and_list, repeat)
    app = login_and_list()
    sent: list[int] = []

    def send(fig) -> None:  # what the kernel does with a figure: serialise it to JSON
        sent.append(len(json.dumps(fig.to_plotly_json(), default=str)))

    runs_app.display = send
    app.search.value = BIG_RUN

    def select_summary() -> None:
        if app.tabs is not None:
            app.tabs.selected_index = 0
        app.table.selected = None
        app.choose(BIG_RUN)  # the summary

    def select_and_plot() -> None:
        select_summary()
        app.tabs.selected_index = runs_app.TAB_PLOTS  # the three figures of the Plots tab

    out["choose 10k run: summary [kernel]"], _ = median_ms(select_summary, repeat)
    out["choose 10k run + Plots tab, 3 figures [kernel]"], _ = median_ms(select_and_plot, repeat)
    out["figure JSON [kB]"] = sum(sent[-3:]) / 1000

    def open_3d() -> None:
        app.tabs.selected_index = 0
        app._drawn.pop(runs_app.TAB_3D, None)
        app.tabs.selected_index = runs_app.TAB_3D

    out["3-D tab, 1 figure [kernel]"], _ = median_ms(open_3d, repeat)
    out["3-D figure JSON [kB]"] = sent[-1] / 1000
    app.tabs.selected_index = 0
    app.search.value = ""

    def next_page() -> None:
        app.turn_page(+1)

    out[f"next page of the runs table, {app.total:,} runs [kernel]"], _ = median_ms(
        next_page, repeat
    )

    def sort_by_well() -> None:
        key = "well" if app.table.sort_key != "well" else "run_number"
        app.table.set_state({"sort_key": key, "sort_descending": False})

    out["sort the runs table by a column [kernel]"], _ = median_ms(sort_by_well, repeat)
    db.get_engine(settings).dispose()
    return out


# ----------------------------------------------------------------------------- browser side
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_voila(directory: Path, data_dir: Path, log: Path) -> tuple[subprocess.Popen, str]:
    from surveylab.cli.serve import DASHBOARDS_DIR, voila_command

    port = _free_port()
    cmd = voila_command(port)
    cmd[cmd.index(str(DASHBOARDS_DIR))] = str(directory)
    env = dict(
        os.environ,
        SURVEYLAB_DATA_DIR=str(data_dir),
        SURVEYLAB_SECRET_KEY=SECRET,
        PYTHONPATH=str(REPO),
    )
    env.pop("SURVEYLAB_DATABASE_URL", None)
    proc = subprocess.Popen(cmd, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    for _ in range(600):
        try:
            with urllib.request.urlopen(base + "/", timeout=2):
                return proc, base
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("Voila did not start: " + log.read_text()[-2000:])


def bare_notebook(directory: Path) -> None:
    cell = {
        "cell_type": "code",
        "execution_count": None,
        "metadata": {},
        "outputs": [],
        "source": [
            "import ipywidgets as w\n",
            "b = w.Button(description='ready')\n",
            "b.add_class('bare-ready')\n",
            "b",
        ],
    }
    nb = {
        "cells": [cell],
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    (directory / "bare.ipynb").write_text(json.dumps(nb))


#: In-page test of "shown": in the page, with text (if given), with a box, not hidden.
_VISIBLE = """([selector, text]) => {
  const e = document.querySelector(selector);
  if (!e || (text && !e.textContent.includes(text))) return false;
  const r = e.getBoundingClientRect();
  const shown = r.width > 0 && r.height > 0 && getComputedStyle(e).visibility !== "hidden";
  return shown ? performance.now() : false;
}"""

#: Records, in the page, when the last click happened [ms since the page's navigation start].
_CLICK_CLOCK = (
    "addEventListener('click', () => { window.__benchClick = performance.now(); }, true);"
)


def wait_visible(page, selector: str, text: str | None = None) -> float:
    """Wait until the first ``selector`` is shown (and holds ``text``), checked in the page
    at every animation frame; returns the page's clock then [ms since its navigation began].

    Not ``page.wait_for_selector``: Playwright retries that at 0, 20, 70, 170, 270 ms and
    then every 500 ms, so every time it measured was up to 0.5 s late (the first three
    sessions' figures: a floor "bimodal" at 1.7 or 2.2 s was two neighbouring retries).
    """
    return float(page.wait_for_function(_VISIBLE, arg=[selector, text], polling="raf").json_value())


def wait_attached(page, selector: str) -> None:
    """Wait until ``selector`` is in the page, checked at every animation frame."""
    page.wait_for_function(
        "(selector) => document.querySelector(selector) !== null", arg=selector, polling="raf"
    )


def browser_side(data_dir: Path, repeat: int) -> dict[str, float]:
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        raise RuntimeError("Debian's chromium is not installed")
    out: dict[str, float] = {}
    tmp = Path(tempfile.mkdtemp(prefix="bench-voila-"))
    bare_notebook(tmp)
    procs = []
    try:
        bare_proc, bare_base = start_voila(tmp, data_dir, tmp / "bare.log")
        procs.append(bare_proc)
        from surveylab.cli.serve import DASHBOARDS_DIR

        runs_proc, runs_base = start_voila(DASHBOARDS_DIR, data_dir, tmp / "runs.log")
        procs.append(runs_proc)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
            ctx = browser.new_context(viewport={"width": 1280, "height": 800})
            ctx.set_default_timeout(180_000)
            ctx.add_init_script(_CLICK_CLOCK)
            page = ctx.new_page()
            escaped: list[str] = []  # answers from anywhere but this machine: none expected
            page.on(
                "response",
                lambda r: (
                    None
                    if r.url.startswith(("http://127.0.0.1", "ws://127.0.0.1", "blob:", "data:"))
                    else escaped.append(r.url)
                ),
            )

            def open_bare() -> dict[str, float]:
                """Open the floor: [ms] on the page's clock and on Playwright's."""
                t0 = time.perf_counter()
                page.goto(f"{bare_base}/voila/render/bare.ipynb", wait_until="commit")
                shown = wait_visible(page, ".bare-ready")
                return {"page": shown, "playwright": (time.perf_counter() - t0) * 1000}

            def open_runs() -> dict[str, float]:
                """Open the dashboard, log in, wait for the table: the parts [ms].

                On the page's clock: from navigation to the login form, and from the click
                on "Log in" to the table (the software's time); on Playwright's clock also
                the typing and Playwright's work around its click.
                """
                t0 = time.perf_counter()
                page.goto(f"{runs_base}/voila/render/runs.ipynb", wait_until="commit")
                form = wait_visible(page, ".sl-login-button")
                t1 = time.perf_counter()
                page.fill(".sl-login-username input", USER)
                page.fill(".sl-login-password input", PASSWORD)
                t2 = time.perf_counter()
                page.click(".sl-login-button")
                wait_visible(page, ".sl-runs-table table")
                table = wait_visible(page, ".sl-page-label", "Page 1")
                t3 = time.perf_counter()
                click = float(page.evaluate("window.__benchClick"))
                return {
                    "form": form,
                    "table": table - click,
                    "page": form + table - click,
                    "typing": (t2 - t1) * 1000,
                    "playwright": (t3 - t0) * 1000,
                }

            open_bare()  # warm both servers (first kernel, browser caches)
            open_runs()

            def leave_and_settle() -> None:
                # a timed load starts from a blank page: the previous page's kernel is shut
                # down (a logged-in dashboard kernel, hundreds of MB) and the
                # pool refilled before the clock starts, for the floor and the dashboard alike
                page.goto("about:blank")
                time.sleep(SETTLE_S)

            # floor and dashboard loads alternate, so that both see the same machine
            bare: list[dict[str, float]] = []
            runs: list[dict[str, float]] = []
            for _ in range(repeat):
                leave_and_settle()
                bare.append(open_bare())
                leave_and_settle()
                runs.append(open_runs())
                print(
                    "bare", {k: round(v) for k, v in bare[-1].items()},
                    "runs", {k: round(v) for k, v in runs[-1].items()},
                    flush=True,
                )  # fmt: skip

            def med(parts: list[dict[str, float]], key: str) -> float:
                return statistics.median(p[key] for p in parts)

            out["bare notebook, one widget [page clock]"] = med(bare, "page")
            out["runs dashboard: until the login form [page clock]"] = med(runs, "form")
            out["runs dashboard: click on Log in until the table [page clock]"] = med(runs, "table")
            out["runs dashboard: login form + table [page clock]"] = med(runs, "page")
            out["bare notebook, one widget [Playwright clock]"] = med(bare, "playwright")
            out["runs dashboard: typing user and password [Playwright clock]"] = med(runs, "typing")
            out["runs dashboard: all, typing included [Playwright clock]"] = med(runs, "playwright")

            def clicked_until(condition: str, arg=None) -> float:
                """[ms] from the last click to ``condition`` true, on the page's clock
                (checked at every animation frame)."""
                done = page.wait_for_function(
                    f"(arg) => ({condition}) ? performance.now() : false",
                    arg=arg,
                    polling="raf",
                ).json_value()
                return float(done) - float(page.evaluate("window.__benchClick"))

            row = f".sl-runs-table tbody tr[data-id]:has(td:text-is('{BIG_RUN}'))"
            other_row = ".sl-runs-table tbody tr[data-id]:not(.sl-grid-selected)"
            plots_of = (
                "['.sl-plan', '.sl-section', '.sl-dls'].every(s => {"
                " const g = document.querySelector(s + ' .js-plotly-plot');"
                " return g && g._fullLayout && g._fullLayout.title"
                " && String(g._fullLayout.title.text).includes(arg)"
                " && g.querySelector('.scatterlayer .trace'); })"
            )
            scene_of = (
                "(() => { const g = document.querySelector('.sl-plot-3d .js-plotly-plot');"
                " return g && g._fullLayout && g._fullLayout.scene"
                " && g._fullLayout.scene._scene && g._fullLayout.scene._scene.glplot"
                " && String(g._fullLayout.title.text).includes(arg)"
                " && g.querySelector('canvas'); })()"
            )
            parts: dict[str, list[float]] = {}

            def draw_big() -> None:
                open_runs()
                # the page is ready once it has loaded plotly.js (hidden warm-up figure,
                # drawn after the first page of runs while the user reads it)
                t_ready = time.perf_counter()
                wait_attached(page, ".sl-plotly-warmup .js-plotly-plot")
                parts.setdefault("ready", []).append((time.perf_counter() - t_ready) * 1000)
                page.wait_for_selector(row)  # first by run number: on page 1
                time.sleep(SETTLE_S)  # a person reads the table; Voila refills its pool
                page.click(row)
                parts.setdefault("summary", []).append(
                    clicked_until(
                        "(() => { const e = document.querySelector('.sl-summary');"
                        " return e && e.textContent.includes('Closure at TD')"
                        " && e.getBoundingClientRect().height > 0; })()"
                    )
                )
                page.get_by_role("tab", name="Plots").click()
                parts.setdefault("plots tab", []).append(clicked_until(plots_of, BIG_RUN))
                page.get_by_role("tab", name="3-D").click()
                parts.setdefault("3-D tab", []).append(clicked_until(scene_of, BIG_RUN))
                # with the Plots tab open, choosing a run draws its plots at once
                page.get_by_role("tab", name="Plots").click()
                page.locator(other_row).first.click()
                page.wait_for_function(f"(arg) => !({plots_of})", arg=BIG_RUN, polling="raf")
                time.sleep(2.0)
                page.click(row)
                parts.setdefault("run to plots", []).append(clicked_until(plots_of, BIG_RUN))
                # the next page of the whole table
                time.sleep(1.0)
                page.click(".sl-next")
                parts.setdefault("next page", []).append(
                    clicked_until(
                        "document.querySelector('.sl-page-label').textContent.includes('Page 2 of')"
                    )
                )
                page.get_by_role("tab", name="Summary").click()

            for _ in range(repeat):
                draw_big()
            med = statistics.median
            out["after the table: until plotly.js is loaded [browser]"] = med(parts["ready"])
            out["click on the 10k run's row until its summary shows [page clock]"] = med(
                parts["summary"]
            )
            out["click on Plots until its 3 plots are drawn [page clock]"] = med(parts["plots tab"])
            out["click on 3-D until its scene is drawn [page clock]"] = med(parts["3-D tab"])
            out["Plots open: click on the 10k run's row until its plots are drawn [page clock]"] = (
                med(parts["run to plots"])
            )
            out["click on Next until page 2 of the runs table shows [page clock]"] = med(
                parts["next page"]
            )
            browser.close()
            if escaped:
                raise RuntimeError(f"requests left the machine: {escaped[:5]}")
    finally:
        for proc in procs:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
    return out


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return (
        f"{cpu}, {os.cpu_count()} cores, Python {sys.version.split()[0]}, "
        f"{platform.system()} {platform.release()}; load average at the end {load}"
    )


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--runs", type=int, default=1000)
    p.add_argument("--stations", type=int, default=200_000)
    p.add_argument("--big", type=int, default=10_000)
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument(
        "--bulk-runs",
        type=int,
        default=0,
        help="add this many runs with bulk inserts (bench/bulk_runs.py), e.g. 100000",
    )
    p.add_argument("--no-browser", action="store_true")
    p.add_argument("--markdown", type=Path)
    args = p.parse_args(argv)
    data_dir = Path(tempfile.mkdtemp(prefix="bench-dash-"))
    t0 = time.perf_counter()
    counts = build_database(data_dir, args.runs, args.stations, args.big)
    if args.bulk_runs:
        from bulk_runs import fill

        fill(data_dir, args.bulk_runs)
        counts["runs"] += args.bulk_runs
    build_s = time.perf_counter() - t0
    print(f"# database: {counts} in {build_s:.1f} s", flush=True)
    results = kernel_side(data_dir, args.repeat)
    for k, v in results.items():
        print(f"{k}: {v:.1f}", flush=True)
    if not args.no_browser:
        b = browser_side(data_dir, args.repeat)
        for k, v in b.items():
            print(f"{k}: {v:.1f}", flush=True)
        results.update(b)
    lines = [
        "",
        "## Dashboards",
        "",
        "Command (from the repository root):",
        "",
        f"    .venv/bin/python bench/bench_dashboards.py --repeat {args.repeat}"
        + (f" --bulk-runs {args.bulk_runs}" if args.bulk_runs else "")
        + (" --no-browser" if args.no_browser else "")
        + " --markdown bench/RESULTS.md",
        "",
        f"Machine: {machine()}.",
        f"DuckDB database: {counts['runs']} runs, {counts['stations']} stations "
        f"(one run of {counts['big']}), built in {build_s:.0f} s. Medians of {args.repeat}.",
        "",
        "| measurement | median [ms] |",
        "|---|---:|",
    ]
    for k, v in results.items():
        unit_note = "" if "[kB]" not in k else " (kB, not ms)"
        lines.append(f"| {k}{unit_note} | {v:.0f} |")
    bare = results.get("bare notebook, one widget [page clock]")
    dash = results.get("runs dashboard: login form + table [page clock]")
    bare_pw = results.get("bare notebook, one widget [Playwright clock]")
    typed = results.get("runs dashboard: all, typing included [Playwright clock]")
    if bare and dash and bare_pw and typed:
        lines += [
            "",
            f"Runs dashboard / bare notebook: {dash / bare:.2f}x on the page's clock (target "
            f"1.5x); {typed / bare_pw:.2f}x on Playwright's, with its typing and clicking.",
        ]
    targets = (
        ("click on the 10k run's row until its summary shows [page clock]", 500),
        ("Plots open: click on the 10k run's row until its plots are drawn [page clock]", 1000),
        ("click on 3-D until its scene is drawn [page clock]", 1000),
        ("click on Next until page 2 of the runs table shows [page clock]", 300),
    )
    met = [
        f"- {k}: {results[k]:.0f} ms, target {limit} ms: "
        + ("met" if results[k] <= limit else "**not met**")
        for k, limit in targets
        if k in results
    ]
    if met:
        lines += ["", "Against the targets:", "", *met]
    if args.markdown:
        with args.markdown.open("a", encoding="utf-8") as fh:
            fh.write("\n".join(lines) + "\n")
    print("\n".join(lines))
    shutil.rmtree(data_dir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
