"""Upload real reference files through the file chooser, preview, commit, find the run, compare."""

from __future__ import annotations

import uuid

import pytest

from tests.browser.conftest import add_files, choose_label, login, type_into

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def new_run(page, number: str, name: str, run_type: str) -> None:
    """Give a new run's number, name and type (typed and chosen) and click "New run"."""
    type_into(page, ".sl-new-run-number input", number)
    type_into(page, ".sl-new-run-name input", name)
    choose_label(page, ".sl-new-run-type select", run_type)
    page.click(".sl-create-run")
    page.wait_for_selector(
        f".sl-status:has-text('Run {number} will be created with its first import')"
    )


def test_upload_reference_files_preview_commit_and_compare(voila_url, open_page, reference_data):
    tag = uuid.uuid4().hex[:6]
    number = f"UP-{tag}"
    probe = open_page()
    page = probe.page
    login(probe, voila_url, "upload", "surveyor", "surveyor-demo-password")
    page.wait_for_selector(".sl-file-upload")
    probe.shot("upload-page")
    new_run(page, number, f"Browser upload {tag}", "Gyro")
    page.wait_for_function(
        f"[...document.querySelectorAll('.sl-upload-run select option:checked')]"
        f".some(o => o.textContent.startsWith('{number}'))"
    )
    f4 = reference_data / "witsml" / "volve_15_9-F-4_trajectory.xml"
    slb = reference_data / "xls" / "slb_well-9H.xls"
    add_files(page, f4)
    page.wait_for_selector(".sl-preview:has-text('Last station')")
    preview = page.inner_text(".sl-preview")
    assert "witsml" in preview.lower()
    # EXPECTED.md: Volve F-4 last station TVD 3138.0629 m
    assert "TVD 3138.06 m" in preview
    page.wait_for_selector(".sl-preview-findings")
    page.wait_for_selector(".sl-preview-plots .js-plotly-plot")
    probe.shot("preview-f4")
    page.click(".sl-commit")
    page.wait_for_selector(".sl-results:has-text('revision 1')")
    # the new run exists now, chosen in the list as an ordinary run
    page.wait_for_function(
        f"[...document.querySelectorAll('.sl-upload-run select option:checked')]"
        f".some(o => o.textContent.replace(/\\u00a0/g, ' ') === "
        f"'{number}: Browser upload {tag} (Gyro)')"
    )
    assert page.inner_text(".sl-progress-label") == "1 of 1 imported"
    probe.shot("committed-f4")
    # second file into the same run: the SLB 9H report (feet, grid north) becomes revision 2
    add_files(page, slb)
    page.wait_for_selector(".sl-preview:has-text('slb_well-9H.xls')")
    page.wait_for_selector(".sl-preview:has-text('Last station')")
    assert "TVD 3489.32 ft" in page.inner_text(".sl-preview")
    probe.shot("preview-9h")
    page.click(".sl-commit")
    page.wait_for_selector(".sl-results:has-text('revision 2')")
    probe.shot("committed-9h")
    assert probe.real_errors() == []

    # the run is in the runs dashboard, with two revisions to compare
    runs = open_page("-runs")
    rp = runs.page
    login(runs, voila_url, "runs", "surveyor", "surveyor-demo-password")
    rp.wait_for_selector(".sl-runs-table")
    rp.fill(".sl-app input[placeholder='number or name']", number)
    rp.keyboard.press("Enter")
    rp.wait_for_selector(".sl-page-label:has-text('(1 run)')")
    assert number in rp.inner_text(".sl-runs-table")
    runs.shot("run-found")
    rp.click(f".sl-runs-table tbody tr[data-id]:has(td:text-is('{number}'))")  # its row
    rp.wait_for_selector(".sl-summary:has-text('At TD')")
    runs.shot("run-chosen")
    rp.get_by_role("tab", name="History").click()
    rp.click(".sl-compare")
    rp.wait_for_selector(".sl-diff:has-text('minus revision')")
    runs.shot("compare-revisions")
    rp.get_by_role("tab", name="Plots").click()
    rp.wait_for_function("document.querySelectorAll('.sl-plots .js-plotly-plot').length >= 3")
    runs.shot("plots")
    assert runs.real_errors() == []


def test_a_refused_file_says_why_and_stores_nothing(voila_url, open_page, reference_data):
    probe = open_page()
    page = probe.page
    login(probe, voila_url, "upload", "engineer", "engineer-demo-password")
    page.wait_for_selector(".sl-file-upload")
    wireline = reference_data / "las" / "kgs_wireline_not_a_survey.las"
    add_files(page, wireline)
    page.wait_for_selector(".sl-preview-problems .sl-problems")
    assert "kgs_wireline_not_a_survey.las" in page.inner_text(".sl-preview")
    problems = page.inner_text(".sl-preview-problems")
    assert "This file cannot be imported" in problems and "What to do:" in problems
    assert "kgs_wireline_not_a_survey.las" not in problems  # named once, as the title
    assert page.is_disabled(".sl-commit")
    probe.shot("refused")
