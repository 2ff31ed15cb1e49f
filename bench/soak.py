"""Soak: many users at once on PostgreSQL, through ``surveylab serve`` (dashboards and API).

    eval "$(scripts/pg-cluster.sh start)"
    .venv/bin/python bench/soak.py [--database-url URL] [--users 16] [--browsers 2]
        [--session-users 4] [--minutes 10 | --seconds S] [--warmup-seconds 90]
        [--checkpoints 2] [--markdown OUT.md]

A fresh PostgreSQL database (made beside the one ``--database-url`` or
``SURVEYLAB_TEST_PG_URL`` names, dropped at the end) gets one account per simulated user
(Engineers and Surveyors, who may import, and Viewers), a well and some runs with surveys;
``surveylab serve`` then serves the Voila dashboards and the HTTP API from it, as on a team's
server. The users, each acting in a loop with a pause of 0.5-2 s between actions (a person
reading), for ``--minutes``:

- ``--browsers`` users in a real browser (Playwright driving Debian's chromium, one process
  each): open the runs dashboard, log in, wait for the grid, click a run, wait for its
  summary, open Plots, wait for the three plots, close the page (its kernel goes back);
- ``--session-users`` users in this process through :class:`surveylab.session.Session` (what
  a dashboard's kernel calls): log in, a page of runs, open a run's survey, export CSV and
  WITSML, import a new file, now and then a report (papermill);
- the rest through the HTTP API (httpx): log in, a page of runs, open a run, its stations (the
  plots' data), export CSV, import a new file into a new run, now and then a report job
  followed to its end.

Every import has its own run number; at the end each one is looked up in the database:
acknowledged imports must be there, refused ones must not (``lost`` counts the difference).
The server's memory (every process under ``surveylab serve``: Voila, its kernels, the API) and
its kernel count are sampled every 5 s. Memory is compared at rest: after a warm-up of the same
mix (``--warmup-seconds``, not reported; every pool kernel has then been replaced by one that
ran the dashboard to its login form), and after each of ``--checkpoints`` parts of the soak,
the run waits until every closed page's kernel has ended and the RSS is steady. Printed (and
written with ``--markdown``): per action the count, errors, median and p95 latency [ms]; memory
over time and at rest; lost imports.
Exit status 1 when an action failed or an import was lost.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from collections import defaultdict
from pathlib import Path
from typing import Any

from surveylab.models import Role

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

SECRET = "soak-secret-key-that-is-long-enough-0123456789"
PASSWORD = "soak-user-password-1"
WELL = "Soak W-1"
SEED_RUNS = 12
THINK_S = (0.5, 2.0)
#: Seconds between one user's reports (papermill: the heaviest action).
REPORT_EVERY_S = 90.0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _survey_bytes(number: str, seed: int) -> bytes:
    from surveylab.demo import vendor_csv, well_profile

    profile = well_profile("S", azimuth=float(seed % 360), noise_deg=0.05, seed=seed)
    return vendor_csv(profile, well=WELL, run=number, tool="MWD")


class Log:
    """Latencies and errors per action, from every thread (and the browser processes)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.times: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, list[str]] = defaultdict(list)
        self.imports: list[tuple[str, bool]] = []  # (run number, acknowledged)

    def timed(self, action: str, fn, *args, **kw) -> Any:
        t0 = time.perf_counter()
        try:
            out = fn(*args, **kw)
        except Exception as exc:
            with self.lock:
                self.errors[action].append(f"{type(exc).__name__}: {exc}"[:300])
            return None
        with self.lock:
            self.times[action].append((time.perf_counter() - t0) * 1000)
        return out


# ------------------------------------------------------------------------------- API users
def api_user(log: Log, api: str, name: str, writes: bool, stop: float, seed: int) -> None:
    import httpx

    rng = random.Random(seed)
    client = httpx.Client(base_url=api + "/api/v1", timeout=120)
    token = None
    last_report = time.monotonic() - rng.uniform(0, REPORT_EVERY_S)
    n = 0

    def login() -> str:
        for _ in range(5):  # a well-behaved client waits as a 429 asks, then tries again
            r = client.post("/auth/login", json={"username": name, "password": PASSWORD})
            if r.status_code != 429:
                break
            time.sleep(float(r.headers.get("Retry-After", "1")))
        r.raise_for_status()
        return str(r.json()["access_token"])

    while time.monotonic() < stop:
        if token is None or n % 20 == 0:
            token = log.timed("api: log in", login) or token
            if token is None:
                time.sleep(1)
                continue
        h = {"Authorization": f"Bearer {token}"}
        n += 1

        def get(path: str, h=h, **params) -> Any:
            r = client.get(path, headers=h, params=params)
            r.raise_for_status()
            return r

        page = log.timed("api: list runs", get, "/runs", scope="all", page=rng.randint(1, 3))
        items = [i for i in (page.json()["items"] if page else []) if i["revision"]]
        if items:
            run = rng.choice(items)["id"]
            log.timed("api: open a run", get, f"/runs/{run}")
            log.timed("api: stations (plots)", get, f"/runs/{run}/survey")
            log.timed(
                "api: export CSV",
                lambda run=run, h=h: client.get(
                    f"/runs/{run}/survey", headers={**h, "Accept": "text/csv"}
                ).raise_for_status(),
            )
            if time.monotonic() - last_report > REPORT_EVERY_S:
                last_report = time.monotonic()
                log.timed("api: report (job to its end)", _api_report, client, h, run)
        if writes:
            number = f"SOAK-{uuid.uuid4().hex[:10]}"
            ok = log.timed("api: import into a new run", _api_import, client, h, number, seed + n)
            with log.lock:
                log.imports.append((number, bool(ok)))
        time.sleep(rng.uniform(*THINK_S))
    client.close()


def _api_import(client, h, number: str, seed: int) -> bool:
    r = client.post(
        "/runs",
        headers=h,
        json={"run_number": number, "run_name": f"{number} run", "run_type": "MWD", "well": WELL},
    )
    r.raise_for_status()
    files = {"file": (f"{number}.csv", _survey_bytes(number, seed), "text/csv")}
    r = client.post(f"/runs/{number}/files", headers=h, files=files)
    r.raise_for_status()
    return True


def _api_report(client, h, run: str) -> None:
    r = client.post(f"/runs/{run}/reports", headers=h, json={"format": "html"})
    r.raise_for_status()
    where = r.headers["Location"].removeprefix("/api/v1")
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        job = client.get(where, headers=h).raise_for_status().json()
        if job["status"] == "done":
            client.get(where + "/content", headers=h).raise_for_status()
            return
        if job["status"] == "failed":
            raise RuntimeError(f"report job failed: {job.get('error')}")
        time.sleep(0.5)
    raise TimeoutError("report job not done within 600 s")


# --------------------------------------------------------------------------- session users
def session_user(log: Log, name: str, writes: bool, stop: float, seed: int, out: Path) -> None:
    from surveylab.reports.render import render_report
    from surveylab.services.runs import NewRun
    from surveylab.session import Session

    rng = random.Random(seed)
    s = None
    last_report = time.monotonic() - rng.uniform(0, REPORT_EVERY_S)
    n = 0
    while time.monotonic() < stop:
        if s is None or n % 20 == 0:
            s = log.timed("session: log in", Session.login, name, PASSWORD) or s
            if s is None:
                time.sleep(1)
                continue
        n += 1

        def page(s=s) -> list:
            with s.batch():
                s.count_runs()
                return s.runs(limit=25, offset=rng.randint(0, 2) * 25)

        runs = [r for r in (log.timed("session: list runs", page) or []) if r.current_survey_id]
        if runs:
            run = rng.choice(runs)
            log.timed("session: open a run (survey view)", s.survey, run.id)
            log.timed("session: export WITSML 2.0", s.export_survey, run.id, "witsml20")
            if time.monotonic() - last_report > REPORT_EVERY_S:
                last_report = time.monotonic()
                log.timed(
                    "session: report (papermill)", render_report, s, run=str(run.id), output_dir=out
                )
        if writes:
            number = f"SOAK-{uuid.uuid4().hex[:10]}"
            new = NewRun(number, f"{number} run", "Gyro", WELL)
            ok = log.timed(
                "session: import into a new run",
                s.import_file,
                _survey_bytes(number, seed + n),
                new,
                name=f"{number}.csv",
            )
            with log.lock:
                log.imports.append((number, ok is not None))
        time.sleep(rng.uniform(*THINK_S))


# --------------------------------------------------------------------------- browser users
def browser_worker(base: str, name: str, seconds: float, seed: int) -> int:
    """One browser user (run in its own process); one JSON line per action on stdout."""
    from playwright.sync_api import sync_playwright

    from surveylab.reports.chromium import CHROMIUM_OFFLINE_FLAGS

    rng = random.Random(seed)
    stop = time.monotonic() + seconds
    args = [*CHROMIUM_OFFLINE_FLAGS, "--disable-dev-shm-usage"]

    def emit(action: str, ms: float | None, error: str | None = None) -> None:
        print(json.dumps({"action": action, "ms": ms, "error": error}), flush=True)

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=args)
        while time.monotonic() < stop:
            page = browser.new_page(viewport={"width": 1440, "height": 900})
            page.set_default_timeout(120_000)
            step = "dashboard: log in until the grid shows"
            try:
                t0 = time.perf_counter()
                page.goto(f"{base}/voila/render/runs.ipynb", wait_until="domcontentloaded")
                page.wait_for_selector(".sl-login-button", state="visible")
                page.fill(".sl-login-username input", name)
                page.fill(".sl-login-password input", PASSWORD)
                page.click(".sl-login-button")
                page.wait_for_selector(".sl-runs-table tbody tr[data-id]")
                emit(step, (time.perf_counter() - t0) * 1000)
                for _ in range(3):
                    rows = page.locator(".sl-runs-table tbody tr[data-id]")
                    row = rows.nth(rng.randrange(rows.count()))
                    number = row.locator("td").first.inner_text()
                    step = "dashboard: click a run until its summary shows"
                    t0 = time.perf_counter()
                    row.click()
                    page.wait_for_selector(f".sl-run-header:has-text('{number}')")
                    emit(step, (time.perf_counter() - t0) * 1000)
                    step = "dashboard: open Plots until drawn"
                    t0 = time.perf_counter()
                    page.get_by_role("tab", name="Plots", exact=True).click()
                    page.wait_for_function(
                        """() => ['.sl-plan', '.sl-section', '.sl-dls'].every(s => {
                             const g = document.querySelector(s + ' .js-plotly-plot');
                             return g && g._fullLayout && g.querySelector('.main-svg'); })"""
                    )
                    emit(step, (time.perf_counter() - t0) * 1000)
                    page.get_by_role("tab", name="Summary", exact=True).click()
                    time.sleep(rng.uniform(*THINK_S))
            except Exception as exc:
                emit(step, None, f"{type(exc).__name__}: {exc}"[:300])
            finally:
                page.close()  # the page's kernel goes back
            time.sleep(rng.uniform(*THINK_S))
        browser.close()
    return 0


def _browser_reader(log: Log, proc: subprocess.Popen) -> None:
    assert proc.stdout is not None
    for line in proc.stdout:
        try:
            item = json.loads(line)
        except ValueError:
            continue
        with log.lock:
            if item["error"]:
                log.errors[item["action"]].append(item["error"])
            else:
                log.times[item["action"]].append(float(item["ms"]))


# ----------------------------------------------------------------------------- the server
def _parts(pid: int) -> dict[str, float]:
    """RSS of the server's processes by kind [MB]: dashboards (Voila), api, kernels, other."""
    import psutil  # type: ignore[import-untyped]  # no stubs pinned; process sizes only

    out: dict[str, float] = defaultdict(float)
    try:
        procs = psutil.Process(pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return {}
    for p in procs:
        try:
            line = " ".join(p.cmdline())
            kind = (
                "kernels"
                if "ipykernel" in line
                else "api"
                if "surveylab.api" in line
                else "dashboards"
                if "surveylab.server" in line
                else "other"
            )
            out[kind] += p.memory_info().rss / 2**20
        except psutil.Error:
            pass
    return dict(out)


def _memory(pid: int) -> tuple[float, int]:
    """RSS of the server's process tree [MB] and its kernel count."""
    import psutil

    try:
        root = psutil.Process(pid)
        procs = [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0.0, 0
    rss, kernels = 0, 0
    for p in procs:
        try:
            rss += p.memory_info().rss
            if any("ipykernel" in a for a in p.cmdline()):
                kernels += 1
        except psutil.Error:
            pass
    return rss / 2**20, kernels


def _wait_up(url: str, proc: subprocess.Popen, timeout_s: float = 120) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"surveylab serve exited ({proc.returncode})")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except urllib.error.HTTPError:
            return  # answering
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"{url} did not answer within {timeout_s:.0f} s")


def _database(url: str) -> tuple[str, str]:
    """A new database beside ``url``'s: (its URL, its name)."""
    import sqlalchemy as sa

    name = f"surveylab_soak_{os.getpid()}"
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {name}")
        conn.exec_driver_sql(f"CREATE DATABASE {name}")
    engine.dispose()
    return url.rsplit("/", 1)[0] + "/" + name, name


def _drop(url: str, name: str) -> None:
    import sqlalchemy as sa

    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    engine.dispose()


def setup(users: int) -> list[tuple[str, Role]]:
    """Accounts (name, role), the well and :data:`SEED_RUNS` runs with surveys."""
    from surveylab import db
    from surveylab.config import load_settings
    from surveylab.repositories import UnitOfWork
    from surveylab.services import accounts
    from surveylab.session import Session

    settings = load_settings()
    db.upgrade(settings)
    roles = (Role.ENGINEER, Role.SURVEYOR, Role.VIEWER, Role.ENGINEER)
    people = [(f"soak{i:02d}", roles[i % len(roles)]) for i in range(users)]
    for name, role in people:
        accounts.ensure_user(UnitOfWork(settings), name, PASSWORD, role)
    s = Session.login(people[0][0], PASSWORD, settings)
    s.create_well(WELL, "Oil")
    for i in range(SEED_RUNS):
        number = f"SEED-{i:03d}"
        s.create_run(number, f"Seed run {i:03d}", "Gyro", well=WELL)
        s.import_file(_survey_bytes(number, 1000 + i), number, name=f"{number}.csv")
    return people


def report(log: Log, memory: list[tuple[float, float, int]], lost: list[str], meta: str) -> str:
    lines = [meta, "", "| action | done | errors | median [ms] | p95 [ms] | max [ms] |"]
    lines.append("|---|---:|---:|---:|---:|---:|")
    for action in sorted(set(log.times) | set(log.errors)):
        ms = sorted(log.times.get(action, []))
        errs = len(log.errors.get(action, []))
        if ms:
            p95 = ms[min(len(ms) - 1, round(0.95 * (len(ms) - 1)))]
            lines.append(
                f"| {action} | {len(ms)} | {errs} | {statistics.median(ms):.0f} | {p95:.0f} "
                f"| {ms[-1]:.0f} |"
            )
        else:
            lines.append(f"| {action} | 0 | {errs} | - | - | - |")
    acknowledged = sum(1 for _, ok in log.imports if ok)
    lines += [
        "",
        f"Imports: {len(log.imports)} tried, {acknowledged} acknowledged, "
        f"{len(log.imports) - acknowledged} refused; lost: {len(lost)}"
        + (f" ({', '.join(lost[:10])})" if lost else ""),
        "",
        "| time [s] | server RSS [MB] | kernels |",
        "|---:|---:|---:|",
    ]
    step = max(1, len(memory) // 12)
    shown = memory[::step]
    if memory and shown[-1] is not memory[-1]:
        shown.append(memory[-1])
    for t, mb, k in shown:
        lines.append(f"| {t:.0f} | {mb:.0f} | {k} |")
    errors = [f"- {a}: {e}" for a, es in sorted(log.errors.items()) for e in es[:3]]
    if errors:
        lines += ["", "First errors per action:", *errors]
    return "\n".join(lines)


def _settle(pid: int, at_rest: int, timeout_s: float = 180.0) -> tuple[float, int]:
    """Wait until the server holds ``at_rest`` kernels and its RSS is steady (two samples
    10 s apart within 2 %), at most ``timeout_s``; then its RSS [MB] and kernel count."""
    deadline = time.monotonic() + timeout_s
    last = None
    while time.monotonic() < deadline:
        mb, k = _memory(pid)
        if k <= at_rest and last is not None and abs(mb - last) <= 0.02 * last:
            return mb, k
        last = mb if k <= at_rest else None
        time.sleep(10)
    return _memory(pid)


def _drive(
    log: Log,
    *,
    people: list[tuple[str, Role]],
    args: argparse.Namespace,
    base: str,
    api: str,
    folder: Path,
    seconds: float,
    seed: int,
) -> None:
    """Every simulated user acting for ``seconds``; returns when all have stopped."""
    stop = time.monotonic() + seconds
    threads, browsers = [], []
    viewers = [n for n, r in people if r == "Viewer"]
    writers = [n for n, r in people if r != "Viewer"]
    order = viewers[: args.browsers] + writers + viewers[args.browsers :]
    roles = dict(people)
    for i, name in enumerate(order):
        writes = roles[name] != "Viewer"
        if i < args.browsers:
            proc = subprocess.Popen(
                [sys.executable, __file__, "--browser-worker", base, name, str(seconds),
                 str(seed + i)],
                stdout=subprocess.PIPE,
                text=True,
            )  # fmt: skip
            browsers.append(proc)
            threads.append(threading.Thread(target=_browser_reader, args=(log, proc)))
        elif i < args.browsers + args.session_users:
            threads.append(
                threading.Thread(
                    target=session_user,
                    args=(log, name, writes, stop, seed + i, folder / "reports"),
                )
            )
        else:
            threads.append(
                threading.Thread(target=api_user, args=(log, api, name, writes, stop, seed + i))
            )
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    for proc in browsers:
        proc.wait()


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--database-url", default=os.environ.get("SURVEYLAB_TEST_PG_URL"))
    p.add_argument("--users", type=int, default=16)
    p.add_argument("--browsers", type=int, default=2)
    p.add_argument("--session-users", type=int, default=4)
    p.add_argument("--minutes", type=float, default=10.0)
    p.add_argument("--seconds", type=float, help="duration in seconds (instead of --minutes)")
    p.add_argument("--markdown", type=Path)
    p.add_argument(
        "--warmup-seconds",
        type=float,
        default=90.0,
        help="the same mix first, not reported; memory at rest after it is the baseline",
    )
    p.add_argument(
        "--checkpoints",
        type=int,
        default=2,
        help="parts of the soak, with memory at rest measured after each",
    )
    p.add_argument("--browser-worker", nargs=4, metavar=("BASE", "USER", "SECONDS", "SEED"))
    args = p.parse_args(argv)
    if args.browser_worker:
        base, name, seconds, seed = args.browser_worker
        return browser_worker(base, name, float(seconds), int(seed))
    if not args.database_url:
        raise SystemExit("a PostgreSQL URL is needed: --database-url or SURVEYLAB_TEST_PG_URL")
    if args.browsers + args.session_users > args.users:
        raise SystemExit("--browsers plus --session-users must not exceed --users")
    seconds = args.seconds if args.seconds is not None else args.minutes * 60
    url, dbname = _database(args.database_url)
    folder = Path(tempfile.mkdtemp(prefix="surveylab-soak-"))
    env = {
        **os.environ,
        "SURVEYLAB_DATA_DIR": str(folder),
        "SURVEYLAB_DATABASE_URL": url,
        "SURVEYLAB_SECRET_KEY": SECRET,
        "SURVEYLAB_ACCESS_MINUTES": "120",
        # every simulated user comes from 127.0.0.1: the per-address login limit (10 a
        # minute by default, for one person) is given per user
        "SURVEYLAB_API_LOGIN_PER_MINUTE": str(10 * args.users),
    }
    for key in ("SURVEYLAB_TOKEN", "SURVEYLAB_TOKEN_FILE"):
        env.pop(key, None)
    os.environ.update({k: v for k, v in env.items() if k.startswith("SURVEYLAB_")})
    server = None
    log, memory, lost = Log(), [], []
    parts: dict[str, dict[str, float]] = {}
    rest: list[tuple[float, float, int, str]] = []
    try:
        t0 = time.perf_counter()
        people = setup(args.users)
        port, api_port = _free_port(), _free_port()
        server = subprocess.Popen(
            [
                str(Path(sys.executable).with_name("surveylab")),
                "serve",
                f"--port={port}",
                f"--api-port={api_port}",
            ],
            env=env,
            stdout=open(folder / "serve.log", "wb"),  # noqa: SIM115 - the server's whole life
            stderr=subprocess.STDOUT,
        )
        base, api = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{api_port}"
        _wait_up(base + "/", server)
        _wait_up(api + "/api/v1/auth/me", server)
        print(
            f"set up in {time.perf_counter() - t0:.0f} s; soaking for {seconds:.0f} s", flush=True
        )
        start = time.monotonic()
        sampling = threading.Event()

        def sample() -> None:
            while not sampling.wait(5.0):
                mb, k = _memory(server.pid)
                memory.append((time.monotonic() - start, mb, k))

        mb, k = _memory(server.pid)
        memory.append((0.0, mb, k))
        at_rest = max(k, 4)  # the pool: 2 pre-heated kernels per dashboard
        parts = {"start": _parts(server.pid)}
        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        drive = {"people": people, "args": args, "base": base, "api": api, "folder": folder}
        if args.warmup_seconds > 0:
            # the same mix, not reported: every pool kernel has then been used and replaced
            # by one that ran the dashboard up to its login form, the API process has
            # imported what its routes need; memory at rest after it is the baseline
            warm = Log()
            _drive(warm, seconds=args.warmup_seconds, seed=10_000, **drive)
            log.imports.extend(warm.imports)  # checked for loss with the rest
            for action, errs in warm.errors.items():
                log.errors[f"warm-up: {action}"].extend(errs)
        rest = [(time.monotonic() - start, *_settle(server.pid, at_rest), "baseline")]
        parts["baseline"] = _parts(server.pid)
        part = seconds / args.checkpoints
        for i in range(args.checkpoints):
            _drive(log, seconds=part, seed=100 * i, **drive)
            # the kernels of closed pages go back (the server ends a kernel whose page is
            # gone after a grace period): wait until the count is back and memory is steady
            label = "end" if i == args.checkpoints - 1 else f"after {part * (i + 1):.0f} s"
            rest.append((time.monotonic() - start, *_settle(server.pid, at_rest), label))
        sampling.set()
        parts["end"] = _parts(server.pid)
        lost = _lost(log)
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(30)
            except subprocess.TimeoutExpired:
                server.kill()
        _drop(args.database_url, dbname)
    meta = (
        f"{args.users} users ({args.browsers} in chromium, {args.session_users} through the "
        f"session, {args.users - args.browsers - args.session_users} through the HTTP API) for "
        f"{seconds:.0f} s; {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}; load average at the end {os.getloadavg()[0]:.1f}"
    )
    text = report(log, memory, lost, meta)
    if rest:
        text += "\n\nAt rest (every page closed, kernels back to the pool, memory steady):\n\n"
        text += "| point | time [s] | server RSS [MB] | kernels |\n|---|---:|---:|---:|\n"
        text += "\n".join(f"| {lab} | {t:.0f} | {mb:.0f} | {k} |" for t, mb, k, lab in rest)
    if parts:
        kinds = sorted({k for p in parts.values() for k in p})
        points = [q for q in ("start", "baseline", "end") if q in parts]
        rows = [f"| {k} | " + " | ".join(f"{parts[q].get(k, 0):.0f}" for q in points) + " |"
                for k in kinds]  # fmt: skip
        text += "\n\n| process | " + " | ".join(f"RSS {q} [MB]" for q in points) + " |\n"
        text += "|---|" + "---:|" * len(points) + "\n"
        text += "\n".join(rows)
    print(text)
    if args.markdown:
        args.markdown.write_text(text + "\n", encoding="utf-8")
    failed = any(log.errors.values()) or bool(lost)
    if failed and args.markdown:  # the server's log, to see why
        shutil.copy(folder / "serve.log", args.markdown.with_suffix(".serve.log"))
    shutil.rmtree(folder, ignore_errors=True)
    return 1 if failed else 0


def _lost(log: Log) -> list[str]:
    """Imports whose outcome the database contradicts: acknowledged but without a survey, or
    refused but stored."""
    import sqlalchemy as sa

    from surveylab import db
    from surveylab.config import load_settings
    from surveylab.db import tables as t

    engine = db.get_engine(load_settings())
    with engine.connect() as conn:
        stored = {
            r.run_number
            for r in conn.execute(
                sa.select(t.runs.c.run_number).where(
                    t.runs.c.run_number.like("SOAK-%"), t.runs.c.current_survey_id.is_not(None)
                )
            )
        }
    engine.dispose()
    return [n for n, ok in log.imports if ok != (n in stored)]


if __name__ == "__main__":
    sys.exit(main())
