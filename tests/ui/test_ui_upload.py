"""The upload dashboard's state without a browser: previews, overrides, commits, refusals,
progress (function-scoped DuckDB databases from ``fresh_db``)."""

from __future__ import annotations

import hashlib
import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from surveylab.repositories import UnitOfWork
from surveylab.ui.upload_app import UploadApp
from tests.conftest import REPO_ROOT
from tests.ui.conftest import survey_csv

DATA = REPO_ROOT / "tests" / "data"


def min_curve(md, inc, azi) -> tuple[float, float, float]:
    """Independent minimum curvature from a vertical tie-on at the first station [len units]."""
    tvd = north = east = 0.0
    for i in range(1, len(md)):
        i1, i2 = math.radians(inc[i - 1]), math.radians(inc[i])
        a1, a2 = math.radians(azi[i - 1]), math.radians(azi[i])
        cos_dl = math.cos(i2 - i1) - math.sin(i1) * math.sin(i2) * (1 - math.cos(a2 - a1))
        dl = math.acos(max(-1.0, min(1.0, cos_dl)))
        rf = 1.0 if dl < 1e-12 else 2 / dl * math.tan(dl / 2)
        half = (md[i] - md[i - 1]) / 2 * rf
        north += half * (math.sin(i1) * math.cos(a1) + math.sin(i2) * math.cos(a2))
        east += half * (math.sin(i1) * math.sin(a1) + math.sin(i2) * math.sin(a2))
        tvd += half * (math.cos(i1) + math.cos(i2))
    return tvd, north, east


def last_station(app: UploadApp) -> dict[str, float]:
    m = re.search(
        r"Last station: MD ([-\d.]+) (\S+), TVD ([-\d.]+) \S+, N ([-\d.]+) \S+, E ([-\d.]+)",
        app.preview_head.value,
    )
    assert m is not None, app.preview_head.value[-400:]
    return {
        "md": float(m.group(1)),
        "unit": m.group(2).rstrip(","),
        "tvd": float(m.group(3)),
        "north": float(m.group(4)),
        "east": float(m.group(5)),
    }


@pytest.fixture
def app(fresh_db, login_as) -> UploadApp:
    """An engineer's upload app with a new well and run chosen."""
    a = login_as(UploadApp, fresh_db.settings, "engineer")
    a.new_well_name.value = "Upload well"
    a.create_well()
    a.new_run_number.value = "U-1"
    a.new_run_name.value = "upload run"
    a.new_run_type.value = "MWD"
    a.create_run()
    return a


def revisions(settings, number: str) -> list[int]:
    with UnitOfWork(settings) as uow:
        run = uow.runs.by_number(number)
        return [s.revision for s in uow.surveys.for_run(run.id)]


def test_create_well_and_run_select_them(app, fresh_db):
    assert app.well.value == "Upload well"
    assert app.run.value is not None
    assert "Run U-1 created" in app.status.value
    label = dict((v, k) for k, v in app.run.options)[app.run.value]
    assert label == "U-1: upload run (MWD)"
    with UnitOfWork(fresh_db.settings) as uow:
        run = uow.runs.by_number("U-1")
        assert run.user_id == fresh_db.actors["engineer"].id and run.well_id is not None


def test_a_bad_new_run_shows_the_reason_and_creates_nothing(app, fresh_db):
    app.new_run_number.value = "U-1"  # taken
    app.new_run_name.value = "another"
    app.create_run()
    assert "sl-error-box" in app.status.value and "U-1" in app.status.value
    with UnitOfWork(fresh_db.settings) as uow:
        assert uow.runs.count() == 1


def test_good_file_previews_format_header_stations_and_missing_fields(app, shown_figures):
    content = (DATA / "no_tie_on.csv").read_bytes()
    p = app.add_file("no_tie_on.csv", content)
    assert p.preview is not None and p.preview.error is None
    head = app.preview_head.value
    assert "<h4>no_tie_on.csv</h4>" in head
    assert "Format</th><td class='l'>csv" in head
    assert "Depth unit</th><td class='l'>m" in head
    for label in ("Azimuth reference", "Declination [deg]", "Tie-on"):
        row = head.split(label, 1)[1].split("</tr>", 1)[0]
        assert "not stated by the file" in row, label
    assert {"tie_on", "declination"} <= set(p.preview.missing)
    last = last_station(app)
    tvd, north, _east = min_curve([0, 120, 150], [0, 0.5, 1], [0, 10, 12])  # vertical above 120
    assert last["md"] == 150.0 and last["unit"] == "m"
    assert last["tvd"] == pytest.approx(tvd, abs=0.006)
    assert last["north"] == pytest.approx(north, abs=0.006)
    assert "vertical" in app.preview_findings.value.lower()
    assert "MD [m]" in app.preview_table.value and "TVD [m]" in app.preview_table.value
    # the shared figures (surveylab.ui.figures): each title states the north reference once
    # (here: not stated by the file), the section also its azimuth and origin
    plan, section = (f.layout.title.text for f in shown_figures)
    assert plan.startswith("Plan view") and "north reference the file did not state" in plan
    assert section.startswith("Vertical section") and "° (azimuths from" in section
    assert "origin N 0, E 0 m" in section


def test_bad_file_shows_the_reason_with_file_line_and_field(app):
    app.add_file("bad_number.csv", (DATA / "bad_number.csv").read_bytes())
    head = app.preview_head.value
    assert "sl-error-box" in head
    assert "bad_number.csv cannot be imported" in head
    assert "line 4" in head and "inc" in head and "1O.5" in head
    assert app.preview_table.value == ""


def test_override_sets_the_depth_unit_of_a_file_without_one(app):
    content = (DATA / "tab_delimited.txt").read_bytes()
    p = app.add_file("tab_delimited.txt", content)
    assert p.preview.stations is None
    assert (
        "depth unit" in app.preview_head.value and "choose m, ft or usft" in app.preview_head.value
    )
    assert "Depth unit</th><td class='l'><span class='sl-missing'>" in app.preview_head.value
    app.depth_unit.value = "ft"
    app.apply_button.click()
    assert p.overrides == {"depth_unit": "ft"}
    assert "Depth unit</th><td class='l'>ft" in app.preview_head.value
    frame = pd.read_csv(DATA / "tab_delimited.txt", sep="\t")
    tvd, north, east = min_curve(list(frame.MD), list(frame.INC), list(frame.AZI))
    last = last_station(app)
    assert last["unit"] == "ft" and last["md"] == float(frame.MD.iloc[-1])
    assert (last["tvd"], last["north"], last["east"]) == pytest.approx(
        (tvd, north, east), abs=0.006
    )
    assert "header_set_by_user" in app.preview_findings.value
    assert "DLS [deg/100 ft]" in app.preview_table.value
    # and the override goes into the import
    res = app.commit()
    assert res == [{"file": "tab_delimited.txt", "ok": True, "revision": 1, "duplicate": False}]
    sess = app.session
    assert sess.survey("U-1").depth_unit == "ft"


def test_a_bad_override_value_names_the_field(app):
    p = app.add_file("no_tie_on.csv", (DATA / "no_tie_on.csv").read_bytes())
    before = p.preview
    app.declination.value = "two east"
    app.apply_button.click()
    assert "declination" in app.status.value and "two east" in app.status.value
    assert p.preview is before


def test_commit_imports_revision_1_then_2(app, fresh_db):
    app.add_file("first.csv", survey_csv("J", run="U-1"))
    res = app.commit()
    assert [r["revision"] for r in res] == [1] and res[0]["ok"]
    assert "first.csv</b> imported as revision 1 of run U-1" in app.result_box.value
    assert app.pending == []
    app.add_file("second.csv", survey_csv("J", run="U-1", noise=0.05, seed=7))
    res = app.commit()
    assert [r["revision"] for r in res] == [2]
    assert revisions(fresh_db.settings, "U-1") == [1, 2]
    # the same bytes again: recognised, not stored twice
    app.add_file("second-again.csv", survey_csv("J", run="U-1", noise=0.05, seed=7))
    res = app.commit()
    assert res[0]["duplicate"] and res[0]["revision"] == 2
    assert "was already imported as revision 2" in app.result_box.value
    assert revisions(fresh_db.settings, "U-1") == [1, 2]


def test_a_refused_file_stores_nothing(app, fresh_db):
    app.add_file("bad_number.csv", (DATA / "bad_number.csv").read_bytes())
    res = app.commit()
    assert len(res) == 1 and not res[0]["ok"]
    assert "line 4" in res[0]["error"]
    box = app.result_box.value
    assert "bad_number.csv</b> was refused and nothing was stored" in box
    assert revisions(fresh_db.settings, "U-1") == []
    with UnitOfWork(fresh_db.settings) as uow:
        run = uow.runs.by_number("U-1")
        assert run.current_survey_id is None
        sha = hashlib.sha256((DATA / "bad_number.csv").read_bytes()).hexdigest()
        assert uow.files.by_sha256(run.id, sha) is None
    assert [p.name for p in app.pending] == ["bad_number.csv"]  # still there to fix


def test_several_files_show_progress_and_one_result_each(app, fresh_db, monkeypatch):
    files = [
        ("a.csv", survey_csv("J", run="a")),
        ("bad_number.csv", (DATA / "bad_number.csv").read_bytes()),
        ("c.csv", survey_csv("S", run="c")),
    ]
    for name, content in files:
        app.add_file(name, content)
    assert [label for label, _ in app.file_select.options] == [n for n, _ in files]
    assert "<h4>c.csv</h4>" in app.preview_head.value  # the last one added is shown
    app.file_select.value = 0
    assert "<h4>a.csv</h4>" in app.preview_head.value
    seen: list[tuple[int, int]] = []
    app.progress.observe(lambda ch: seen.append((ch["new"], app.progress.max)), names="value")
    res = app.commit()
    assert app.progress.layout.visibility == "visible"
    assert app.progress.max == 3 and app.progress.value == 3
    assert [v for v, _ in seen if v > 0] == [1, 2, 3]
    assert [(r["file"], r["ok"]) for r in res] == [
        ("a.csv", True),
        ("bad_number.csv", False),
        ("c.csv", True),
    ]
    assert [r.get("revision") for r in res] == [1, None, 2]
    assert revisions(fresh_db.settings, "U-1") == [1, 2]
    assert app.result_box.value.count("sl-ok-box") == 2
    assert app.result_box.value.count("sl-error-box") == 1


def test_commit_without_a_run_or_without_files_says_what_is_missing(fresh_db, login_as):
    a = login_as(UploadApp, fresh_db.settings, "surveyor")
    assert a.commit() == []
    assert "Choose or create a run first" in a.status.value
    a.new_run_number.value = "S-1"
    a.new_run_name.value = "surveyor run"
    a.create_run()
    assert a.commit() == []
    assert "Add at least one file first" in a.status.value


def test_upload_widget_values_are_queued_and_previewed(app):
    content = (DATA / "no_tie_on.csv").read_bytes()
    app._on_upload({"new": ({"name": "from-widget.csv", "content": memoryview(content)},)})
    assert [p.name for p in app.pending] == ["from-widget.csv"]
    assert app.pending[0].content == content
    assert "from-widget.csv" in app.preview_head.value


@pytest.mark.parametrize(
    ("rel", "fmt", "unit", "md", "tvd", "north", "east", "tol"),
    [
        (
            "witsml/volve_15_9-F-4_trajectory.xml",
            "witsml",
            "m",
            3510.0,
            3138.0629,
            -883.6549,
            604.1108,
            1e-3,
        ),
        ("xls/slb_well-9H.xls", "xls", "ft", 7922.0, 3489.3175, -4487.0727, 555.0580, 1e-3),
    ],
)
def test_reference_files_preview_their_last_station(
    app, fresh_db, reference_data, rel, fmt, unit, md, tvd, north, east, tol
):
    path: Path = reference_data / rel
    p = app.add_file(path.name, path.read_bytes())
    assert p.preview.error is None
    assert p.preview.parsed.format.startswith(fmt)
    last = p.preview.stations.iloc[-1]
    assert (last["md"], last["tvd"], last["north"], last["east"]) == pytest.approx(
        (md, tvd, north, east), abs=tol
    )
    shown = last_station(app)  # rounded to 0.01 in the page
    assert shown["unit"] == unit
    assert shown["tvd"] == pytest.approx(tvd, abs=0.006)
    assert "Findings (" in app.preview_findings.value
    res = app.commit()
    assert res[0]["ok"] and res[0]["revision"] == 1
    view = app.session.survey("U-1")
    np.testing.assert_allclose(view.stations["tvd"].iloc[-1], tvd, atol=tol)


def test_well_dropdown_shows_a_choice_not_a_blank(ui_db, login_as):
    """The well dropdown starts on "(no well)" rather than an empty selection."""
    from surveylab.ui.upload_app import UploadApp

    app = login_as(UploadApp, ui_db.settings, "surveyor")
    assert app.well.value == ""
    assert app.well.label == "(no well)"
