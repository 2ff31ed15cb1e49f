"""The runs dashboard's state without a browser: paging, filters, sort, one run, revisions,
overlay and export (module database from ``ui_db``: 60 runs, 3 with surveys)."""

from __future__ import annotations

import base64
import math
import re

import ipywidgets as w
import numpy as np
import pytest

from surveylab.auth import PermissionDenied
from surveylab.parsers import read_survey
from surveylab.ui import runs_app
from surveylab.ui.runs_app import PAGE_SIZE, RunsApp
from tests.ui.conftest import N_RUNS, walk

# The "J" profile of surveylab.demo at 30 m stations: vertical to 600 m, build 2.5 deg/30 m
# to 40 deg (an arc: exact under minimum curvature), hold 1500 m at azimuth 40 deg.
RADIUS = 30.0 / math.radians(2.5)
J_TVD = 600.0 + RADIUS * math.sin(math.radians(40)) + 1500.0 * math.cos(math.radians(40))
J_HD = RADIUS * (1 - math.cos(math.radians(40))) + 1500.0 * math.sin(math.radians(40))


def numbers(app: RunsApp) -> list[str]:
    return [r.run_number for r in app.page_runs]


def table_rows(app: RunsApp) -> int:
    return len(app.table.rows)


def grid_numbers(app: RunsApp) -> list[str]:
    """The run numbers the grid shows, in order (its first column's text)."""
    return [row[0] for row in app.table.cell_text()]


@pytest.fixture
def engineer_app(ui_db, login_as) -> RunsApp:
    return login_as(RunsApp, ui_db.settings, "engineer")


def select(app: RunsApp, number: str) -> None:
    """Choose ``number`` as a click on its row does (searching for it first)."""
    app.search.value = number
    app.choose(number)


# ----------------------------------------------------------------------------- listing
def test_paging_over_60_runs_gives_3_pages(engineer_app):
    app = engineer_app
    assert f"Page 1 of 3 ({N_RUNS} runs)" in app.page_label.value
    assert numbers(app) == [f"UI-{i:03d}" for i in range(1, PAGE_SIZE + 1)]
    assert table_rows(app) == PAGE_SIZE
    assert app.prev_button.disabled and not app.next_button.disabled
    app.next_button.click()
    assert "Page 2 of 3" in app.page_label.value
    assert numbers(app)[0] == "UI-026" and not app.prev_button.disabled
    app.next_button.click()
    assert "Page 3 of 3" in app.page_label.value
    assert len(app.page_runs) == N_RUNS - 2 * PAGE_SIZE == table_rows(app)
    assert app.next_button.disabled
    app.turn_page(+5)  # past the end: stays on the last page
    assert "Page 3 of 3" in app.page_label.value
    app.prev_button.click()
    assert "Page 2 of 3" in app.page_label.value
    # the grid shows the runs of the page, in order, each row with its run's id
    assert grid_numbers(app) == numbers(app)
    assert [r["id"] for r in app.table.rows] == [str(r.id) for r in app.page_runs]


def test_a_filter_change_goes_back_to_page_1(engineer_app):
    app = engineer_app
    app.next_button.click()
    app.type_filter.value = "MWD"
    assert "Page 1 of 1 (15 runs)" in app.page_label.value


def test_table_shows_revision_and_worst_finding(engineer_app):
    app = engineer_app
    head = [c["label"] for c in app.table.columns]
    for label in ("Run", "Well", "Owner", "Rev", "Stations", "Worst finding", "Updated"):
        assert label in head
    rows = {r.run_number: r for r in app.page_runs}
    assert rows["UI-001"].current_revision == 2
    assert rows["UI-002"].current_revision is None
    shown = {row[0]: dict(zip(head, row, strict=True)) for row in app.table.cell_text()}
    assert shown["UI-001"]["Rev"] == "2" and shown["UI-002"]["Rev"] == "none"
    assert shown["UI-001"]["Stations"] == f"{rows['UI-001'].station_count:,}"


@pytest.mark.parametrize(
    ("who", "setting", "value", "expected"),
    [
        ("surveyor", "scope", "My runs", [f"UI-{i:03d}" for i in range(1, N_RUNS + 1, 2)]),
        ("engineer", "scope", "My runs", [f"UI-{i:03d}" for i in range(2, N_RUNS + 1, 2)]),
        ("viewer", "scope", "My runs", []),
        ("engineer", "well_filter", "UI Beta", [f"UI-{i:03d}" for i in range(31, N_RUNS + 1)]),
        ("engineer", "type_filter", "Gyro", [f"UI-{i:03d}" for i in range(2, N_RUNS + 1, 4)]),
        ("viewer", "owner_filter", "surveyor", [f"UI-{i:03d}" for i in range(1, N_RUNS + 1, 2)]),
        ("viewer", "owner_filter", "nobody-at-all", []),
        ("viewer", "search", "UI-05", [f"UI-{i:03d}" for i in range(50, 60)]),
        ("viewer", "search", "unknown", [f"UI-{i:03d}" for i in range(4, N_RUNS + 1, 4)]),
        ("viewer", "search", "no such run", []),
    ],
)
def test_filters(ui_db, login_as, who, setting, value, expected):
    app = login_as(RunsApp, ui_db.settings, who)
    getattr(app, setting).value = value
    total = len(expected)
    assert f"({total} run" in app.page_label.value
    assert numbers(app) == expected[:PAGE_SIZE]
    assert grid_numbers(app) == expected[:PAGE_SIZE]
    if not expected:
        assert "No runs match" in app.table.empty_text and app.table.rows == []


def test_filters_combine(ui_db, login_as):
    app = login_as(RunsApp, ui_db.settings, "surveyor")
    app.scope.value = "My runs"
    app.well_filter.value = "UI Alpha"
    app.type_filter.value = "GTL"  # runs 1, 5, 9, ... (all odd: the surveyor's)
    assert numbers(app) == [f"UI-{i:03d}" for i in range(1, 31, 4)]
    app.owner_filter.value = "engineer"  # mine and someone else's: nothing
    assert numbers(app) == []


@pytest.mark.parametrize(
    ("column", "key"),
    [
        ("run_number", lambda r: r.run_number),
        ("run_name", lambda r: r.run_name),
        ("run_type", lambda r: str(r.run_type)),
        ("owner", lambda r: r.owner_name),
        ("well", lambda r: r.well_name),
    ],
)
@pytest.mark.parametrize("descending", [False, True])
def test_a_column_head_sorts_the_whole_listing_across_pages(engineer_app, column, key, descending):
    app = engineer_app
    # as the browser sends a click on a head: one message with key and direction
    app.table.set_state({"sort_key": column, "sort_descending": descending})
    seen = []
    for _ in range(3):
        seen.extend(app.page_runs)
        app.turn_page(+1)
    assert len({r.run_number for r in seen}) == N_RUNS
    keys = [key(r) for r in seen]
    assert keys == sorted(keys, reverse=descending)


def test_newest_first_puts_the_last_changed_run_first(engineer_app):
    app = engineer_app
    app.table.sort_key = "updated"
    app.table.sort_descending = True
    stamps = [r.updated_at for r in app.page_runs]
    assert stamps == sorted(stamps, reverse=True)
    assert "Page 1 of 3" in app.page_label.value


def test_a_sort_click_reads_the_page_once(engineer_app, monkeypatch):
    """Key and direction change together on a click on a head: one read of the page."""
    app = engineer_app
    reads = []
    real = app.session.runs
    monkeypatch.setattr(app.session, "runs", lambda **f: reads.append(f) or real(**f))
    app.table.set_state({"sort_key": "run_name", "sort_descending": True})
    assert len(reads) == 1 and reads[0]["order_by"] == "run_name" and reads[0]["descending"]


# ----------------------------------------------------------------------------- one run
def test_select_run_fills_the_summary_with_units_and_the_last_station(engineer_app):
    app = engineer_app
    assert app.tabs is None and "Click a run in the table" in app.run_header.value
    select(app, "UI-003")  # S profile, but check the J run against the analytic answer
    select(app, "UI-001")
    assert app.table.selected == str(app.view.run.id)
    assert app.tabs.layout.display == ""
    assert "UI-001" in app.run_header.value and "rev 2" in app.run_header.value
    s = app.summary.value
    assert "UI-001" in s and "UI Alpha" in s and "surveyor" in s
    assert "2 (current)" in s
    assert "Depth unit</th><td class='l sl-wrap'>m<" in s
    assert "UI-001.csv (csv)" in s
    last = re.search(r"At TD</th><td class='l sl-wrap'>MD ([\d.]+) m, .*?TVD ([\d.]+) m", s)
    assert last is not None
    assert float(last.group(1)) == pytest.approx(2580.0)
    # revision 2 has 0.05 deg of noise: within 1 m of the exact arc-and-hold answer
    assert float(last.group(2)) == pytest.approx(J_TVD, abs=1.0)
    assert "Findings" in app.findings.value


def test_the_summary_gives_closure_and_inc_azi_vs_at_td(engineer_app):
    """Revision 1 of UI-001 is the exact J profile: closure J_HD towards 40 deg, and the
    section along the closure direction (no azimuth stated) is the closure distance."""
    app = engineer_app
    select(app, "UI-001")
    app.view = app.session.survey("UI-001", revision=1)
    app.vs_azimuth.value = round(app.view.vs_azimuth, 2)
    app.show_summary()
    s = app.summary.value
    closure = re.search(r"Closure at TD</th><td class='l sl-wrap'>([\d.]+) m towards ([\d.]+)°", s)
    assert closure is not None
    assert float(closure.group(1)) == pytest.approx(J_HD, abs=0.01)
    assert float(closure.group(2)) == pytest.approx(40.0, abs=0.01)
    at_td = re.search(r"Inc ([\d.]+)°, Azi ([\d.]+)° \(from true north\)", s)
    assert at_td is not None and float(at_td.group(1)) == pytest.approx(40.0)
    assert float(at_td.group(2)) == pytest.approx(40.0)
    vs = re.search(r"VS at TD</th><td class='l sl-wrap'>([\d.]+) m along 40.00°", s)
    assert vs is not None and float(vs.group(1)) == pytest.approx(J_HD, abs=0.01)
    assert "the closure direction at TD: the file states no section azimuth" in s
    # along another azimuth the VS at TD follows it: cos(40 - 130) = 0
    app.vs_azimuth.value = 130.0
    vs = re.search(
        r"VS at TD</th><td class='l sl-wrap'>(-?[\d.]+) m along 130.00°", app.summary.value
    )
    assert vs is not None and abs(float(vs.group(1))) < 0.01
    assert "chosen under Plots" in app.summary.value


@pytest.mark.parametrize(
    ("declination", "convergence", "total", "shown", "red"),
    [
        (2.5, 0.75, None, "1.750 (declination - convergence; not stated by the file)", False),
        (2.5, None, None, "not stated", True),
        (None, None, 1.25, "1.250", False),
    ],
)
def test_total_correction_is_red_only_when_it_cannot_be_worked_out(
    engineer_app, declination, convergence, total, shown, red
):
    import dataclasses

    app = engineer_app
    select(app, "UI-003")
    v = app.view
    header = dataclasses.replace(
        v.survey.header,
        declination=declination,
        grid_convergence=convergence,
        total_correction=total,
    )
    app.view = dataclasses.replace(v, survey=dataclasses.replace(v.survey, header=header))
    app.show_summary()
    row = re.search(
        r"Total correction \[deg\]</th><td class='l sl-wrap'>(.*?)</td>", app.summary.value
    )
    assert row is not None and shown in row.group(1)
    assert ("sl-missing" in row.group(1)) is red


def test_revision_1_matches_the_analytic_trajectory(ui_db, login_as):
    from surveylab.session import Session

    sess = Session.login("viewer", "viewer-password-123", ui_db.settings)
    view = sess.survey("UI-001", revision=1)
    last = view.stations.iloc[-1]
    assert last["tvd"] == pytest.approx(J_TVD, abs=1e-6)
    assert math.hypot(last["north"], last["east"]) == pytest.approx(J_HD, abs=1e-6)
    assert math.degrees(math.atan2(last["east"], last["north"])) == pytest.approx(40.0)


def test_stations_table_labels_carry_units_and_vs_is_on_every_row(engineer_app):
    app = engineer_app
    assert app.tabs is None  # the tabs of a run are made with the first run chosen
    select(app, "UI-005")
    assert app.tabs.selected_index == 0
    app.tabs.selected_index = runs_app.TAB_STATIONS  # filled when open
    html_ = app.stations.value
    head = html_.split("</thead>")[0]
    labels = ("MD [m]", "Inc [deg]", "Azi [deg]", "TVD [m]", "N [m]", "E [m]", "VS [m]")
    for label in (*labels, "DLS [deg/30"):
        assert label in head, label
    rows = html_.split("<tbody>")[1].split("</tbody>")[0].split("<tr>")[1:]
    assert len(rows) == len(app.view.stations)
    # the survey states no section azimuth: VS along the closure direction at TD, every row
    vs_col = re.findall(r"<th[^>]*>([^<]*)</th>", head).index("VS [m]")
    values = [re.findall(r"<td[^>]*>([^<]*)</td>", r)[vs_col] for r in rows]
    assert all(v != "" for v in values)
    st = app.view.stations
    az = math.radians(app.vs_azimuth.value)  # as shown: 2 decimals
    want = st["north"] * math.cos(az) + st["east"] * math.sin(az)
    np.testing.assert_allclose([float(v) for v in values], want, atol=0.006)
    assert f"VS [m] along {app.view.vs_azimuth:.2f}°" in html_
    assert "azimuths from true north" in html_
    # the section azimuth of Plots applies here too
    app.vs_azimuth.value = 90.0
    app.tabs.selected_index = 0
    app.tabs.selected_index = runs_app.TAB_STATIONS
    rows = app.stations.value.split("<tbody>")[1].split("<tr>")[1:]
    values = [float(re.findall(r"<td[^>]*>([^<]*)</td>", r)[vs_col]) for r in rows]
    np.testing.assert_allclose(values, st["east"], atol=0.006)


def test_figures_are_drawn_when_their_tab_is_open(engineer_app, shown_figures):
    app = engineer_app
    select(app, "UI-003")
    assert app.tabs.selected_index == 0
    assert shown_figures == []  # the summary tab is open: nothing to draw yet
    app.tabs.selected_index = runs_app.TAB_PLOTS
    assert app.tabs.titles[runs_app.TAB_PLOTS] == "Plots"
    figs = list(shown_figures)
    assert len(figs) == 3
    titles = [f.layout.title.text for f in figs]
    context = "UI Alpha · run UI-003 rev 1"
    assert titles[0].startswith(f"Plan view: {context}<br>")
    assert titles[1].startswith(f"Vertical section: {context}<br>")
    assert titles[2] == f"Dogleg severity: {context}"
    # the north reference once per plot, in the title; the axes say only what they are
    assert "azimuths from true north" in titles[0] and "azimuths from true north" in titles[1]
    assert figs[0].layout.xaxis.title.text == "East [m]"
    assert figs[0].layout.yaxis.title.text == "North [m]"
    assert figs[1].layout.xaxis.title.text == "Vertical section [m]"
    assert figs[1].layout.yaxis.title.text == "TVD [m]"
    # plan view and section at equal scales
    for f in figs[:2]:
        assert f.layout.yaxis.scaleanchor == "x" and f.layout.yaxis.scaleratio == 1
    n = len(app.view.stations)
    for f in figs:
        assert f.data[0].name == "UI-003 rev 1" and len(f.data[0].x) == n
    # wellhead and TD marked on plan view and section
    for f in figs[:2]:
        names = [t.name for t in f.data]
        assert names == ["UI-003 rev 1", "Wellhead", "TD"]
        assert (f.data[1].x[0], f.data[1].y[0]) == (0.0, 0.0)
        assert f.data[2].x[0] == pytest.approx(f.data[0].x[-1])
        assert f.data[2].y[0] == pytest.approx(f.data[0].y[-1])
    assert figs[2].layout.yaxis.title.text == "DLS [deg/30 m]"
    # back and forth: drawn once per run
    app.tabs.selected_index = 0
    app.tabs.selected_index = runs_app.TAB_PLOTS
    assert len(shown_figures) == 3
    # the 3-D view on opening its tab, once per run
    shown_figures.clear()
    app.tabs.selected_index = runs_app.TAB_3D
    assert app.tabs.titles[runs_app.TAB_3D] == "3-D"
    assert [f.layout.title.text.split("<br>")[0] for f in shown_figures] == [f"3-D view: {context}"]
    scene = shown_figures[0].layout.scene
    assert scene.zaxis.title.text == "TVD [m]" and scene.xaxis.title.text == "East [m]"
    assert shown_figures[0].data[0].mode == "lines"
    assert len(shown_figures[0].data[0].x) == min(n, figures_module().MAX_POINTS_3D)
    app.tabs.selected_index = 0
    app.tabs.selected_index = runs_app.TAB_3D
    assert len(shown_figures) == 1
    # with a figure tab open, choosing another run draws its figures at once
    shown_figures.clear()
    select(app, "UI-001")
    assert [f.layout.title.text.split(":")[0] for f in shown_figures] == ["3-D view"]
    app.tabs.selected_index = runs_app.TAB_PLOTS
    assert len(shown_figures) == 4
    # the section azimuth is selectable: a new value redraws along it
    shown_figures.clear()
    app.vs_azimuth.value = 90.0
    assert len(shown_figures) == 3
    section = shown_figures[1]
    assert "along 90.00° (azimuths from true north), origin N 0, E 0 m" in (
        section.layout.title.text
    )
    np.testing.assert_allclose(section.data[0].x, app.view.stations["east"], atol=1e-9)
    app.vs_reset.click()
    assert app.vs_azimuth.value == round(app.view.vs_azimuth, 2)
    app.tabs.selected_index = 0


def figures_module():
    from surveylab.ui import figures

    return figures


def test_selecting_a_run_without_survey_says_what_to_do(engineer_app):
    app = engineer_app
    select(app, "UI-003")
    select(app, "UI-002")
    assert "has no survey yet: import a file for it in the upload dashboard" in (
        app.run_header.value
    )
    assert app.view is None and app.tabs.layout.display == "none"
    assert app.status.value == ""


def test_history_and_compare_list_only_the_stations_that_differ(engineer_app):
    app = engineer_app
    select(app, "UI-001")
    app.tabs.selected_index = runs_app.TAB_HISTORY  # filled when open
    assert app.history.value.count("<tr>") - 1 == 2
    assert app.compare_row.layout.display == ""
    assert (app.rev_a.value, app.rev_b.value) == (1, 2)
    app.compare_button.click()
    d = app.diff.value
    m = re.search(r"Revision 2 minus revision 1: (\d+) of (\d+) stations differ", d)
    assert m is not None
    changed, total = int(m.group(1)), int(m.group(2))
    assert total == len(app.view.stations) and 0 < changed < total  # the vertical part agrees
    for label in ("MD [m]", "ΔInc [deg]", "ΔAzi [deg]", "ΔTVD [m]", "ΔN [m]", "ΔE [m]"):
        assert label in d
    assert d.split("<tbody>")[1].count("<tr>") == changed  # no rows of zeros
    app.rev_a.value = 2
    app.compare_button.click()
    assert "Revision 2 was chosen twice" in app.diff.value and "<table" not in app.diff.value


def test_history_of_one_revision_offers_no_compare(engineer_app):
    app = engineer_app
    select(app, "UI-003")
    app.tabs.selected_index = runs_app.TAB_HISTORY
    assert app.history.value.count("<tr>") - 1 == 1
    assert app.compare_row.layout.display == "none"
    assert app.rev_a.options == (runs_app.NO_REVISION,)
    assert "one revision: nothing to compare" in app.history.value
    app.compare()  # nothing chosen: nothing happens
    assert app.diff.value == ""


def test_overlay_compares_two_runs_of_the_well_along_md(engineer_app, shown_figures):
    app = engineer_app
    select(app, "UI-005")  # GTL; UI-001 (GTL), UI-003 (MWD) in the same well
    shown_figures.clear()
    app.tabs.selected_index = runs_app.TAB_OVERLAY  # filled when open: compared at once
    labels = [label.split(" ")[0] for label, _ in app.overlay_ref.options]
    assert labels == ["(choose", "UI-001", "UI-003", "UI-005"]  # runs with a survey
    assert app.overlay_ref.value == str(app.view.run.id)
    assert len(shown_figures) == 1
    fig = shown_figures[0]
    names = [t.name for t in fig.data]
    for want in ("ΔTVD [m]", "ΔN [m]", "ΔE [m]", "horizontal [m]", "3-D distance [m]"):
        assert want in names
    assert "ΔInc [deg]" in names and "ΔAzi [deg]" in names
    assert "Inc tolerance ±0.23 deg" in names  # both GTL: gyro tolerances apply
    note = app.overlay_note.value
    assert "Verdict" in note and "minus UI-005 (GTL)" in note
    table = app.overlay_table.value
    for label in ("MD [m]", "ΔTVD [m]", "Horizontal [m]", "3-D [m]", "Within"):
        assert label in table
    # the differences are those of calc.compare: the same profile, surveyed twice
    diff = app.session.compare_runs(app.overlay_ref.value, app.overlay_other.value)
    np.testing.assert_allclose(fig.data[4].y, diff.comparison.distance)
    # against the MWD run only for information
    mwd = next(v for label, v in app.overlay_other.options if label.startswith("UI-003"))
    shown_figures.clear()
    app.overlay_other.value = mwd
    assert "for information: one run is not a gyro" in app.overlay_note.value
    assert "Inc tolerance ±0.23 deg" in [t.name for t in shown_figures[-1].data]
    app.overlay_other.value = app.overlay_ref.value
    assert "same run was chosen twice" in app.overlay_note.value


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "las", "witsml", "witsml20"])
def test_export_downloads_in_one_step_and_re_reads(engineer_app, fmt, monkeypatch):
    app = engineer_app
    select(app, "UI-003")
    saved = []
    monkeypatch.setattr(app.downloader, "save", lambda name, data: saved.append((name, data)))
    app.export_format.value = fmt
    app.export_button.click()
    assert len(saved) == 1
    name, data = saved[0]
    html_ = app.downloads.value
    m = re.search(r"download='([^']+)' href='data:application/octet-stream;base64,([^']+)'", html_)
    assert m is not None and m.group(1) == name and base64.b64decode(m.group(2)) == data
    assert "class='sl-download'" in html_
    parsed = read_survey(data, name=name)
    assert str(parsed.header.depth_unit) == "m"
    want = app.view.stations
    got = parsed.stations
    assert len(got) == len(want)
    for col in ("md", "inc", "azi"):
        np.testing.assert_allclose(got[col].to_numpy(float), want[col].to_numpy(float), atol=1e-6)


def test_the_exported_csv_carries_vs_with_its_azimuth_and_origin(engineer_app, monkeypatch):
    app = engineer_app
    select(app, "UI-003")
    app.vs_azimuth.value = 120.0
    saved = []
    monkeypatch.setattr(app.downloader, "save", lambda name, data: saved.append(data))
    app.export_format.value = "csv"
    app.export_button.click()
    text = saved[0].decode()
    assert "# VS azimuth: 120\n" in text and "# VS origin north: 0\n# VS origin east: 0\n" in text
    head = next(line for line in text.splitlines() if line.startswith("MD"))
    columns = head.split(",")
    assert "VS [m]" in columns
    rows = [line.split(",") for line in text.splitlines() if line[:1].isdigit()]
    vs = np.array([float(r[columns.index("VS [m]")]) for r in rows])
    st = app.view.stations
    a = math.radians(120.0)
    np.testing.assert_allclose(vs, st["north"] * math.cos(a) + st["east"] * math.sin(a), atol=1e-6)


def test_select_after_the_session_ended_logs_out_cleanly(ui_db, login_as):
    from surveylab.session import Session

    app = login_as(RunsApp, ui_db.settings, "engineer")
    Session(app.session.token, ui_db.settings, app.session.refresh_token).logout()  # revoked
    app.select_run("UI-001")
    assert app.session is None and "session has ended" in app.login.message.value


# ----------------------------------------------------------------------------- roles
def test_a_viewer_sees_no_upload_or_edit_controls(ui_db, login_as):
    app = login_as(RunsApp, ui_db.settings, "viewer")
    widgets = walk(app.widget)
    assert not any(isinstance(x, w.FileUpload) for x in widgets)
    words = ("upload", "commit", "create", "delete", "edit", "import", "rename")
    buttons = [x.description.lower() for x in widgets if isinstance(x, w.Button)]
    assert buttons and not [b for b in buttons if any(word in b for word in words)]
    assert len(app.page_runs) == PAGE_SIZE  # reading works


def test_the_services_refuse_a_viewer_regardless_of_the_interface(ui_db, login_as):
    from surveylab.repositories import UnitOfWork
    from tests.ui.conftest import survey_csv

    app = login_as(RunsApp, ui_db.settings, "viewer")
    sess = app.session
    with UnitOfWork(ui_db.settings) as uow:
        before = uow.runs.by_number("UI-002")
    with pytest.raises(PermissionDenied):
        sess.import_file(survey_csv(), "UI-002", name="viewer.csv")
    with pytest.raises(PermissionDenied):
        sess.create_run("V-1", "viewer run", "MWD")
    with pytest.raises(PermissionDenied):
        sess.create_well("Viewer well")
    with pytest.raises(PermissionDenied):
        sess.update_run("UI-002", run_name="renamed by a viewer")
    with pytest.raises(PermissionDenied):
        sess.delete_run("UI-002")
    with UnitOfWork(ui_db.settings) as uow:
        after = uow.runs.by_number("UI-002")
        assert uow.runs.by_number("V-1") is None
    assert after is not None and after.run_name == before.run_name
    assert after.current_survey_id is None


def test_the_first_page_shares_its_layout_and_styles(engineer_app):
    """Fewer models between the login and the table: the first page's widgets share one
    Layout and one style per kind, and showing a run's details changes none of them."""
    app = engineer_app
    first_page = walk(app.main)
    fields = (app.search, app.well_filter, app.type_filter, app.owner_filter, app.status_filter)
    layouts = {id(x.layout) for x in first_page if x not in fields}
    assert len(layouts) == 1
    assert len({id(x.layout) for x in fields}) == 1
    styles = {id(x.style) for x in first_page if hasattr(x, "style")}
    kinds = {type(x.style) for x in first_page if hasattr(x, "style")}
    assert len(styles) == len(kinds)
    shared = app.table.layout
    select(app, "UI-001")
    assert app.tabs.layout.display == "" and shared.display is None


# ----------------------------------------------------------------------------- make report
@pytest.fixture
def report_env(ui_db, monkeypatch):
    """The environment a report kernel inherits: this module's database."""
    from tests.conftest import TEST_SECRET

    for key in ("SURVEYLAB_DATABASE_URL", "SURVEYLAB_TOKEN", "SURVEYLAB_TOKEN_FILE"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("SURVEYLAB_DATA_DIR", str(ui_db.data_dir))
    monkeypatch.setenv("SURVEYLAB_SECRET_KEY", TEST_SECRET)


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["html", "pdf"])
def test_make_report_renders_the_run_and_offers_the_file(engineer_app, report_env, fmt):
    import shutil

    from tests.conftest import require_component

    require_component(shutil.which("chromium") is not None, "Debian's chromium is not installed")
    app = engineer_app
    select(app, "UI-003")
    saved = []
    app.downloader.save = lambda name, data: saved.append((name, data))
    app.report_format.value = fmt
    app.report_units.value = "ft"
    app.report_vs.value = 75.0
    app.make_report()
    assert "Report saved as" in app.downloads.value, app.status.value
    name = re.search(r"download='([^']+)'", app.downloads.value).group(1)
    path = app.settings.reports_dir / name
    assert name.startswith("UI-003_rev1_survey") and path.suffix == f".{fmt}"
    assert saved == [(name, path.read_bytes())]
    href = re.search(r"base64,([^']+)'", app.downloads.value).group(1)
    assert base64.b64decode(href) == path.read_bytes()
    if fmt == "html":
        text = path.read_text(encoding="utf-8")
    else:
        import pypdf

        text = " ".join(p.extract_text() for p in pypdf.PdfReader(str(path)).pages)
    assert "UI-003" in text and "[ft]" in text and "75" in text
    record = next(r for r in app.session.reports() if r.file_path == str(path.resolve()))
    assert record.parameters.get("units") == "ft" and record.parameters.get("vs_azimuth") == 75.0


def test_make_report_shows_why_a_pdf_failed(engineer_app, report_env, monkeypatch):
    from surveylab.reports import chromium

    monkeypatch.setattr(chromium, "chromium_path", lambda: None)
    app = engineer_app
    select(app, "UI-003")
    app.report_format.value = "pdf"
    before = app.downloads.value
    app.make_report()
    assert "PDF needs Debian&#x27;s chromium" in app.status.value
    assert "Try HTML" in app.status.value  # what to do next
    assert app.downloads.value == before


def test_a_first_page_that_cannot_be_read_says_why_and_offers_no_run(ui_db, monkeypatch):
    """The run count fails (a busy database): the page is built with the reason in the
    status line, an empty table, no run to choose and both page buttons off; the next
    refresh fills it."""
    from surveylab.session import Session
    from tests.ui.conftest import password_of

    def busy(self, **filters):
        raise RuntimeError("database is busy")

    real = Session.count_runs
    monkeypatch.setattr(Session, "count_runs", busy)
    app = RunsApp(ui_db.settings)
    assert app.login.submit("viewer", password_of("viewer")) is not None
    assert app.main is not None and "database is busy" in app.status.value
    assert "reload the page" in app.status.value  # what to do next
    assert app.table.rows == [] and app.page_label.value == ""
    assert "could not be read" in app.table.empty_text
    assert app.prev_button.disabled and app.next_button.disabled
    monkeypatch.setattr(Session, "count_runs", real)
    app.refresh()
    assert f"({N_RUNS} runs)" in app.page_label.value and not app.next_button.disabled


def test_the_run_tabs_are_made_ahead_while_the_table_is_read(ui_db, monkeypatch):
    """In a kernel (an event loop running) the tabs are made hidden a moment after the first
    page, so that the first click on a row only fills them; a click before that makes them
    itself, and they are not made twice. The loop is a stand-in that keeps what is
    scheduled, run here by hand."""
    import asyncio

    from tests.ui.conftest import password_of

    class Loop:
        def __init__(self) -> None:
            self.later: list = []

        def call_later(self, delay, callback, *args):
            self.later.append((delay, callback, args))

        def run_all(self) -> None:
            while self.later:
                _, callback, args = self.later.pop(0)
                callback(*args)

    loop = Loop()
    monkeypatch.setattr(asyncio, "get_running_loop", lambda: loop)
    app = RunsApp(ui_db.settings)
    assert app.login.submit("viewer", password_of("viewer")) is not None
    assert app.tabs is None  # not with the first page
    assert runs_app.DETAILS_DELAY_S in [d for d, _, _ in loop.later]
    loop.run_all()
    assert app.tabs is not None and app.tabs.layout.display == "none"
    tabs = app.tabs
    select(app, "UI-001")
    assert app.tabs is tabs and app.tabs.layout.display == ""
    # chosen before the delay: made with the choice, and not again
    early = RunsApp(ui_db.settings)
    assert early.login.submit("viewer", password_of("viewer")) is not None
    select(early, "UI-003")
    made = early.tabs
    loop.run_all()
    assert early.tabs is made and made.layout.display == ""


def test_uncertainty_ellipses_are_toggled_on_the_plots(engineer_app, shown_figures, monkeypatch):
    """Off by default; on, both plots carry one ellipse trace named by its sigma and plane
    (at the sigma chosen), or a note says why there are none (no reference field)."""
    from surveylab.calc.uncertainty import ReferenceField
    from surveylab.services import uncertainty as unc_service

    app = engineer_app
    select(app, "UI-003")  # an MWD run whose file states no reference field and no place
    app.tabs.selected_index = runs_app.TAB_PLOTS
    assert not app.show_ellipses.value
    assert all("sigma" not in (t.name or "") for f in shown_figures[:2] for t in f.data)
    shown_figures.clear()
    app.show_ellipses.value = True
    assert "no ellipses" in app.ellipse_note.value and "--btotal-nt" in app.ellipse_note.value
    # with a reference field (as a file stating it would give), the ellipses are drawn
    field = ReferenceField(total_field=50000.0, dip=70.0, declination=1.0, source="test")
    monkeypatch.setattr(unc_service, "_reference", lambda *a, **k: (field, {}))
    shown_figures.clear()
    app.ellipse_sigma.value = 3.0
    plan, section = shown_figures[0], shown_figures[1]
    for fig, plane in ((plan, "horizontal plane"), (section, "vertical section plane")):
        traces = [t for t in fig.data if "sigma" in (t.name or "")]
        assert len(traces) == 1
        name = traces[0].name
        assert name.startswith("3-sigma ellipses") and plane in name
        gaps = int(np.isnan(np.asarray(traces[0].x, dtype=float)).sum())
        assert 2 <= gaps <= 13  # one outline per picked station, about 12
    assert "drawn at 3 sigma" in app.ellipse_note.value and "MWD+SRGM" in app.ellipse_note.value
    app.show_ellipses.value = False
    app.tabs.selected_index = 0


def test_the_status_filter_lists_runs_of_that_status(engineer_app):
    from surveylab.models import SurveyStatus

    app = engineer_app
    everyone = app.sess.runs()
    by_status = {s.value: sorted(r.run_number for r in everyone if r.current_status == s.value)
                 for s in SurveyStatus}  # fmt: skip
    assert any(by_status.values())  # the test data have runs with a status
    for status, expected in by_status.items():
        app.status_filter.value = status
        shown = []
        while True:
            shown += numbers(app)
            if app.next_button.disabled:
                break
            app.next_button.click()
        assert shown == expected, status
        if not expected:
            assert "No runs match" in app.table.empty_text
    app.status_filter.value = ""
    assert f"({N_RUNS} runs)" in app.page_label.value


def test_runs_are_counted_once_per_filter_change(engineer_app, monkeypatch):
    app = engineer_app
    counted = []
    real = app.sess.count_runs

    def count(**filters):
        counted.append(filters)
        return real(**filters)

    monkeypatch.setattr(app.sess, "count_runs", count)
    app.next_button.click()
    app.next_button.click()
    app.prev_button.click()
    app.table.sort_key, app.table.sort_descending = "run_name", True
    assert counted == []  # pages and orders reuse the count
    assert "Page 1 of 3" in app.page_label.value
    app.type_filter.value = "MWD"
    assert len(counted) == 1 and counted[0]["run_type"] == "MWD"
    app.type_filter.value = ""
    assert len(counted) == 2
    assert f"Page 1 of 3 ({N_RUNS} runs)" in app.page_label.value


def test_a_page_short_of_the_count_counts_again(engineer_app, monkeypatch):
    """Runs deleted since the count: the last page comes back short, and the count is read
    again rather than promising pages that are gone."""
    app = engineer_app
    real_runs = app.sess.runs

    def fewer(**kw):
        got = real_runs(**kw)
        return got[: len(got) // 2] if kw.get("offset") else got

    monkeypatch.setattr(app.sess, "runs", fewer)
    counted = []
    real_count = app.sess.count_runs
    monkeypatch.setattr(app.sess, "count_runs", lambda **f: counted.append(f) or real_count(**f))
    app.next_button.click()
    assert len(counted) == 1


def test_anticollision_tab_draws_the_ladder_cylinder_and_minimum_table(
    engineer_app, shown_figures, monkeypatch
):
    """Filled when first open, against every other run of the well: one ladder line and one
    cylinder trace per offset, the SF 1.0 and 1.5 lines, the rule's parameters stated, and
    each offset's minimum as the service gives it; a refusal and an empty choice say why."""
    from surveylab.calc.uncertainty import ReferenceField
    from surveylab.services import uncertainty as unc_service

    app = engineer_app
    select(app, "UI-003")  # MWD, in well UI Alpha with UI-001 (GTL) and UI-005 (GTL)
    shown_figures.clear()
    app.tabs.selected_index = runs_app.TAB_ANTICOLLISION
    # the files state no reference field and the well has no place: refused, and said why
    assert "No clearance" in app.acol_note.value and "--btotal-nt" in app.acol_note.value
    assert shown_figures == [] and app.acol_table.value == ""
    assert {label for label, _ in app.acol_offsets.options} == {"UI-001 (GTL)", "UI-005 (GTL)"}
    assert len(app.acol_offsets.value) == 2  # all chosen: scope "well"
    field = ReferenceField(total_field=50000.0, dip=70.0, declination=1.0, latitude=60.0,
                           source="test")  # fmt: skip
    monkeypatch.setattr(unc_service, "_reference", lambda *a, **k: (field, {}))
    app._drawn.clear()
    app.tabs.selected_index = 0
    app.tabs.selected_index = runs_app.TAB_ANTICOLLISION
    ladder, cylinder = shown_figures
    lines = [t for t in ladder.data]
    # UI-005 (horizontal) is beyond the gyro's inclination limit: skipped, with the reason
    assert [t.name for t in lines] == ["UI-001"]
    assert "UI-005: run UI-005" in app.acol_note.value and "89 deg limit" in app.acol_note.value
    levels = sorted(s.y0 for s in ladder.layout.shapes)
    assert levels == [1.0, 1.5]
    assert {a.text for a in ladder.layout.annotations} >= {"SF 1.0", "SF 1.5"}
    assert [t.name for t in cylinder.data] == ["UI-001"]
    assert all(t.type == "scatterpolar" for t in cylinder.data)
    assert "k = 3.5" in app.acol_note.value and "sigma_pa = 0.5 m" in app.acol_note.value
    assert "S_m = 0.3 m" in app.acol_note.value
    want = app.sess.clearance(app.view.run.id, scope="well").to_dict()["offsets"]
    assert [o["offset"] for o in want] == ["UI-001"]
    table = app.acol_table.value
    assert "Min SF [-]" in table and "MD at min [m]" in table and "C-C at min [m]" in table
    for o in want:
        assert f"<td class='l'>{o['offset']}</td>" in table
        assert f"<td class=''>{o['min_sf']:.2f}</td>" in table
        trace = next(t for t in lines if t.name == o["offset"])
        assert min(trace.y) == pytest.approx(o["min_sf"])
    # one offset chosen: that one by name (UI-005 alone is refused, and said why)
    ids = {label.split()[0]: v for label, v in app.acol_offsets.options}
    shown_figures.clear()
    app.acol_offsets.value = (ids["UI-001"],)
    assert [t.name for t in shown_figures[0].data] == ["UI-001"]
    app.acol_offsets.value = (ids["UI-005"],)
    assert "No clearance: offset run UI-005" in app.acol_note.value and app.acol_table.value == ""
    app.acol_offsets.value = ()
    assert "Choose at least one offset run" in app.acol_note.value
    app.tabs.selected_index = 0
