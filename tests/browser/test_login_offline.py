"""Nothing is fetched from another host: from the login form through a page with plots, each
dashboard asks only its own server (the browser resolves no other host, and every request is
recorded, none intercepted). The icons come from the page's own FontAwesome font."""

from __future__ import annotations

import pytest

from tests.browser.conftest import add_files, login_by_keyboard
from tests.conftest import REPO_ROOT

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.mark.parametrize(("dashboard", "username"), [("runs", "viewer"), ("upload", "surveyor")])
def test_a_dashboard_fetches_nothing_from_another_host(voila_url, open_page, dashboard, username):
    probe = open_page(f"-{dashboard}")
    page = probe.page
    login_by_keyboard(probe, voila_url, dashboard, username, f"{username}-demo-password")
    page.wait_for_selector(".sl-user")
    if dashboard == "upload":
        add_files(page, REPO_ROOT / "tests" / "data" / "no_tie_on.csv")
        page.wait_for_selector(".sl-preview-plots .js-plotly-plot")
    # the hidden figure that loads plotly.js, a second after the first page
    page.wait_for_selector(".sl-plotly-warmup .js-plotly-plot", state="attached")
    # the Log out button's icon is a FontAwesome glyph, drawn with the font the page loaded
    # from its own server
    icon_font = page.evaluate(
        "() => getComputedStyle(document.querySelector('.sl-logout i'), '::before').fontFamily"
    )
    assert "Font Awesome" in icon_font
    assert page.evaluate(
        "async () => { await document.fonts.ready;"
        " return [...document.fonts].some(f => f.family.includes('Font Awesome')"
        " && f.status === 'loaded'); }"
    )
    probe.shot("offline", full=False)
    assert probe.offsite == [], probe.offsite
    assert probe.console_errors == []
