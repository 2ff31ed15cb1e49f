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
    return app.table.value.count("<tr>") - 1  # minus the head row


@pytest.fixture
def engineer_app(ui_db, login_as) -> RunsApp:
    return login_as(RunsApp, ui_db.settings, "engineer")


def select(app: RunsApp, number: str) -> None:
    """Choose ``number`` in the run dropdown (searching for it first)."""
    app.search.value = number
    ref = dict((label.split(":")[0], v) for label, v in app.run_select.options)[number]
    app.run_select.value = ref


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
    # the run dropdown offers the runs of the page shown
    assert len(app.run_select.options) == PAGE_SIZE + 1


def test_a_filter_change_goes_back_to_page_1(engineer_app):
    app = engineer_app
    app.next_button.click()
    app.type_filter.value = "MWD"
    assert "Page 1 of 1 (15 runs)" in app.page_label.value


def test_table_shows_revision_and_worst_finding(engineer_app):
    app = engineer_app
    head = app.table.value.split("</thead>")[0]
    for label in ("Run number", "Well", "Owner", "Revision", "Stations", "Worst finding"):
        assert label in head
    rows = {r.run_number: r for r in app.page_runs}
    assert rows["UI-001"].current_revision == 2
    assert rows["UI-002"].current_revision is None
    assert "none" in app.table.value


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
    if not expected:
        assert "No runs match" in app.table.value
        assert app.run_select.options == (("(choose a run)", None),)


def test_filters_combine(ui_db, login_as):
    app = login_as(RunsApp, ui_db.settings, "surveyor")
    app.scope.value = "My runs"
    app.well_filter.value = "UI Alpha"
    app.type_filter.value = "GTL"  # runs 1, 5, 9, ... (all odd: the surveyor's)
    assert numbers(app) == [f"UI-{i:03d}" for i in range(1, 31, 4)]
    app.owner_filter.value = "engineer"  # mine and someone else's: nothing
    assert numbers(app) == []


@pytest.mark.parametrize(
    ("sort", "key"),
    [
        ("Run number", lambda r: r.run_number),
        ("Run name", lambda r: r.run_name),
        ("Type", lambda r: str(r.run_type)),
        ("Owner", lambda r: r.owner_name),
        ("Well", lambda r: r.well_name),
    ],
)
def test_sort_orders_the_whole_listing_across_pages(engineer_app, sort, key):
    app = engineer_app
    app.sort.value = sort
    seen = []
    for _ in range(3):
        seen.extend(app.page_runs)
        app.turn_page(+1)
    assert len({r.run_number for r in seen}) == N_RUNS
    keys = [key(r) for r in seen]
    assert keys == sorted(keys)


def test_newest_first_puts_the_last_changed_run_first(engineer_app):
    app = engineer_app
    app.sort.value = "Newest first"
    stamps = [r.updated_at for r in app.page_runs]
    assert stamps == sorted(stamps, reverse=True)


# ----------------------------------------------------------------------------- one run
def test_select_run_fills_the_summary_with_units_and_the_last_station(engineer_app):
    app = engineer_app
    assert app.details.layout.display == "none"
    select(app, "UI-003")  # S profile, but check the J run against the analytic answer
    select(app, "UI-001")
    assert app.details.layout.display == ""
    s = app.summary.value
    assert "UI-001" in s and "UI Alpha" in s and "surveyor" in s
    assert "2 (current)" in s
    assert "Depth unit</th><td class='l'>m<" in s
    assert "UI-001.csv (csv)" in s
    last = re.search(r"Last station</th><td class='l'>MD ([\d.]+) m, TVD ([\d.]+) m", s)
    assert last is not None
    assert float(last.group(1)) == pytest.approx(2580.0)
    # revision 2 has 0.05 deg of noise: within 1 m of the exact arc-and-hold answer
    assert float(last.group(2)) == pytest.approx(J_TVD, abs=1.0)
    assert "Findings" in app.findings.value


def test_revision_1_matches_the_analytic_trajectory(ui_db, login_as):
    from surveylab.session import Session

    sess = Session.login("viewer", "viewer-password-123", ui_db.settings)
    view = sess.survey("UI-001", revision=1)
    last = view.stations.iloc[-1]
    assert last["tvd"] == pytest.approx(J_TVD, abs=1e-6)
    assert math.hypot(last["north"], last["east"]) == pytest.approx(J_HD, abs=1e-6)
    assert math.degrees(math.atan2(last["east"], last["north"])) == pytest.approx(40.0)


def test_stations_table_labels_carry_units(engineer_app):
    app = engineer_app
    assert app.tabs is None  # the tabs of a run are made with the first run chosen
    select(app, "UI-005")
    assert app.tabs.selected_index == 0
    app.tabs.selected_index = runs_app.TAB_STATIONS  # filled when open
    head = app.stations.value.split("</thead>")[0]
    for label in ("MD [m]", "Inc [deg]", "Azi [deg]", "TVD [m]", "N [m]", "E [m]", "DLS [deg/30"):
        assert label in head, label
    assert app.stations.value.count("<tr>") - 1 == len(app.view.stations)


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
    assert titles[0] == "Plan view" and titles[2] == "Dogleg severity"
    assert titles[1].startswith("Vertical section")
    n = len(app.view.stations)
    for f in figs:
        assert len(f.data) == 1 and len(f.data[0].x) == n
    assert "[m]" in figs[0].layout.xaxis.title.text and "[m]" in figs[1].layout.yaxis.title.text
    assert figs[2].layout.yaxis.title.text == "DLS [deg/30 m]"
    # back and forth: drawn once per run
    app.tabs.selected_index = 0
    app.tabs.selected_index = runs_app.TAB_PLOTS
    assert len(shown_figures) == 3
    # the 3-D view on opening its tab, once per run
    shown_figures.clear()
    app.tabs.selected_index = runs_app.TAB_3D
    assert app.tabs.titles[runs_app.TAB_3D] == "3-D"
    assert [f.layout.title.text for f in shown_figures] == ["3-D view"]
    assert shown_figures[0].layout.scene.zaxis.title.text == "TVD [m]"
    assert len(shown_figures[0].data[0].x) == n
    app.tabs.selected_index = 0
    app.tabs.selected_index = runs_app.TAB_3D
    assert len(shown_figures) == 1
    # with a figure tab open, choosing another run draws its figures at once
    shown_figures.clear()
    select(app, "UI-001")
    assert [f.layout.title.text for f in shown_figures] == ["3-D view"]
    assert len(shown_figures[0].data[0].x) == len(app.view.stations)
    app.tabs.selected_index = runs_app.TAB_PLOTS
    assert len(shown_figures) == 4
    # the section azimuth is selectable: a new value redraws along it
    shown_figures.clear()
    app.vs_azimuth.value = 90.0
    assert len(shown_figures) == 3
    section = shown_figures[1]
    assert "90.00 deg" in section.layout.title.text
    np.testing.assert_allclose(section.data[0].x, app.view.stations["east"], atol=1e-9)
    app.tabs.selected_index = 0


def test_selecting_a_run_without_survey_says_so(engineer_app):
    app = engineer_app
    select(app, "UI-002")
    assert "has no survey yet" in app.summary.value
    assert app.view is None


def test_history_and_compare_show_a_difference_table(engineer_app):
    app = engineer_app
    select(app, "UI-001")
    app.tabs.selected_index = runs_app.TAB_HISTORY  # filled when open
    assert app.history.value.count("<tr>") - 1 == 2
    assert (app.rev_a.value, app.rev_b.value) == (1, 2)
    app.compare_button.click()
    d = app.diff.value
    m = re.search(r"Revision 2 minus revision 1: (\d+) of (\d+) stations differ", d)
    assert m is not None
    changed, total = int(m.group(1)), int(m.group(2))
    assert total == len(app.view.stations) and 0 < changed < total  # the vertical part agrees
    for label in ("MD [m]", "dInc [deg]", "dAzi [deg]", "dTVD [m]", "dN [m]", "dE [m]"):
        assert label in d
    app.rev_a.value = 2
    app.compare_button.click()
    assert f"0 of {total} stations differ" in app.diff.value


def test_overlay_of_the_runs_of_one_well(engineer_app, shown_figures):
    app = engineer_app
    select(app, "UI-005")
    app.tabs.selected_index = runs_app.TAB_OVERLAY  # filled when open
    labels = [label.split(":")[0] for label, _ in app.overlay_select.options]
    assert labels == ["UI-001", "UI-003", "UI-005"]  # only runs with a survey, same well
    shown_figures.clear()
    app.overlay_button.click()
    assert len(shown_figures) == 2
    for fig in shown_figures:
        assert [t.name for t in fig.data] == labels
    app.overlay_select.value = (app.overlay_select.options[0][1],)
    shown_figures.clear()
    app.overlay()
    assert [t.name for t in shown_figures[0].data] == ["UI-001"]


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "las", "witsml", "witsml20"])
def test_export_link_re_reads_to_the_same_stations(engineer_app, fmt):
    app = engineer_app
    select(app, "UI-003")
    app.export_format.value = fmt
    app.export_button.click()
    html = app.downloads.value
    m = re.search(r"download='([^']+)' href='data:application/octet-stream;base64,([^']+)'", html)
    assert m is not None, html[:300]
    name, data = m.group(1), base64.b64decode(m.group(2))
    parsed = read_survey(data, name=name)
    assert str(parsed.header.depth_unit) == "m"
    want = app.view.stations
    got = parsed.stations
    assert len(got) == len(want)
    for col in ("md", "inc", "azi"):
        np.testing.assert_allclose(got[col].to_numpy(float), want[col].to_numpy(float), atol=1e-6)


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
    first_page = [w_ for w_ in walk(app.main) if w_ is not app.details]
    layouts = {id(x.layout) for x in first_page if x not in (app.run_select, app.details)}
    assert len(layouts) == 1
    styles = {id(x.style) for x in first_page if hasattr(x, "style")}
    kinds = {type(x.style) for x in first_page if hasattr(x, "style")}
    assert len(styles) == len(kinds)
    shared = app.table.layout
    select(app, "UI-001")
    assert app.details.layout.display == "" and shared.display is None


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
    app.report_format.value = fmt
    app.make_report()
    assert "Report ready" in app.downloads.value, app.status.value
    name = re.search(r"download='([^']+)'", app.downloads.value).group(1)
    path = app.settings.reports_dir / name
    assert name.startswith("UI-003_rev1_survey") and path.suffix == f".{fmt}"
    href = re.search(r"base64,([^']+)'", app.downloads.value).group(1)
    assert base64.b64decode(href) == path.read_bytes()
    if fmt == "html":
        assert "UI-003" in path.read_text(encoding="utf-8")
    else:
        import pypdf

        text = " ".join(p.extract_text() for p in pypdf.PdfReader(str(path)).pages)
        assert "UI-003" in text
    assert any(r.file_path == str(path.resolve()) for r in app.session.reports())


def test_make_report_shows_why_a_pdf_failed(engineer_app, report_env, monkeypatch):
    from surveylab.reports import chromium

    monkeypatch.setattr(chromium, "chromium_path", lambda: None)
    app = engineer_app
    select(app, "UI-003")
    app.report_format.value = "pdf"
    before = app.downloads.value
    app.make_report()
    assert "PDF needs Debian&#x27;s chromium" in app.status.value
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
    assert app.table.value == "" and app.page_label.value == ""
    assert app.run_select.options == (runs_app.NO_RUN,)
    assert app.prev_button.disabled and app.next_button.disabled
    monkeypatch.setattr(Session, "count_runs", real)
    app.refresh()
    assert f"({N_RUNS} runs)" in app.page_label.value and not app.next_button.disabled
