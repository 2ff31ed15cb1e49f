"""The runs dashboard's QC, approval and wellbore views without a browser: the status column
and filter, the QC tab's plot (deltas, limit bands, stations outside), the reference and its
source, the gyro verdict, who sees which button, the services' refusals as they word them,
the status history, and a wellbore's definitive survey with its tool program.

The raw readings are made by rotating a known field into tool frames
(:mod:`tests.sensor_frames`); corrupted stations read another field.
"""

from __future__ import annotations

import itertools
import re

import numpy as np
import pytest

from surveylab.auth import PermissionDenied
from surveylab.services import ServiceError
from surveylab.ui import runs_app
from surveylab.ui.runs_app import RunsApp
from surveylab.ui.shell import esc
from tests.sensor_frames import survey_with_raw_readings
from tests.ui.conftest import make_db, survey_csv

REF_HEADER = {"Reference Btotal": "50000 nT", "Reference Dip": "60 deg", "Reference Gtotal": "1 g"}
N_RAW = 20
MD = 100.0 + 30.0 * np.arange(N_RAW)
INC = np.linspace(5.0, 45.0, N_RAW)
AZI = (30.0 + 0.5 * np.arange(N_RAW)) % 360.0
TOOLFACE = (53.0 * np.arange(N_RAW)) % 360.0
#: Corrupted stations of QC-FAIL (index -> what is off): Btotal +420 nT, dip -0.4 deg,
#: Gtotal +0.006 g; every other station reads the reference field exactly.
BTOTAL_OFF, DIP_OFF, G_OFF = {4: 420.0}, {9: -0.4}, {15: 0.006}
FAILED_IDX = sorted({*BTOTAL_OFF, *DIP_OFF, *G_OFF})
_numbers = itertools.count(1)


def raw_file(*, corrupted: bool = False) -> bytes:
    btotal = np.full(N_RAW, 50_000.0)
    dip = np.full(N_RAW, 60.0)
    g = np.ones(N_RAW)
    if corrupted:
        for k, v in BTOTAL_OFF.items():
            btotal[k] += v
        for k, v in DIP_OFF.items():
            dip[k] += v
        for k, v in G_OFF.items():
            g[k] += v
    return survey_with_raw_readings(
        MD, INC, AZI, TOOLFACE, btotal=btotal, dip=dip, g=g, header=REF_HEADER
    )


def gyro_file(n: int = 15) -> bytes:
    """A gyro listing with an in-run and an out-run (Pass column), 0.3 deg apart in azimuth."""
    md = 30.0 * np.arange(1, n + 1)
    inc = np.minimum(2.0 * np.arange(1, n + 1), 60.0)
    azi = 45.0 + 0.5 * np.arange(n)
    rows = [f"{m:.2f},{i:.3f},{a:.3f},In" for m, i, a in zip(md, inc, azi, strict=True)]
    out = [f"{md[k]:.2f},{inc[k] + 0.05:.3f},{azi[k] + 0.3:.3f},Out" for k in range(n - 1, -1, -1)]
    lines = ["Well: G", "Depth units: m", "Azimuth reference: true north", "", "MD,Inc,Azi,Pass"]
    return ("\n".join([*lines, *rows, *out]) + "\n").encode()


def add_run(db, number: str, content: bytes, importer: str, *, well: str | None, kind="MWD"):
    """Create run ``number`` (owned by ``importer``) and import ``content`` into it."""
    from surveylab.repositories import UnitOfWork
    from surveylab.services import runs, surveys

    runs.create_run(
        UnitOfWork(db.settings),
        db.actors[importer],
        run_number=number,
        run_name=f"{number} run",
        run_type=kind,
        well=well,
    )
    return surveys.import_survey(
        UnitOfWork(db.settings), db.actors[importer], run=number, content=content,
        file_name=f"{number}.csv",
    )  # fmt: skip


@pytest.fixture(scope="module")
def qc_db(tmp_path_factory):
    """Well "QC Alpha": QC-PASS and QC-FAIL (raw readings), QC-NORAW (none), QC-GYRO (in-run
    and out-run), all imported by the surveyor; QC-ENG (raw, imported by the engineer);
    QC-NONE (no survey). Well "QC Def": DEF-1 (imported by the surveyor, approved by the
    engineer) and DEF-2 (imported by the engineer, approved by the admin) composing its main
    wellbore's definitive survey from 0 to 900 m and 900 m to TD; sidetrack ST1 at 1500 m."""
    from surveylab.repositories import UnitOfWork
    from surveylab.services import approval, definitive, runs, wellbores

    db = make_db(tmp_path_factory.mktemp("ui-qc"))
    s, a = db.settings, db.actors
    for name in ("QC Alpha", "QC Def"):
        runs.create_well(UnitOfWork(s), a["engineer"], well_name=name)
    add_run(db, "QC-PASS", raw_file(), "surveyor", well="QC Alpha")
    add_run(db, "QC-FAIL", raw_file(corrupted=True), "surveyor", well="QC Alpha")
    add_run(db, "QC-NORAW", survey_csv("J", run="QC-NORAW"), "surveyor", well="QC Alpha")
    add_run(db, "QC-GYRO", gyro_file(), "surveyor", well="QC Alpha", kind="Gyro")
    add_run(db, "QC-ENG", raw_file(), "engineer", well="QC Alpha")
    runs.create_run(UnitOfWork(s), a["surveyor"], run_number="QC-NONE", run_name="no survey")
    add_run(db, "DEF-1", survey_csv("J", run="DEF-1"), "surveyor", well="QC Def", kind="Gyro")
    add_run(db, "DEF-2", survey_csv("J", run="DEF-2", noise=0.05, seed=2), "engineer",
            well="QC Def")  # fmt: skip
    approval.approve(UnitOfWork(s), a["engineer"], "DEF-1", note="gyro checked")
    approval.approve(UnitOfWork(s), a["admin"], "DEF-2", note="MWD checked")
    definitive.compose_definitive(
        UnitOfWork(s), a["engineer"], "QC Def", intervals=["DEF-1:0:900", "DEF-2:900:TD"],
        note="gyro to 900 m, MWD below",
    )  # fmt: skip
    wellbores.create_wellbore(
        UnitOfWork(s), a["engineer"], well="QC Def", name="ST1", parent="main", kickoff_md=1500.0,
        depth_unit="m",
    )  # fmt: skip
    return db


@pytest.fixture
def app_as(qc_db, login_as):
    """``app_as(username)`` -> a runs dashboard logged in as ``username``."""
    return lambda username: login_as(RunsApp, qc_db.settings, username)


def open_qc(app: RunsApp, number: str) -> None:
    """Choose run ``number`` and open its QC tab."""
    app.search.value = number
    app.choose(number)
    app.run_tabs.selected_index = runs_app.TAB_QC


def grid(app: RunsApp) -> dict[str, dict[str, str]]:
    """The grid's rows as shown, by run number: column label -> text."""
    heads = [c["label"] for c in app.table.columns]
    return {row[0]: dict(zip(heads, row, strict=True)) for row in app.table.cell_text()}


def shown(widget) -> bool:
    return widget.layout.display != "none"


def body_rows(html: str) -> list[list[str]]:
    """The body cells of the (first) HTML table in ``html``."""
    body = html.split("<tbody>")[1].split("</tbody>")[0]
    return [re.findall(r"<td[^>]*>(.*?)</td>", r) for r in body.split("<tr>")[1:]]


# ----------------------------------------------------------------------------- table
def test_the_table_shows_each_runs_status_and_filters_by_it(app_as):
    app = app_as("viewer")
    app.search.value = "QC-"
    rows = grid(app)
    assert "Status" in [c["label"] for c in app.table.columns]
    assert {n: r["Status"] for n, r in rows.items()} == {
        "QC-ENG": "qc_passed",
        "QC-FAIL": "qc_failed",
        "QC-GYRO": "qc_passed",
        "QC-NONE": "",
        "QC-NORAW": "draft",
        "QC-PASS": "qc_passed",
    }
    for status, expected in (
        ("qc_failed", ["QC-FAIL"]),
        ("qc_passed", ["QC-ENG", "QC-GYRO", "QC-PASS"]),
        ("draft", ["QC-NORAW"]),
        ("none", ["QC-NONE"]),
        ("approved", []),
    ):
        app.status_filter.value = status
        assert sorted(grid(app)) == expected, status
        assert f"({len(expected)} run" in app.page_label.value
    app.search.value = ""
    app.status_filter.value = "definitive"
    assert sorted(grid(app)) == ["DEF-1", "DEF-2"]


def test_an_unknown_status_is_refused_by_the_service(app_as):
    app = app_as("viewer")
    with pytest.raises(ServiceError, match="status must be one of draft, qc_passed"):
        app.session.runs(status="checked")


# ----------------------------------------------------------------------------- QC tab
def test_the_qc_plot_shows_the_deltas_within_their_limit_bands(app_as, shown_figures):
    app = app_as("viewer")
    open_qc(app, "QC-FAIL")
    assert app.tabs.titles[runs_app.TAB_QC] == "QC"
    (fig,) = shown_figures
    assert "Raw-sensor QC: QC Alpha · run QC-FAIL rev 1" in fig.layout.title.text
    assert [fig.layout[f"yaxis{k}"].title.text for k in ("", "2", "3")] == [
        "ΔBtotal [nT]",
        "ΔDip [deg]",
        "ΔGtotal [g]",
    ]
    assert fig.layout.xaxis3.title.text == "MD [m]"
    bands = [t for t in fig.data if t.name.startswith("limit")]
    assert [t.name for t in bands] == ["limit ±300 nT", "limit ±0.25 deg", "limit ±0.0025 g"]
    for band, lim in zip(bands, (300.0, 0.25, 0.0025), strict=True):
        assert band.fill == "toself"
        assert max(band.y) == pytest.approx(lim) and min(band.y) == pytest.approx(-lim)
        assert (min(band.x), max(band.x)) == (MD[0], MD[-1])  # across the stations
    series = {t.name: t for t in fig.data if t.name.startswith("Δ")}
    expected = {
        "ΔBtotal [nT]": np.array([BTOTAL_OFF.get(k, 0.0) for k in range(N_RAW)]),
        "ΔDip [deg]": np.array([DIP_OFF.get(k, 0.0) for k in range(N_RAW)]),
        "ΔGtotal [g]": np.array([G_OFF.get(k, 0.0) for k in range(N_RAW)]),
    }
    for label, values in expected.items():
        np.testing.assert_allclose(series[label].x, MD)
        # the readings are printed to 9 decimals: deltas to well within the limits' scale
        np.testing.assert_allclose(series[label].y, values, atol=1e-4)
    # each failed station crossed in the panel of the quantity beyond its limit
    crosses = [t for t in fig.data if t.name == "outside a limit"]
    assert [t.showlegend for t in crosses] == [True, False, False]
    for t, off in zip(crosses, (BTOTAL_OFF, DIP_OFF, G_OFF), strict=True):
        np.testing.assert_allclose(t.x, MD[sorted(off)])
        np.testing.assert_allclose(t.y, list(off.values()), atol=1e-4)
    # the failed stations listed, with their deltas
    assert f"Stations outside the limits ({len(FAILED_IDX)} of {N_RAW})" in app.qc_failed.value
    listed = body_rows(app.qc_failed.value)
    assert [float(r[0]) for r in listed] == list(MD[FAILED_IDX])
    assert [r[1] for r in listed] == ["420.0", "0.0", "0.0"]
    assert [r[2] for r in listed] == ["0.000", "-0.400", "0.000"]
    assert [r[3] for r in listed] == ["0.00000", "0.00000", "0.00600"]
    # verdict, status, the reference and its source
    info = app.qc_info.value
    assert "<b class='sl-qc-fail'>fail</b>" in info and "qc_failed" in info
    assert "Reference field (source: file)" in info
    for label, value in (
        ("Btotal [nT]", "50000.0"),
        ("Dip [deg]", "60.000"),
        ("Gtotal [g]", "1.00000"),
    ):
        assert f"<th class='l'>{label}</th><td>{value}</td><td class='l'>file</td>" in info
    assert "file header &#x27;Reference Btotal&#x27;" in info
    assert "Limits: Btotal ±300 nT, dip ±0.25 deg, Gtotal ±0.0025 g" in info


def test_a_passing_revision_lists_no_failed_station(app_as, shown_figures):
    app = app_as("viewer")
    open_qc(app, "QC-PASS")
    (fig,) = shown_figures
    assert not [t for t in fig.data if t.name == "outside a limit"]
    assert f"All {N_RAW} stations used are within the limits" in app.qc_failed.value
    assert "<b class='sl-ok'>pass</b>" in app.qc_info.value


def test_a_revision_without_raw_readings_says_so_and_draws_nothing(app_as, shown_figures):
    app = app_as("viewer")
    open_qc(app, "QC-NORAW")
    assert shown_figures == []
    assert (
        "No raw-sensor QC for this revision: the file has no raw sensor readings (columns Gx, "
        "Gy, Gz, Bx, By, Bz)" in app.qc_info.value
    )
    assert "Reference field" not in app.qc_info.value and app.qc_failed.value == ""
    assert "status <b class='sl-qc-status'>draft</b>" in app.qc_info.value


def test_the_gyro_in_run_out_run_verdict_is_shown(app_as, shown_figures):
    app = app_as("viewer")
    open_qc(app, "QC-GYRO")
    assert shown_figures == []  # no raw readings
    gyro = app.qc_info.value.split("sl-qc-gyro")[1]
    assert "Gyro in-run against out-run (15 in-run, 15 out-run stations)" in gyro
    assert "<b class='sl-ok'>pass</b>" in gyro


# ----------------------------------------------------------------------------- rights
@pytest.mark.parametrize(
    ("who", "run", "rerun", "approve", "override", "hint"),
    [
        ("engineer", "QC-PASS", True, True, False, "a second person: it was imported by surveyor"),
        ("admin", "QC-PASS", True, True, False, "Approve revision 1 as admin"),
        ("engineer", "QC-FAIL", True, True, True, "tick <b>Override failed QC</b>"),
        ("surveyor", "QC-PASS", True, False, False, "needs the Engineer or Admin role"),
        ("viewer", "QC-PASS", False, False, False, "viewer is Viewer"),
        ("engineer", "QC-ENG", True, False, False, "approval needs a second person (four eyes)"),
        ("admin", "QC-ENG", True, True, False, "imported by engineer"),
        ("engineer", "DEF-1", False, False, False, "Revision 1 is definitive (by engineer"),
    ],
)
def test_the_buttons_show_only_to_those_allowed(app_as, who, run, rerun, approve, override, hint):
    app = app_as(who)
    open_qc(app, run)
    assert shown(app.qc_rerun) is rerun
    assert shown(app.approve_box) is approve
    assert shown(app.override_qc) is override
    assert hint in app.approve_hint.value


@pytest.mark.parametrize(
    ("who", "run", "refusal"),
    [
        ("engineer", "QC-ENG", PermissionDenied),  # four eyes
        ("surveyor", "QC-PASS", PermissionDenied),  # role
        ("viewer", "QC-PASS", PermissionDenied),
        ("admin", "DEF-1", ServiceError),  # already definitive
    ],
)
def test_approving_anyway_shows_the_services_refusal(app_as, qc_db, who, run, refusal):
    """The controls hidden, a call still made (as a crafted request would): the service
    refuses and the dashboard shows its message word for word; nothing changes."""
    from surveylab.repositories import UnitOfWork

    app = app_as(who)
    open_qc(app, run)
    with pytest.raises(refusal) as expected:
        app.session.approve(run, note="trying anyway")
    app.approve_note.value = "trying anyway"
    app.approve()
    assert esc(str(expected.value)) in app.status.value
    assert "sl-error-box" in app.status.value
    with UnitOfWork(qc_db.settings) as uow:
        r = uow.runs.by_number(run)
    assert r is not None and r.current_status in ("qc_passed", "definitive")
    if run == "QC-ENG":
        assert (
            "engineer imported run QC-ENG revision 1 and may not approve it: approval needs a "
            "second person (four eyes)" in app.status.value
        )


# ----------------------------------------------------------------------------- approving
def test_an_engineer_approves_with_a_note_and_sees_the_status_everywhere(app_as, qc_db):
    number = f"AP-{next(_numbers)}"
    add_run(qc_db, number, raw_file(), "surveyor", well="QC Alpha")
    app = app_as("engineer")
    open_qc(app, number)
    assert shown(app.approve_box) and grid(app)[number]["Status"] == "qc_passed"
    app.approve_button.click()  # no note: the service says what is missing
    assert "an approval needs a note (field &#x27;note&#x27;)" in app.status.value
    app.approve_note.value = "raw data within limits; checked against the gyro"
    app.approve_button.click()
    assert f"Run {number} revision 1 is approved (by engineer)." in app.status.value
    assert "sl-ok-box" in app.status.value
    assert grid(app)[number]["Status"] == "approved"  # the table row
    assert "<span class='sl-run-status'>approved</span>" in app.run_header.value
    assert app.tabs.selected_index == runs_app.TAB_QC  # still on the QC tab, filled again
    assert not shown(app.approve_box) and not shown(app.qc_rerun)  # QC frozen once approved
    assert "is approved (by engineer" in app.approve_hint.value
    history = body_rows(app.status_changes.value)
    assert [(r[1], r[2], r[3]) for r in history] == [
        ("surveyor", "", "draft"),
        ("surveyor", "draft", "qc_passed"),
        ("engineer", "qc_passed", "approved"),
    ]
    assert history[-1][4] == "raw data within limits; checked against the gyro"
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", history[-1][0])
    assert app.approve_note.value == ""
    app.tabs.selected_index = runs_app.TAB_SUMMARY
    assert "approved (by engineer at " in app.summary.value


def test_a_failed_revision_needs_the_override_and_its_note(app_as, qc_db):
    number = f"AP-{next(_numbers)}"
    add_run(qc_db, number, raw_file(corrupted=True), "surveyor", well="QC Alpha")
    app = app_as("admin")
    open_qc(app, number)
    assert shown(app.override_qc)
    app.approve_note.value = "interference near the casing shoe; accepted"
    app.approve_button.click()
    assert "failed QC: approving it needs an explicit override" in app.status.value
    assert grid(app)[number]["Status"] == "qc_failed"
    app.override_qc.value = True
    app.approve_button.click()
    assert f"Run {number} revision 1 is approved (by admin)." in app.status.value
    last = body_rows(app.status_changes.value)[-1]
    assert last[2:4] == ["qc_failed", "approved (QC override)"]
    assert last[4].startswith("QC override: interference near the casing shoe; accepted")


def test_run_qc_again_for_survey_work_only(app_as, qc_db):
    number = f"AP-{next(_numbers)}"
    add_run(qc_db, number, raw_file(corrupted=True), "surveyor", well="QC Alpha")
    app = app_as("surveyor")
    open_qc(app, number)
    assert shown(app.qc_rerun)
    app.qc_rerun.click()
    assert f"QC of run {number} revision 1 ran again: qc_failed" in app.status.value
    assert "checked" in app.qc_info.value and "by surveyor" in app.qc_info.value
    viewer = app_as("viewer")
    open_qc(viewer, number)
    assert not shown(viewer.qc_rerun)
    with pytest.raises(PermissionDenied) as expected:
        viewer.session.run_qc(number)
    viewer.rerun_qc()
    assert esc(str(expected.value)) in viewer.status.value


# ----------------------------------------------------------------------------- wellbore
def test_the_wellbore_tab_shows_the_definitive_survey_and_its_tool_program(app_as, shown_figures):
    app = app_as("viewer")
    app.search.value = "DEF-2"
    app.choose("DEF-2")
    app.tabs.selected_index = runs_app.TAB_WELLBORE
    assert app.tabs.titles[runs_app.TAB_WELLBORE] == "Wellbore"
    bores = body_rows(app.wellbores_table.value)
    assert bores == [
        ["main (this run&#x27;s)", "(main bore)", "", "yes"],
        ["ST1", "main", "1500.00 m", "none yet"],
    ]
    assert app.wellbore_pick.value == "main"
    info = app.definitive_info.value
    assert "Definitive survey of QC Def/main: version 1" in info
    assert "gyro to 900 m, MWD below" in info and "Composed by engineer" in info
    heads = re.findall(r"<th class='[^']*'>(.*?)</th>", info.split("sl-tool-program")[1])
    assert heads == [
        "Interval",
        "Run",
        "Tool type",
        "Revision",
        "Status",
        "MD from [m]",
        "MD to [m]",
    ]
    program = body_rows(info.split("sl-tool-program")[1])
    assert [r[:5] for r in program] == [
        ["1", "DEF-1", "Gyro (MWD)", "1", "definitive"],  # the run's type (the file's tool)
        ["2", "DEF-2", "MWD", "1", "definitive"],
    ]
    assert program[0][5:] == ["0.00", "900.00"] and program[1][5] == "900.00"
    assert float(program[1][6]) == pytest.approx(app.view.stations["md"].iloc[-1])
    plan, section = shown_figures
    context = "QC Def/main definitive v1"
    assert plan.layout.title.text.startswith(f"Plan view: {context}")
    assert section.layout.title.text.startswith(f"Vertical section: {context}")
    assert (
        plan.layout.xaxis.title.text == "East [m]" and section.layout.yaxis.title.text == "TVD [m]"
    )
    assert plan.data[0].name == "definitive v1"
    # the definitive survey's stations: both intervals, tied at 900 m
    np.testing.assert_allclose(plan.data[0].customdata[-1], app.view.stations["md"].iloc[-1])
    # a sidetrack without a definitive survey says how one is made
    shown_figures.clear()
    app.wellbore_pick.value = "ST1"
    assert "Wellbore QC Def/ST1 has no definitive survey yet" in app.definitive_info.value
    assert "surveylab definitive compose" in app.definitive_info.value
    assert shown_figures == []


def test_a_run_without_a_well_has_no_wellbore(app_as, qc_db):
    number = f"AP-{next(_numbers)}"
    add_run(qc_db, number, raw_file(), "surveyor", well=None)
    app = app_as("viewer")
    app.search.value = number
    app.choose(number)
    app.tabs.selected_index = runs_app.TAB_WELLBORE
    assert "is not assigned to a well" in app.wellbore_note.value
    assert not shown(app.wellbore_pick) and app.definitive_info.value == ""


def test_the_qc_figure_crosses_only_stations_judged_failed():
    """Not judged (None, NA, NaN: no reference) is not failed; a failed station within one
    quantity's limit is not crossed in that quantity's panel."""
    import pandas as pd

    from surveylab.ui import figures

    frame = pd.DataFrame(
        {
            "md": [10.0, 20.0, 30.0, 40.0, 50.0],
            "d_btotal_nt": [500.0, 500.0, 500.0, 10.0, 500.0],
            "d_dip_deg": [0.0, 0.0, 0.0, 0.3, 0.0],
            "d_gtotal_g": [0.0, 0.0, 0.0, 0.0, 0.0],
            "passed": [None, pd.NA, float("nan"), False, False],
        }
    )
    limits = {"btotal_nt": 300.0, "dip_deg": 0.25, "gtotal_g": 0.0025}
    fig = figures.qc_view(frame, limits, "ft", title="t")
    crosses = [t for t in fig.data if t.name == "outside a limit"]
    assert [list(t.x) for t in crosses] == [[50.0], [40.0]]  # Btotal panel, dip panel
    assert fig.layout.xaxis3.title.text == "MD [ft]"
