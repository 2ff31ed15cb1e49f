"""Memory of one dashboard kernel: what each open page of the runs dashboard costs the server.

    .venv/bin/python bench/bench_kernel_memory.py [--repeat 3] [--markdown bench/RESULTS.md]

Serves the packaged dashboards as ``surveylab serve`` does (``voila_command``), opens the runs
dashboard in Debian's chromium (Playwright), and reads the memory of the page's kernel process
(psutil) at each step: pre-heated (the login form), after logging in (the first page of runs),
after opening a run (its summary) and after its Plots and 3-D tabs. Twice: on the demo
database (run D302, 200 stations) and on bench_dashboards.py's database (1000 runs, the run
of 10,000 stations). Each repeat is a fresh page, hence a fresh kernel; medians are reported.

RSS counts every page the process maps, the libraries it shares with the other kernels
included; USS is what only this kernel holds (what ending it gives back); PSS shares the
shared pages out among the processes that map them (the kernels' sum is the machine's use).

With ``--markdown FILE`` a "## Dashboard kernel memory" section is appended to FILE.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import psutil

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.bench_dashboards import (  # noqa: E402
    BIG_RUN,
    CHROMIUM_ARGS,
    PASSWORD,
    USER,
    build_database,
    start_voila,
)
from surveylab import db  # noqa: E402
from surveylab.cli.serve import DASHBOARDS_DIR  # noqa: E402
from surveylab.config import load_settings  # noqa: E402
from surveylab.demo import load_demo  # noqa: E402

SECRET = "bench-secret-key-that-is-long-enough-0123456789"
STEPS = (
    "pre-heated (login form)",
    "after login (first page of runs)",
    "after opening the run (summary)",
    "after its Plots and 3-D tabs",
)


def kernel_process(server: psutil.Process, kernel_id: str) -> psutil.Process:
    for child in server.children(recursive=True):
        try:
            if f"kernel-{kernel_id}.json" in " ".join(child.cmdline()):
                return child
        except (psutil.NoSuchProcess, psutil.ZombieProcess):
            continue
    raise RuntimeError(f"no kernel process for {kernel_id}")


def memory_mb(process: psutil.Process) -> dict[str, float]:
    """RSS, PSS and USS of ``process`` [MB], after a second's settling."""
    time.sleep(1.0)
    info = process.memory_full_info()
    return {k: getattr(info, k) / 2**20 for k in ("rss", "pss", "uss")}


def measure(
    base: str, server: psutil.Process, repeat: int, user: str, password: str, run: str
) -> list[list[dict[str, float]]]:
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        raise RuntimeError("Debian's chromium is not installed")
    runs: list[list[dict[str, float]]] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        for i in range(repeat):
            ctx = browser.new_context(viewport={"width": 1280, "height": 800})
            ctx.set_default_timeout(180_000)
            page = ctx.new_page()
            page.goto(f"{base}/voila/render/runs.ipynb", wait_until="domcontentloaded")
            page.wait_for_selector(".sl-login-button", state="visible")
            kernel = kernel_process(
                server, json.loads(page.inner_text("#jupyter-config-data"))["kernelId"]
            )
            steps = [memory_mb(kernel)]
            page.fill(".sl-login-username input", user)
            page.fill(".sl-login-password input", password)
            page.click(".sl-login-button")
            page.wait_for_selector(".sl-runs-table table")
            page.wait_for_selector(".sl-plotly-warmup .js-plotly-plot", state="attached")
            steps.append(memory_mb(kernel))
            select = ".sl-run-select select"
            page.wait_for_selector(f"{select} option:text-matches('^{run}')", state="attached")
            label = page.locator(f"{select} option:text-matches('^{run}')").first.inner_text()
            page.select_option(select, label=label)
            page.wait_for_selector(".sl-summary:has-text('Last station')")
            steps.append(memory_mb(kernel))
            page.get_by_role("tab", name="Plots").click()
            page.wait_for_function(
                "document.querySelectorAll('.sl-plots .js-plotly-plot').length >= 3"
            )
            page.get_by_role("tab", name="3-D").click()
            page.wait_for_selector(".sl-plot-3d .js-plotly-plot canvas")
            steps.append(memory_mb(kernel))
            runs.append(steps)
            print(f"page {i + 1}:", [round(s["rss"]) for s in steps], "MB RSS", flush=True)
            page.goto("about:blank")  # the unload beacon ends the kernel
            ctx.close()
            time.sleep(8)  # the pool refilled before the next page
        browser.close()
    return runs


def serve_and_measure(data: Path, repeat: int, user: str, password: str, run: str):
    """Medians per step [MB] and the server's own RSS [MB] for ``run`` on ``data``."""
    os.environ.update(SURVEYLAB_DATA_DIR=str(data), SURVEYLAB_SECRET_KEY=SECRET)
    proc, base = start_voila(DASHBOARDS_DIR, data, data / "voila.log")
    try:
        time.sleep(15)  # the pools filled
        server = psutil.Process(proc.pid)
        runs = measure(base, server, repeat, user, password, run)
        server_mb = server.memory_full_info().rss / 2**20
    finally:
        proc.terminate()
        proc.wait(30)
    medians = [
        {k: statistics.median(r[i][k] for r in runs) for k in ("rss", "pss", "uss")}
        for i in range(len(STEPS))
    ]
    return medians, server_mb


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--markdown", type=Path)
    args = ap.parse_args()
    demo = Path(tempfile.mkdtemp(prefix="bench-kernel-memory-demo-"))
    settings = load_settings({"SURVEYLAB_DATA_DIR": str(demo), "SURVEYLAB_SECRET_KEY": SECRET})
    db.upgrade(settings)
    load_demo(settings, echo=lambda *_: None)
    db.get_engine(settings).dispose()
    big = Path(tempfile.mkdtemp(prefix="bench-kernel-memory-big-"))
    built = build_database(big, 1000, 200_000, 10_000)
    cases = [
        ("demo database, run D302", demo, "engineer", "engineer-demo-password", "D302"),
        (f"{built['runs']} runs, run {BIG_RUN} of {built['big']} stations", big, USER,
         PASSWORD, BIG_RUN),
    ]  # fmt: skip
    rows = []
    server_mb = []
    for label, data, user, password, run in cases:
        medians, mb = serve_and_measure(data, args.repeat, user, password, run)
        server_mb.append(mb)
        for step, med in zip(STEPS, medians, strict=True):
            rows.append(
                f"| {label} | {step} | {med['rss']:.0f} | {med['pss']:.0f} | {med['uss']:.0f} |"
            )
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    text = "\n".join(
        [
            "## Dashboard kernel memory",
            "",
            "Command (from the repository root):",
            "",
            f"    .venv/bin/python bench/bench_kernel_memory.py --repeat {args.repeat}"
            " --markdown bench/RESULTS.md",
            "",
            f"Machine: AMD EPYC, {os.cpu_count()} cores, Python {platform.python_version()}, "
            f"Linux {platform.release()}; load average at the end {load}. DuckDB, the runs "
            f"dashboard; medians of {args.repeat} pages, each its own kernel. RSS counts the "
            "libraries a kernel shares with the others; USS is what only it holds (what "
            "ending it gives back); PSS shares the shared pages out (the kernels' sum is "
            "the machine's use).",
            "",
            "| database | one runs-dashboard kernel | RSS [MB] | PSS [MB] | USS [MB] |",
            "|---|---|---:|---:|---:|",
            *rows,
            "",
            "The Voila server process itself: "
            + ", ".join(f"{mb:.0f}" for mb in server_mb)
            + " MB RSS.",
            "",
        ]
    )
    print(text)
    if args.markdown:
        with args.markdown.open("a", encoding="utf-8") as fh:
            fh.write("\n" + text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
