"""What the runs dashboard's browser tests share: a 1440x900 page that may only talk to
127.0.0.1, screenshots of each step, and reading what the grid and the plots show.

Screenshots go to the folder named by ``SURVEYLAB_SCREENSHOTS`` (else
``test-artifacts/browser/``); they are never committed.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO_ROOT

VIEWPORT = {"width": 1440, "height": 900}
TIMEOUT_MS = 90_000


def screenshot_dir() -> Path:
    """Where screenshots go: ``$SURVEYLAB_SCREENSHOTS``, else test-artifacts/browser/."""
    folder = os.environ.get("SURVEYLAB_SCREENSHOTS")
    path = Path(folder) if folder else REPO_ROOT / "test-artifacts" / "browser"
    path.mkdir(parents=True, exist_ok=True)
    return path


#: The plotly figure in ``selector``, as the page drew it: title, axes (title, range, length
#: in pixels, scale anchor), 3-D scene and traces (name, type, mode, point count).
_PLOTLY = """(selector) => {
  // the last drawn figure that matches: an output redrawn in place may hold, for a moment or
  // longer, the purged node of the figure it replaces before the new one
  const drawn = [...document.querySelectorAll(selector)].filter(g => g._fullLayout && g.data);
  const gd = drawn[drawn.length - 1];
  if (!gd) return null;
  const L = gd._fullLayout;
  const axis = (a) => a ? {title: a.title && a.title.text, range: a.range, length: a._length,
                           scaleanchor: a.scaleanchor || null} : null;
  const out = {title: L.title && L.title.text, width: L.width, height: L.height, traces: []};
  for (const k of Object.keys(L)) {
    if (/^[xy]axis\\d*$/.test(k)) out[k] = axis(L[k]);
  }
  if (L.scene) {
    out.scene = {x: L.scene.xaxis.title.text, y: L.scene.yaxis.title.text,
                 z: L.scene.zaxis.title.text, aspectratio: L.scene.aspectratio,
                 nticks: [L.scene.xaxis.nticks, L.scene.yaxis.nticks, L.scene.zaxis.nticks]};
  }
  for (const t of gd._fullData) {
    const n = t.x ? t.x.length : 0;
    out.traces.push({name: t.name, type: t.type || "scatter", mode: t.mode || null, n: n,
                     x: n <= 2 ? Array.from(t.x) : null, y: n <= 2 ? Array.from(t.y) : null});
  }
  return out;
}"""


class RunsPage:
    """The runs dashboard in one browser page, driven as a person would."""

    def __init__(self, page, base: str, name: str) -> None:
        self.page = page
        self.base = base
        self.name = re.sub(r"[^A-Za-z0-9_.-]+", "_", name)[:80]
        self.step = 0
        self.console_errors: list[str] = []
        self.blocked: list[str] = []
        page.on(
            "console",
            lambda m: (
                m.type in ("error", "warning")
                and self.console_errors.append(m.type + ": " + m.text)
            ),
        )
        page.on(
            "pageerror", lambda exc: self.console_errors.append(f"pageerror: {exc} {exc.stack}")
        )

    def shot(self, label: str, full_page: bool = False) -> Path:
        """Save a screenshot of the page as it is now (the viewport, as a person sees it)."""
        self.step += 1
        path = screenshot_dir() / f"{self.name}-{self.step:02d}-{label}.png"
        self.page.screenshot(path=str(path), full_page=full_page)
        return path

    def real_errors(self) -> list[str]:
        """Console errors other than those of blocked requests to other hosts (warnings are
        kept in :attr:`console_errors` for the failure message, not counted)."""
        return [
            e
            for e in self.console_errors
            if not e.startswith("warning: ") and "net::" not in e and "ERR_" not in e
        ]

    # ------------------------------------------------------------------ actions
    def login(self, username: str, password: str) -> None:
        """Open the dashboard, type the user and password, press Enter on the button."""
        page = self.page
        page.goto(f"{self.base}/voila/render/runs.ipynb", wait_until="domcontentloaded")
        page.wait_for_selector(".sl-login-button", state="visible")
        page.fill(".sl-login-username input", username)
        page.fill(".sl-login-password input", password)
        page.click(".sl-login-button")
        page.wait_for_selector(".sl-runs-table tbody tr[data-id]")

    def row(self, number: str):
        """The grid row of run ``number`` (a locator)."""
        return self.page.locator(".sl-runs-table tbody tr[data-id]").filter(
            has=self.page.locator(f"td:text-is('{number}')")
        )

    def click_run(self, number: str, *, search: bool = True) -> None:
        """Type the run number into Search (Enter), then click its row."""
        if search:
            self.search(number)
        self.row(number).click()
        self.page.wait_for_selector(f".sl-run-header:has-text('{number}')")

    def search(self, text: str) -> None:
        box = self.page.locator(".sl-search input")
        box.fill(text)
        box.press("Enter")
        self.page.wait_for_function(
            """(text) => [...document.querySelectorAll('.sl-runs-table tbody tr')]
                 .every(tr => tr.textContent.toLowerCase().includes(text.toLowerCase()))""",
            arg=text,
        )

    def wait_plots(self) -> None:
        """Wait until the Plots tab's three figures are drawn (plan, section, DLS)."""
        self.page.wait_for_function(
            """() => ['.sl-plan', '.sl-section', '.sl-dls'].every(s =>
                 [...document.querySelectorAll(s + ' .js-plotly-plot')].some(
                   g => g._fullLayout && g.data && g.querySelector('.main-svg')))"""
        )

    def open_tab(self, title: str) -> None:
        self.page.get_by_role("tab", name=title, exact=True).click()

    # ------------------------------------------------------------------ reading
    def options(self, select: str) -> list[str]:
        """The texts of a dropdown's options, as shown (no-break spaces as spaces)."""
        texts = self.page.eval_on_selector_all(
            f"{select} option", "os => os.map(o => o.textContent)"
        )
        return [t.replace("\xa0", " ") for t in texts]

    def chosen(self, select: str) -> str:
        """The text of a dropdown's chosen option."""
        return self.page.locator(f"{select} option:checked").inner_text().replace("\xa0", " ")

    def text_fits(self, select: str) -> bool:
        """The chosen option's text fits in the dropdown (measured in its font, beside the
        arrow): a select cuts a long label off without saying so."""
        return self.page.eval_on_selector(
            select,
            """s => { const span = document.createElement('span');
                      span.style.font = getComputedStyle(s).font;
                      span.style.whiteSpace = 'pre';
                      span.textContent = s.options[s.selectedIndex].textContent;
                      document.body.appendChild(span);
                      const fits = span.offsetWidth + 28 <= s.clientWidth;
                      span.remove(); return fits; }""",
        )

    def grid(self) -> list[list[str]]:
        """The grid's cell texts, row by row, as shown."""
        return self.page.eval_on_selector_all(
            ".sl-runs-table tbody tr[data-id]",
            "rows => rows.map(r => [...r.cells].map(c => c.textContent))",
        )

    def grid_heads(self) -> list[str]:
        return self.page.eval_on_selector_all(
            ".sl-runs-table thead th", "ths => ths.map(t => t.dataset.key)"
        )

    def plotly(self, selector: str) -> dict[str, Any]:
        """What the plotly figure in ``selector`` shows (see :data:`_PLOTLY`)."""
        return self.page.wait_for_function(_PLOTLY, arg=selector).json_value()

    def table_cells(self, selector: str) -> tuple[list[str], list[list[str]]]:
        """Head labels and body cell texts of the HTML table in ``selector``."""
        heads = self.page.eval_on_selector_all(
            f"{selector} table thead th", "ths => ths.map(t => t.textContent)"
        )
        rows = self.page.eval_on_selector_all(
            f"{selector} table tbody tr",
            "rows => rows.map(r => [...r.cells].map(c => c.textContent))",
        )
        return heads, rows

    def box(self, selector: str) -> dict[str, float]:
        """Bounding box of the first ``selector`` in the viewport [px]."""
        first = self.page.locator(selector).first
        first.wait_for(state="visible")
        box = first.bounding_box()
        assert box is not None, f"{selector} is not shown"
        return box


@pytest.fixture(name="runs_page")
def runs_page_fixture(browser, voila_url, request):
    """Factory: a fresh 1440x900 :class:`RunsPage` that may only talk to 127.0.0.1."""
    contexts = []

    def make(suffix: str = "") -> RunsPage:
        ctx = browser.new_context(viewport=VIEWPORT, accept_downloads=True)
        ctx.set_default_timeout(TIMEOUT_MS)
        contexts.append(ctx)
        page = ctx.new_page()
        rp = RunsPage(page, voila_url, request.node.name + suffix)

        def route(r):
            url = r.request.url
            if url.startswith(("http://127.0.0.1", "ws://127.0.0.1", "data:", "blob:")):
                r.continue_()
            else:
                rp.blocked.append(url)
                r.abort("blockedbyclient")

        page.route("**/*", route)
        return rp

    yield make
    for ctx in contexts:
        ctx.close()


#: Runs added to the demo database for the runs dashboard's tests, in their own well: one
#: with two revisions, one with no survey.
HISTORY_WELL, TWO_REVISIONS, NO_SURVEY = "History well", "HX-2", "HX-0"


@pytest.fixture(scope="session", name="history_runs")
def history_runs_fixture(demo_data_dir) -> dict[str, str]:
    """Add (once) a well with run HX-2 (two revisions: the second re-surveyed with 0.05 deg
    of noise) and run HX-0 (no survey yet) to the browser tests' demo database."""
    from surveylab.demo import vendor_csv, well_profile
    from surveylab.models import Actor
    from surveylab.repositories import UnitOfWork
    from surveylab.services import runs, surveys
    from tests.conftest import settings_for

    settings = settings_for(None, demo_data_dir)
    with UnitOfWork(settings) as uow:
        user = uow.users.by_username("engineer")
        existing = uow.runs.by_number(TWO_REVISIONS)
    assert user is not None
    if existing is None:
        actor = Actor(user.id, user.username, user.role)
        runs.create_well(UnitOfWork(settings), actor, well_name=HISTORY_WELL)
        for number, name in ((TWO_REVISIONS, "History two revisions"), (NO_SURVEY, "No survey")):
            runs.create_run(
                UnitOfWork(settings),
                actor,
                run_number=number,
                run_name=name,
                run_type="MWD",
                well=HISTORY_WELL,
            )
        for i, noise in enumerate((0.0, 0.05)):
            stations = well_profile("J", azimuth=120.0, noise_deg=noise, seed=7)
            content = vendor_csv(stations, well=HISTORY_WELL, run=TWO_REVISIONS, tool="MWD")
            surveys.import_survey(
                UnitOfWork(settings),
                actor,
                run=TWO_REVISIONS,
                content=content,
                file_name=f"{TWO_REVISIONS}_revision_{i + 1}_of_a_long_file_name.csv",
            )
    return {"well": HISTORY_WELL, "two": TWO_REVISIONS, "none": NO_SURVEY}
