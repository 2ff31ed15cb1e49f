"""New runs on the upload dashboard: no run type is chosen for the user, and the run is created
with its first successful import, so a refused file leaves no empty run in the runs dashboard."""

from __future__ import annotations

import uuid

import pytest

from tests.browser.conftest import (
    add_files,
    choose_label,
    login_by_keyboard,
    search_runs,
    selected_label,
    shown_text,
    type_into,
)
from tests.browser.test_upload_flow import new_run
from tests.conftest import REPO_ROOT

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_a_new_run_has_no_type_until_one_is_chosen(voila_url, open_page):
    probe = open_page()
    page = probe.page
    login_by_keyboard(probe, voila_url, "upload", "surveyor", "surveyor-demo-password")
    page.wait_for_selector(".sl-file-upload")
    select = ".sl-new-run-type select"
    assert selected_label(page, select) == "(choose the run type)"
    options = page.eval_on_selector_all(f"{select} option", "os => os.map(o => o.textContent)")
    assert [shown_text(o) for o in options] == [
        "(choose the run type)",
        "GTL",
        "Gyro",
        "MWD",
        "Unknown",
    ]
    number = f"NT-{uuid.uuid4().hex[:6]}"
    type_into(page, ".sl-new-run-number input", number)
    type_into(page, ".sl-new-run-name input", "what type?")
    page.click(".sl-create-run")
    page.wait_for_selector(".sl-status .sl-error-box:has-text('Choose the run type')")
    probe.shot("no-type-chosen")
    choose_label(page, select, "Unknown")  # said on purpose
    page.click(".sl-create-run")
    page.wait_for_selector(f".sl-status:has-text('Run {number} will be created')")
    assert selected_label(page, ".sl-upload-run select").startswith(
        f"{number}: what type? (Unknown), new"
    )
    probe.shot("type-unknown")
    assert probe.real_errors() == []


def test_a_refused_first_file_leaves_no_run_listed(voila_url, open_page):
    number = f"NR-{uuid.uuid4().hex[:6]}"
    probe = open_page()
    page = probe.page
    login_by_keyboard(probe, voila_url, "upload", "surveyor", "surveyor-demo-password")
    page.wait_for_selector(".sl-file-upload")
    new_run(page, number, "refused first file", "MWD")
    add_files(page, REPO_ROOT / "tests" / "data" / "bad_number.csv")
    page.wait_for_selector(".sl-preview-problems .sl-problems")
    assert page.is_disabled(".sl-commit")
    assert "bad_number.csv cannot be imported as it is" in page.inner_text(".sl-commit-hint")
    probe.shot("refused-first-file")
    runs = open_page("-runs")
    listing = search_runs(runs, voila_url, "surveyor", "surveyor-demo-password", number)
    runs.shot("not-listed", full=False)
    assert "(0 runs)" in listing and number not in listing
    assert probe.real_errors() == [] and runs.real_errors() == []
