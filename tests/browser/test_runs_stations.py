"""Stations tab: VS on every row, along the azimuth the plots use; the exported CSV carries
VS with its azimuth and origin in the header."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from tests.browser.runs_helpers import runs_page_fixture  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_vs_shows_on_every_station_row_and_in_the_exported_csv(runs_page):
    rp = runs_page()
    page = rp.page
    rp.login("viewer", "viewer-demo-password")
    rp.click_run("D302")
    rp.open_tab("Stations")
    page.wait_for_selector(".sl-stations table tbody tr")
    rp.shot("stations")
    heads, rows = rp.table_cells(".sl-stations")
    assert "VS [m]" in heads
    col = {h: i for i, h in enumerate(heads)}
    assert len(rows) == 127
    vs = [r[col["VS [m]"]] for r in rows]
    assert all(v.strip() != "" for v in vs), "an empty VS cell"
    note = page.inner_text(".sl-stations .sl-note")
    assert "along 313.82°" in note and "azimuths from true north" in note
    az = math.radians(313.82)
    for r in rows:
        n, e = float(r[col["N [m]"]]), float(r[col["E [m]"]])
        assert float(r[col["VS [m]"]]) == pytest.approx(
            n * math.cos(az) + e * math.sin(az), abs=0.02
        )
    # the export the dashboard offers carries the same VS
    rp.open_tab("Export & report")
    page.select_option(".sl-export-format select", index=0)
    with page.expect_download() as got:
        page.click(".sl-export")
    rp.shot("exported")
    text = Path(got.value.path()).read_text(encoding="utf-8")
    assert (
        "# VS azimuth: 313.82\n" in text and "# VS origin north: 0\n# VS origin east: 0\n" in text
    )
    head = next(line for line in text.splitlines() if line.startswith("MD"))
    names = head.split(",")
    assert "VS [m]" in names
    data = [line.split(",") for line in text.splitlines() if line[:1].isdigit()]
    assert len(data) == 127 and all(d[names.index("VS [m]")] != "" for d in data)
    last = data[-1]
    assert float(last[names.index("VS [m]")]) == pytest.approx(float(vs[-1]), abs=0.006)
    assert rp.real_errors() == []
