"""The runs table is a data grid: a click on a row chooses the run and highlights it, the
arrow keys and Enter do the same, a click on a column head sorts, and the chosen run's summary
and plots show beside the table without scrolling at 1440x900."""

from __future__ import annotations

import pytest

from tests.browser.runs_helpers import VIEWPORT, history_runs_fixture, runs_page_fixture  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def selected_rows(rp) -> list[str]:
    return rp.page.eval_on_selector_all(
        ".sl-runs-table tbody tr[aria-selected='true']",
        "rows => rows.map(r => r.cells[0].textContent)",
    )


def wait_sorted(rp, column: int, descending: bool) -> None:
    """Wait until the grid's rows arrive in that order (the head shows the order at once)."""
    rp.page.wait_for_function(
        """([c, desc]) => {
          const v = [...document.querySelectorAll('.sl-runs-table tbody tr')]
            .map(r => r.cells[c].textContent);
          const s = [...v].sort();
          if (desc) s.reverse();
          return v.length > 1 && v.every((x, i) => x === s[i]);
        }""",
        arg=[column, descending],
    )


def test_a_click_on_a_row_chooses_the_run_and_it_shows_beside_the_table(runs_page):
    rp = runs_page()
    page = rp.page
    rp.login("viewer", "viewer-demo-password")
    rp.shot("table")
    assert page.locator(".sl-run-select").count() == 0  # no separate run dropdown
    assert "Click a run in the table" in page.inner_text(".sl-run-header")
    rp.row("D302").click()
    page.wait_for_selector(".sl-summary:has-text('Closure at TD')")
    rp.shot("row-clicked")
    assert selected_rows(rp) == ["D302"]
    background = rp.row("D302").evaluate("tr => getComputedStyle(tr).backgroundColor")
    other = rp.row("D301").evaluate("tr => getComputedStyle(tr).backgroundColor")
    assert background != other  # highlighted
    # the summary is beside the table, in the first screen: nothing to scroll
    assert page.evaluate("window.scrollY") == 0
    table, summary = rp.box(".sl-runs-table"), rp.box(".sl-summary")
    assert summary["x"] >= table["x"] + table["width"] - 1  # side by side
    assert summary["y"] < VIEWPORT["height"] / 2
    closure = rp.box(".sl-summary tr:has-text('Closure at TD')")
    assert closure["y"] + closure["height"] <= VIEWPORT["height"]
    # the plots too: plan view and section side by side, in the first screen
    rp.open_tab("Plots")
    rp.wait_plots()
    rp.shot("plots")
    for selector in (".sl-plan .js-plotly-plot", ".sl-section .js-plotly-plot"):
        b = rp.box(selector)
        assert b["y"] >= 0 and b["y"] + b["height"] <= VIEWPORT["height"], (selector, b)
        assert b["x"] + b["width"] <= VIEWPORT["width"]
    assert page.evaluate("window.scrollY") == 0
    # another row: the choice moves
    rp.row("D101").click()
    page.wait_for_selector(".sl-run-header:has-text('D101')")
    assert selected_rows(rp) == ["D101"]
    rp.shot("another-row")
    assert rp.real_errors() == []


def test_keyboard_sort_and_pages(runs_page, history_runs):
    rp = runs_page()
    page = rp.page
    rp.login("engineer", "engineer-demo-password")
    numbers = [r[0] for r in rp.grid()]
    assert numbers == sorted(numbers)
    # arrow keys and Enter choose a run as a click does
    page.focus(".sl-runs-table table")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.wait_for_selector(f".sl-run-header:has-text('{numbers[2]}')")
    assert selected_rows(rp) == [numbers[2]]
    rp.shot("keyboard")
    # a click on a column head sorts the whole listing (in the database), again reverses
    page.click(".sl-runs-table th[data-key='run_name'] button")
    page.wait_for_selector(".sl-runs-table th[data-key='run_name'][aria-sort='ascending']")
    wait_sorted(rp, 1, descending=False)
    names = [r[1] for r in rp.grid()]
    assert names == sorted(names)
    page.click(".sl-runs-table th[data-key='run_name'] button")
    page.wait_for_selector(".sl-runs-table th[data-key='run_name'][aria-sort='descending']")
    wait_sorted(rp, 1, descending=True)
    names = [r[1] for r in rp.grid()]
    assert names == sorted(names, reverse=True)
    rp.shot("sorted-by-name-descending")
    # the Owner filter, typed and entered
    page.fill(".sl-owner-filter input", "nobody-here")
    page.press(".sl-owner-filter input", "Enter")
    page.wait_for_selector(".sl-runs-table td.sl-grid-empty")
    assert "clear the search, owner, well, type or status" in page.inner_text(".sl-runs-table")
    rp.shot("no-match")
    assert rp.real_errors() == []
