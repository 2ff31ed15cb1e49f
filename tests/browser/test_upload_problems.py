"""A file that cannot be imported lists its problems (the first 20, with the count), names the
file once, and says what to do next."""

from __future__ import annotations

import pytest

from tests.browser.conftest import add_files, login_by_keyboard
from tests.conftest import REPO_ROOT
from tests.ui.test_ui_upload import backwards_csv

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_a_bad_file_lists_its_problems_once_and_what_to_do(voila_url, open_page, tmp_path):
    backwards = tmp_path / "backwards.csv"
    backwards.write_bytes(backwards_csv(23))  # MD goes back 23 times
    probe = open_page()
    page = probe.page
    login_by_keyboard(probe, voila_url, "upload", "engineer", "engineer-demo-password")
    page.wait_for_selector(".sl-file-upload")
    add_files(page, backwards)
    box = page.locator(".sl-preview-problems .sl-problems")
    box.wait_for()
    text = box.inner_text()
    assert "This file cannot be imported: 23 problems (the first 20 below)." in text
    assert box.locator("li").count() == 20
    assert "… and 3 more." in text
    assert "line 4, station 3, field 'md': MD 90 is less than the previous 100" in text
    assert "What to do: Correct the stations listed in the file" in text
    assert "backwards.csv" not in text
    assert page.locator(".sl-preview h4").inner_text() == "backwards.csv"
    assert page.is_disabled(".sl-commit")
    probe.shot("many-problems")
    add_files(page, REPO_ROOT / "tests" / "data" / "bad_number.csv")
    page.wait_for_selector(".sl-preview h4:text-is('bad_number.csv')")
    text = page.inner_text(".sl-preview-problems")
    assert "line 4, field 'inc': cannot read '1O.5' as a number" in text
    assert "What to do: Correct line 4 in the file" in text
    assert "bad_number.csv" not in text
    probe.shot("unreadable-number")
    assert probe.real_errors() == []
