"""Regenerate the README's screenshots from the demo data: the runs dashboard, the upload preview
and the overlay, as a user sees them at 1440x900 in Debian's chromium.

    .venv/bin/python scripts/screenshots.py [--out docs/screenshots] [--keep-full]

Makes a throwaway demo database, serves the dashboards exactly as ``surveylab serve`` does
(:func:`surveylab.cli.serve.voila_command`), drives the pages as a person does (typing, Enter,
clicks), and saves each screen scaled to :data:`WIDTH` px wide as a palette PNG (256 colours,
optimised), which keeps each file well under :data:`MAX_BYTES`. Nothing leaves the machine: the
browser resolves no host but 127.0.0.1. Re-run it whenever the dashboards change; it prints each
file and its size, and fails when a screen cannot be reached or a file is too large.
"""

from __future__ import annotations

import argparse
import io
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
#: Width of the committed images [px]; the browser draws at 1440x900 CSS px.
WIDTH = 900
VIEWPORT = {"width": 1440, "height": 900}
#: Largest committed image [bytes].
MAX_BYTES = 150_000
SECRET = "screenshots-secret-key-that-is-long-enough-0123"
TIMEOUT_MS = 120_000


def serve(data_dir: Path, log: Path) -> tuple[subprocess.Popen, str]:
    """Voila on the demo database, as ``surveylab serve`` runs it, on a free port."""
    from surveylab.cli.serve import voila_command

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = dict(os.environ, SURVEYLAB_DATA_DIR=str(data_dir), SURVEYLAB_SECRET_KEY=SECRET)
    for name in ("SURVEYLAB_DATABASE_URL", "SURVEYLAB_TOKEN", "SURVEYLAB_TOKEN_FILE"):
        env.pop(name, None)
    proc = subprocess.Popen(
        voila_command(port), env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT, cwd=REPO
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            with urllib.request.urlopen(base + "/", timeout=2):
                return proc, base
        except OSError:
            time.sleep(0.3)
    proc.kill()
    raise SystemExit("Voila did not start: " + log.read_text()[-2000:])


def log_in(page, base: str, dashboard: str, username: str) -> None:
    """Open a dashboard and log in with a demo user, typing and pressing Enter."""
    page.goto(f"{base}/voila/render/{dashboard}.ipynb", wait_until="domcontentloaded")
    page.wait_for_selector(".sl-login-button", state="visible")
    page.click(".sl-login-username input")
    page.keyboard.type(username)
    page.keyboard.press("Tab")
    page.keyboard.type(f"{username}-demo-password")
    page.keyboard.press("Enter")
    page.wait_for_selector(".sl-user")


def choose_run(page, number: str) -> None:
    """Choose a run in the runs dashboard: a click on its row where the table takes clicks,
    else the run dropdown. First the page finishes loading (its hidden plotly figure, drawn a
    second after the first page, re-lays the page out)."""
    page.wait_for_selector(".sl-plotly-warmup .js-plotly-plot", state="attached")
    page.wait_for_timeout(500)
    dropdown = page.locator(".sl-run-select select")
    if dropdown.count():
        label = page.locator(f".sl-run-select option:text-matches('^{number}')").first
        page.select_option(".sl-run-select select", label=label.inner_text())
    else:
        page.click(f".sl-runs-table tbody tr[data-id]:has(td:text-is('{number}'))")
    page.wait_for_selector(".sl-summary:has-text('At TD')")


def bring_into_view(page, target: str, top: str) -> None:
    """Scroll as a person would to see ``target`` (a CSS selector): when part of it is below
    the screen, Voila's scrolling ``#rendered_cells`` is scrolled until ``top`` is at the top:
    a selector, or ``closest:SELECTOR`` for the target's nearest ancestor matching it.

    Plotly lays its figures out again once drawn, and the runs dashboard's page then jumps
    back to the top: the scroll is repeated until it holds for half a second."""
    for _ in range(10):
        wanted = page.evaluate(
            """([target, top]) => {
                const el = [...document.querySelectorAll(target)].find(e => e.offsetParent);
                const sc = document.getElementById('rendered_cells');
                if (!el || !sc) return null;
                const r = el.getBoundingClientRect();
                if (r.bottom <= window.innerHeight) return null;  // all of it on the screen
                const to = top.startsWith('closest:')
                    ? el.closest(top.slice(8)) : document.querySelector(top);
                sc.scrollTop += to.getBoundingClientRect().top - sc.getBoundingClientRect().top - 8;
                return sc.scrollTop;
            }""",
            [target, top],
        )
        page.wait_for_timeout(500)
        now = page.evaluate("() => document.getElementById('rendered_cells')?.scrollTop")
        if wanted is None or now == wanted:
            return


def settle(page) -> None:
    """Wait until no plotly figure is still laying out and the busy line is empty."""
    page.wait_for_function(
        "() => !document.querySelector('.sl-busy')?.textContent.trim()", polling=200
    )
    page.wait_for_timeout(800)  # plotly's transitions and web fonts


def save(page, path: Path, keep_full: Path | None) -> int:
    """The screen, scaled to :data:`WIDTH` px, as an optimised 256-colour PNG; its size."""
    from PIL import Image

    shot = Image.open(io.BytesIO(page.screenshot())).convert("RGB")
    if keep_full is not None:
        shot.save(keep_full / path.name)
    height = round(shot.height * WIDTH / shot.width)
    small = shot.resize((WIDTH, height), Image.Resampling.LANCZOS)
    small.quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE).save(
        path, optimize=True
    )
    return path.stat().st_size


def runs_screen(page, base: str) -> None:
    log_in(page, base, "runs", "viewer")
    page.wait_for_selector(".sl-runs-table:has-text('D302')")
    choose_run(page, "D302")
    page.get_by_role("tab", name="Plots").click()
    page.wait_for_function("document.querySelectorAll('.sl-plots .js-plotly-plot').length >= 2")
    bring_into_view(page, ".sl-plots .js-plotly-plot", "closest:.widget-tab, .lm-TabPanel")
    settle(page)


def upload_screen(page, base: str, survey: Path) -> None:
    log_in(page, base, "upload", "surveyor")
    page.wait_for_selector(".sl-file-upload")
    well = page.locator(".sl-upload-well select option", has_text="Demo H-3").first
    page.select_option(".sl-upload-well select", label=well.inner_text())
    with page.expect_file_chooser() as chooser:
        page.click(".sl-file-upload")
    chooser.value.set_files([str(survey)])
    page.wait_for_selector(".sl-preview:has-text('Last station')")
    page.wait_for_selector(".sl-preview-plots .js-plotly-plot")
    bring_into_view(page, ".sl-preview-plots .js-plotly-plot", ".sl-preview-select")
    settle(page)


def overlay_screen(page, base: str) -> None:
    log_in(page, base, "runs", "engineer")
    page.wait_for_selector(".sl-runs-table:has-text('D302')")
    choose_run(page, "D302")
    page.get_by_role("tab", name="Overlay").click()
    panel = page.locator(".widget-tab-contents, .lm-TabPanel-stackedPanel").first
    button = panel.get_by_role("button", name="Overlay")
    if button.count():
        button.first.click()
    page.wait_for_selector(".sl-overlay-plot .js-plotly-plot")
    bring_into_view(page, ".sl-overlay-plot .js-plotly-plot", "closest:.widget-tab, .lm-TabPanel")
    settle(page)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--out", type=Path, default=REPO / "docs" / "screenshots")
    p.add_argument("--keep-full", action="store_true", help="also keep the 1440x900 originals")
    args = p.parse_args(argv)
    from playwright.sync_api import sync_playwright

    from surveylab import db
    from surveylab.config import load_settings
    from surveylab.demo import load_demo, vendor_csv, well_profile
    from surveylab.reports.chromium import CHROMIUM_OFFLINE_FLAGS, chromium_path

    chromium = chromium_path()
    if chromium is None:
        raise SystemExit("Debian's chromium is needed (apt-get install chromium)")
    work = Path(tempfile.mkdtemp(prefix="surveylab-screens-"))
    settings = load_settings({"SURVEYLAB_DATA_DIR": str(work), "SURVEYLAB_SECRET_KEY": SECRET})
    db.upgrade(settings)
    load_demo(settings, echo=lambda *_: None)
    # a new survey of the horizontal demo well, as a vendor would send it
    survey = work / "H-3_MWD_resurvey.csv"
    stations = well_profile("horizontal", azimuth=300.0, noise_deg=0.04, seed=77)
    survey.write_bytes(vendor_csv(stations, well="Demo H-3", run="D302b", tool="MWD"))
    args.out.mkdir(parents=True, exist_ok=True)
    full = args.out / "full" if args.keep_full else None
    if full is not None:
        full.mkdir(exist_ok=True)
    proc, base = serve(work, work / "voila.log")
    sizes: dict[str, int] = {}
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(
                executable_path=chromium,
                args=[
                    *CHROMIUM_OFFLINE_FLAGS,
                    "--disable-dev-shm-usage",
                    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
                ],
            )
            for name, make in (
                ("runs.png", lambda page: runs_screen(page, base)),
                ("upload-preview.png", lambda page: upload_screen(page, base, survey)),
                ("overlay.png", lambda page: overlay_screen(page, base)),
            ):
                ctx = browser.new_context(viewport=VIEWPORT)
                ctx.set_default_timeout(TIMEOUT_MS)
                page = ctx.new_page()
                make(page)
                sizes[name] = save(page, args.out / name, full)
                ctx.close()
            browser.close()
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        shutil.rmtree(work, ignore_errors=True)
    for name, size in sizes.items():
        print(f"{args.out / name}: {size / 1000:.0f} kB")
    too_big = [n for n, s in sizes.items() if s > MAX_BYTES]
    if too_big:
        print(f"larger than {MAX_BYTES} bytes: {', '.join(too_big)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
