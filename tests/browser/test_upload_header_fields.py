"""Header fields set by hand on the upload dashboard: the controls follow the file shown, the
refusal clears once the fix is applied, Commit waits for a file that can be imported, and a
refused commit does not fill the progress bar."""

from __future__ import annotations

import uuid

import pytest

from tests.browser.conftest import add_files, choose_label, login_by_keyboard, selected_label
from tests.browser.test_upload_flow import new_run
from tests.conftest import REPO_ROOT, settings_for

pytestmark = [pytest.mark.browser, pytest.mark.slow]

DATA = REPO_ROOT / "tests" / "data"
NO_UNIT = DATA / "tab_delimited.txt"  # MD, INC, AZI and no unit anywhere
IN_METRES = DATA / "no_tie_on.csv"  # states m


def test_header_fields_follow_the_file_and_the_fix_clears_the_refusal(voila_url, open_page):
    probe = open_page()
    page = probe.page
    login_by_keyboard(probe, voila_url, "upload", "surveyor", "surveyor-demo-password")
    page.wait_for_selector(".sl-file-upload")
    new_run(page, f"HF-{uuid.uuid4().hex[:6]}", "header fields", "MWD")
    add_files(page, NO_UNIT)
    problems = page.locator(".sl-preview-problems .sl-problems")
    problems.wait_for()
    assert "Set the depth unit under Header fields, then Apply." in problems.inner_text()
    assert page.is_disabled(".sl-commit")
    assert selected_label(page, ".sl-depth-unit select") == "(not stated: choose)"
    probe.shot("no-depth-unit")
    # the fix: choose ft, Apply
    choose_label(page, ".sl-depth-unit select", "ft")
    page.click(".sl-apply")
    page.wait_for_selector(".sl-preview:has-text('(set by you)')")
    assert page.locator(".sl-preview-problems .sl-problems").count() == 0  # refusal gone
    assert "Last station: MD 200.00 ft" in page.inner_text(".sl-preview")
    assert page.is_enabled(".sl-commit")
    probe.shot("depth-unit-set")
    # another file: the controls show its values, not the first file's choice
    add_files(page, IN_METRES)
    page.wait_for_selector(".sl-preview h4:text-is('no_tie_on.csv')")
    assert selected_label(page, ".sl-depth-unit select") == "(file: m)"
    assert selected_label(page, ".sl-north-ref select") == "(not stated: choose)"
    probe.shot("second-file")
    # and back: the first file's choice comes back with it
    choose_label(page, ".sl-preview-select select", "tab_delimited.txt")
    page.wait_for_selector(".sl-preview h4:text-is('tab_delimited.txt')")
    assert selected_label(page, ".sl-depth-unit select") == "ft"
    probe.shot("first-file-again")
    assert probe.real_errors() == []


def test_the_finding_the_depth_unit_answers_leaves_the_preview(voila_url, open_page):
    probe = open_page()
    page = probe.page
    login_by_keyboard(probe, voila_url, "upload", "engineer", "engineer-demo-password")
    page.wait_for_selector(".sl-file-upload")
    add_files(page, NO_UNIT)
    page.wait_for_selector(".sl-preview-problems .sl-problems")
    choose_label(page, ".sl-depth-unit select", "m")
    page.click(".sl-apply")
    page.wait_for_selector(".sl-preview-findings:has-text('Findings (')")
    probe.shot("unit-set")
    findings = page.inner_text(".sl-preview-findings")
    assert "depth_unit_unknown" not in findings
    assert "does not state its depth unit" not in findings


def test_a_refused_commit_does_not_fill_the_progress_bar(voila_url, open_page, demo_data_dir):
    """The run number is taken by someone else between the preview and the commit: the
    import is refused, nothing is stored, and the bar stays empty."""
    from surveylab.models import Actor
    from surveylab.repositories import UnitOfWork
    from surveylab.services import runs

    number = f"RC-{uuid.uuid4().hex[:6]}"
    probe = open_page()
    page = probe.page
    login_by_keyboard(probe, voila_url, "upload", "surveyor", "surveyor-demo-password")
    page.wait_for_selector(".sl-file-upload")
    new_run(page, number, "refused commit", "Gyro")
    add_files(page, IN_METRES)
    page.wait_for_selector(".sl-preview:has-text('Last station')")
    settings = settings_for(None, demo_data_dir)
    with UnitOfWork(settings) as uow:
        u = uow.users.by_username("engineer")
    runs.create_run(
        UnitOfWork(settings), Actor(u.id, u.username, u.role), run_number=number, run_name="theirs"
    )
    page.click(".sl-commit")
    page.wait_for_selector(".sl-results .sl-error-box")
    assert "no_tie_on.csv was refused and nothing was stored" in page.inner_text(".sl-results")
    assert number in page.inner_text(".sl-results")
    assert page.inner_text(".sl-progress-label").strip() == "0 of 1 imported, 1 refused"
    bar = page.locator(".sl-progress .progress-bar")
    filled = bar.evaluate("b => b.getBoundingClientRect().width")
    assert filled == 0
    probe.shot("refused-commit")
    with UnitOfWork(settings) as uow:
        run = uow.runs.by_number(number)
        assert run.user_id == u.id and run.current_survey_id is None
    assert probe.real_errors() == []
