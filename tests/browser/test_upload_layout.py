"""What the upload dashboard shows at 1440x900: whole labels, dropdowns that say what to choose,
and a chosen well not reported as missing."""

from __future__ import annotations

import pytest

from tests.browser.conftest import add_files, choose_label, login_by_keyboard, shown_text
from tests.conftest import REPO_ROOT

pytestmark = [pytest.mark.browser, pytest.mark.slow]

NO_WELL = REPO_ROOT / "tests" / "data" / "no_tie_on.csv"  # names no well


def test_labels_are_whole_and_dropdowns_say_what_to_choose(voila_url, open_page):
    probe = open_page()
    page = probe.page
    login_by_keyboard(probe, voila_url, "upload", "surveyor", "surveyor-demo-password")
    page.wait_for_selector(".sl-file-upload")
    shown = page.eval_on_selector_all(
        ".sl-app select", "ss => ss.map(s => s.options[s.selectedIndex]?.textContent ?? '')"
    )
    shown = [shown_text(s) for s in shown]
    assert shown and all(s.strip() for s in shown), shown
    assert "(choose a run)" in shown and "(no file added yet)" in shown
    add_files(page, NO_WELL)
    page.wait_for_selector(".sl-header-fields .sl-declination")
    cut = page.eval_on_selector_all(
        ".sl-app .widget-label",
        "ls => ls.filter(l => l.offsetParent && l.scrollWidth > l.clientWidth + 1)"
        ".map(l => l.textContent)",
    )
    assert cut == []
    labels = page.eval_on_selector_all(".sl-app .widget-label", "ls => ls.map(l => l.textContent)")
    assert {"Declination [deg]", "Convergence [deg]", "Run number"} <= {
        shown_text(x) for x in labels
    }
    probe.shot("layout")
    assert probe.real_errors() == []


def test_the_chosen_well_is_not_reported_missing(voila_url, open_page):
    probe = open_page()
    page = probe.page
    login_by_keyboard(probe, voila_url, "upload", "surveyor", "surveyor-demo-password")
    page.wait_for_selector(".sl-file-upload")
    choose_label(page, ".sl-upload-well select", "Demo J-1")
    add_files(page, NO_WELL)
    page.wait_for_selector(".sl-preview:has-text('Last station')")
    well = page.locator(".sl-preview tr:has(th:text-is('Well')) td")
    assert well.inner_text() == "Demo J-1 (chosen above; the file names no well)"
    assert well.locator(".sl-missing").count() == 0
    red = well.evaluate(
        "td => [...td.querySelectorAll('*'), td].some("
        "e => getComputedStyle(e).color === 'rgb(176, 0, 32)')"
    )
    assert not red
    probe.shot("well-chosen")
    assert probe.real_errors() == []
