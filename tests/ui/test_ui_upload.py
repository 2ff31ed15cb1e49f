"""The upload dashboard's state without a browser: previews, header fields, refusals, new runs,
commits and progress (function-scoped DuckDB databases from ``fresh_db``)."""

from __future__ import annotations

import hashlib
import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from surveylab.repositories import UnitOfWork
from surveylab.services import ServiceError
from surveylab.ui.upload_app import MAX_PROBLEMS, NEW_RUN, NO_FILE, UploadApp, problems_html
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


def header_row(app: UploadApp, label: str) -> str:
    """The HTML of one row's value in the preview's header table."""
    row = app.preview_head.value.split(f"{label}</th>", 1)[1].split("</tr>", 1)[0]
    return row.removesuffix("</td>")


def backwards_csv(n_back: int, *, unit: str | None = "m") -> bytes:
    """A listing whose MD goes back ``n_back`` times (one error finding each)."""
    head = f"MD [{unit}],Inc [deg],Azi [deg]" if unit else "MD,Inc,Azi"
    rows, md = [head, "0,0,0"], 0
    for _ in range(n_back):
        md += 100
        rows += [f"{md},1,5", f"{md - 10},1,5"]
    rows.append(f"{md + 100},1,5")
    return ("\n".join(rows) + "\n").encode()


def runs_numbered(settings, number: str) -> list:
    with UnitOfWork(settings) as uow:
        run = uow.runs.by_number(number)
        return [] if run is None else [run]


def revisions(settings, number: str) -> list[int]:
    with UnitOfWork(settings) as uow:
        run = uow.runs.by_number(number)
        return [s.revision for s in uow.surveys.for_run(run.id)]


def new_run(app: UploadApp, number: str, name: str, run_type: str) -> None:
    app.new_run_number.value = number
    app.new_run_name.value = name
    app.new_run_type.value = run_type
    app.create_run()


@pytest.fixture
def app(fresh_db, login_as) -> UploadApp:
    """An engineer's upload app with a new well chosen and a new MWD run U-1 asked for."""
    a = login_as(UploadApp, fresh_db.settings, "engineer")
    a.new_well_name.value = "Upload well"
    a.new_well_type.value = "Oil"
    a.create_well()
    new_run(a, "U-1", "upload run", "MWD")
    return a


# ------------------------------------------------------------------------------ well and run
def test_create_well_and_ask_for_a_run_which_waits_for_its_first_import(app, fresh_db):
    assert app.well.value == "Upload well"
    assert app.run.value == NEW_RUN
    assert app.run.label == "U-1: upload run (MWD), new: created with its first import"
    assert "Run U-1 will be created with its first import" in app.status.value
    assert runs_numbered(fresh_db.settings, "U-1") == []  # not yet: no file imported
    # the form is empty again, the run type back on "choose"
    assert (app.new_run_number.value, app.new_run_name.value, app.new_run_type.value) == ("",) * 3


def test_the_new_run_is_created_with_its_first_import(app, fresh_db):
    app.add_file("first.csv", survey_csv("J", run="U-1"))
    res = app.commit()
    assert res == [{"file": "first.csv", "ok": True, "revision": 1, "duplicate": False}]
    (run,) = runs_numbered(fresh_db.settings, "U-1")
    assert (run.run_name, run.run_type, run.user_id) == (
        "upload run",
        "MWD",
        fresh_db.actors["engineer"].id,
    )
    assert run.well_id is not None and run.current_revision == 1
    assert app.new_run is None
    assert app.run.value == str(run.id) and app.run.label == "U-1: upload run (MWD)"
    assert "first.csv</b> imported as revision 1 of run U-1" in app.result_box.value


def test_a_refused_first_import_leaves_no_run_and_the_new_run_waits(app, fresh_db, monkeypatch):
    """The file previews, but the import refuses it (here: the service says no): no run is
    created, the new run stays chosen, and the next try creates it."""
    from surveylab.services import surveys

    p = app.add_file("first.csv", survey_csv("J", run="U-1"))
    assert p.importable
    real = surveys.import_survey

    def refuse(*args, **kwargs):
        raise ServiceError("first.csv: the database said no")

    monkeypatch.setattr(surveys, "import_survey", refuse)
    assert app.commit()[0]["ok"] is False
    assert runs_numbered(fresh_db.settings, "U-1") == []
    assert app.run.value == NEW_RUN
    assert "first.csv</b> was refused and nothing was stored: the database said no" in (
        app.result_box.value
    )
    monkeypatch.setattr(surveys, "import_survey", real)
    assert app.commit()[0]["ok"] is True
    assert revisions(fresh_db.settings, "U-1") == [1]


def test_a_new_run_needs_its_type_chosen_there_is_no_default(fresh_db, login_as):
    a = login_as(UploadApp, fresh_db.settings, "surveyor")
    assert a.new_run_type.value == "" and a.new_run_type.label == "(choose the run type)"
    assert [v for _, v in a.new_run_type.options] == ["", "GTL", "Gyro", "MWD", "Unknown"]
    a.new_run_number.value, a.new_run_name.value = "S-1", "no type"
    a.create_run()
    assert "Choose the run type" in a.status.value and "Unknown" in a.status.value
    assert a.new_run is None and a.run.value == ""
    a.new_run_type.value = "Unknown"  # chosen on purpose
    a.create_run()
    assert a.new_run is not None and a.new_run.run_type == "Unknown"


def test_a_new_well_needs_its_type_chosen(fresh_db, login_as):
    a = login_as(UploadApp, fresh_db.settings, "surveyor")
    assert a.new_well_type.value == "" and a.new_well_type.label == "(choose the well type)"
    a.new_well_name.value = "Typeless"
    a.create_well()
    assert "Choose the well type" in a.status.value
    assert [label for label, _ in a.well.options] == ["(no well)"]


def test_a_taken_run_number_or_a_missing_name_is_refused_before_any_file(app, fresh_db):
    app.add_file("first.csv", survey_csv("J", run="U-1"))
    app.commit()
    new_run(app, "U-1", "again", "Gyro")
    assert "Run number U-1 is taken (run upload run)" in app.status.value
    new_run(app, "U-2", "", "Gyro")
    assert "Type the new run&#x27;s number and name first" in app.status.value
    assert app.new_run is None


def test_run_dropdowns_say_choose_rather_than_blank(ui_db, login_as):
    app = login_as(UploadApp, ui_db.settings, "surveyor")
    assert (app.well.value, app.well.label) == ("", "(no well)")
    assert (app.run.value, app.run.label) == ("", "(choose a run)")
    assert (app.file_select.value, app.file_select.label) == (NO_FILE, "(no file added yet)")
    assert app.commit_button.disabled and "Add a file first" in app.commit_hint.value


def test_labels_are_wide_enough_to_read(app):
    """No control's label is cut ("Converge..."): every one has room for its text at about
    7 px a character of the page's 13 px labels (the browser test measures them)."""
    boxes = [app.declination, app.convergence, app.depth_unit, app.north_ref, app.run, app.well]
    boxes += [app.new_run_number, app.new_run_name, app.new_run_type, app.new_well_type]
    for box in boxes:
        width = int(box.style.description_width.removesuffix("px"))
        assert width >= 7 * len(box.description), box.description


# ------------------------------------------------------------------------------ previews
def test_good_file_previews_format_header_stations_and_missing_fields(app, shown_figures):
    content = (DATA / "no_tie_on.csv").read_bytes()
    p = app.add_file("no_tie_on.csv", content)
    assert p.preview is not None and p.preview.error is None
    head = app.preview_head.value
    assert "<h4>no_tie_on.csv</h4>" in head
    assert header_row(app, "Format") == "<td class='l'>csv"
    assert header_row(app, "Depth unit") == "<td class='l'>m"
    for label in ("Azimuth reference", "Declination [deg]", "Tie-on"):
        assert "not stated by the file" in header_row(app, label), label
    assert {"tie_on", "declination"} <= set(p.preview.missing)
    last = last_station(app)
    tvd, north, _east = min_curve([0, 120, 150], [0, 0.5, 1], [0, 10, 12])  # vertical above 120
    assert last["md"] == 150.0 and last["unit"] == "m"
    assert last["tvd"] == pytest.approx(tvd, abs=0.006)
    assert last["north"] == pytest.approx(north, abs=0.006)
    assert "vertical" in app.preview_findings.value.lower()
    assert app.preview_problems.value == ""
    assert "MD [m]" in app.preview_table.value and "TVD [m]" in app.preview_table.value
    assert len(shown_figures) == 2  # plan view and vertical section
    assert not app.commit_button.disabled and app.commit_hint.value == ""
    # the shared figures (surveylab.ui.figures): each title states the north reference once
    # (here: not stated by the file), the section also its azimuth and origin
    plan, section = (f.layout.title.text for f in shown_figures)
    assert plan.startswith("Plan view") and "north reference the file did not state" in plan
    assert section.startswith("Vertical section") and "° (azimuths from" in section
    assert "origin N 0, E 0 m" in section


def test_the_well_chosen_above_is_not_reported_missing(app):
    """A file naming no well, going into a chosen well: the Well row names the chosen well
    and is not marked missing (red)."""
    app.add_file("no_tie_on.csv", (DATA / "no_tie_on.csv").read_bytes())
    well = header_row(app, "Well")
    assert "Upload well" in well and "the file names no well" in well
    assert "sl-missing" not in well
    app.well.value = ""  # no well chosen: now it is missing
    app.run.value = ""
    app.show_preview()
    assert "sl-missing" in header_row(app, "Well")
    # a file that names its well, going into another one, says both
    app.add_file("named.csv", survey_csv("J", run="x"))
    app.well.value = "Upload well"
    app.show_preview()
    assert "UI well" in header_row(app, "Well") and "importing into well Upload well" in (
        header_row(app, "Well")
    )


def test_total_correction_follows_from_declination_and_convergence(app):
    app.add_file("named.csv", survey_csv("J", run="x"))  # declination 1.23, convergence 0.45
    total = header_row(app, "Total correction [deg]")
    assert "sl-missing" not in total
    assert "0.78" in total and "declination &minus; convergence" in total


@pytest.mark.parametrize("rel", ["bad_number.csv", "las_zero_inclination_log.las"])
def test_an_unreadable_file_says_why_once_and_what_to_do(app, rel):
    content = (DATA / rel).read_bytes()
    p = app.add_file(rel, content)
    assert p.preview.refusal is not None and not p.importable
    page = app.preview_head.value + app.preview_problems.value
    assert page.count(rel) == 1  # the title, not again in every message
    problems = app.preview_problems.value
    assert "This file cannot be imported" in problems and "What to do:" in problems
    assert app.header_fields.layout.display == "none"
    assert app.preview_table.value == ""
    assert app.commit_button.disabled
    assert f"{rel} cannot be imported as it is" in app.commit_hint.value
    if rel == "bad_number.csv":
        assert "line 4, field &#x27;inc&#x27;: cannot read &#x27;1O.5&#x27; as a number" in problems
        assert "Correct line 4 in the file" in problems


def test_a_file_with_many_problems_lists_the_first_20_and_the_count(app):
    app.add_file("back.csv", backwards_csv(23))
    problems = app.preview_problems.value
    assert "23 problems (the first 20 below)" in problems
    assert problems.count("<li>") == MAX_PROBLEMS
    assert "… and 3 more." in problems
    assert "line 4, station 3, field &#x27;md&#x27;: MD 90 is less than the previous 100" in (
        problems
    )
    assert "correct the stations listed in the file" in problems.lower()
    assert app.commit_button.disabled


def test_a_refused_file_counts_the_problems_its_reader_found_beyond_those_it_lists(app):
    # the text reader lists 100 problems and counts the rest (SurveyFileError.more)
    rows = ["MD [m],INC [deg],AZI [deg]", "0,0,10"]
    rows += [f"{10 * i},x,10" for i in range(1, 131)]
    app.add_file("unreadable.csv", ("\n".join(rows) + "\n").encode())
    problems = app.preview_problems.value
    assert "130 problems (the first 20 below)" in problems
    assert problems.count("<li>") == MAX_PROBLEMS
    assert "… and 110 more." in problems
    assert "line 3, field &#x27;inc&#x27;: cannot read &#x27;x&#x27; as a number" in problems
    assert app.commit_button.disabled


@settings(max_examples=40, deadline=None)
@given(
    problems=st.lists(st.text(min_size=1, max_size=30), min_size=1, max_size=3 * MAX_PROBLEMS),
    unlisted=st.integers(min_value=0, max_value=500),
)
def test_the_problem_box_shows_at_most_20_and_counts_them_all(problems, unlisted):
    box = problems_html(problems, "Do this.", unlisted)
    n = len(problems) + unlisted
    listed = min(len(problems), MAX_PROBLEMS)
    assert box.count("<li>") == listed
    assert (f"{n} problems" in box) == (n > 1)
    assert (f"and {n - listed} more" in box) == (n > listed)
    assert (f"(the first {listed} below)" in box) == (n > listed)
    assert "<b>What to do:</b> Do this." in box


def test_a_file_without_a_depth_unit_says_set_it_then_apply(app):
    content = (DATA / "tab_delimited.txt").read_bytes()
    p = app.add_file("tab_delimited.txt", content)
    assert p.preview.stations is None and not p.importable
    problems = app.preview_problems.value
    assert "does not state its depth unit" in problems
    assert "Set the depth unit under Header fields, then Apply." in problems
    assert "sl-missing" in header_row(app, "Depth unit")
    assert app.depth_unit.label == "(not stated: choose)"
    assert app.commit_button.disabled


def test_setting_the_depth_unit_previews_the_file_again_and_clears_the_refusal(app):
    content = (DATA / "tab_delimited.txt").read_bytes()
    p = app.add_file("tab_delimited.txt", content)
    app.depth_unit.value = "ft"
    app.apply_button.click()
    assert p.overrides == {"depth_unit": "ft"}
    assert app.preview_problems.value == ""  # the red refusal is gone
    assert header_row(app, "Depth unit") == (
        "<td class='l'>ft <span class='sl-set-by-user'>(set by you)</span>"
    )
    frame = pd.read_csv(DATA / "tab_delimited.txt", sep="\t")
    tvd, north, east = min_curve(list(frame.MD), list(frame.INC), list(frame.AZI))
    last = last_station(app)
    assert last["unit"] == "ft" and last["md"] == float(frame.MD.iloc[-1])
    assert (last["tvd"], last["north"], last["east"]) == pytest.approx(
        (tvd, north, east), abs=0.006
    )
    assert "header_set_by_user" in app.preview_findings.value
    assert "DLS [deg/100 ft]" in app.preview_table.value
    assert not app.commit_button.disabled
    # and the override goes into the import (a new run: created with this file)
    res = app.commit()
    assert res == [{"file": "tab_delimited.txt", "ok": True, "revision": 1, "duplicate": False}]
    assert app.user_session.survey("U-1").depth_unit == "ft"


def test_the_finding_a_set_field_answers_leaves_the_preview(app):
    app.add_file("tab_delimited.txt", (DATA / "tab_delimited.txt").read_bytes())
    assert "depth_unit_unknown" in app.preview_findings.value
    app.depth_unit.value = "m"
    app.apply_button.click()
    assert app.preview_problems.value == ""
    assert "depth_unit_unknown" not in app.preview_findings.value
    assert "does not state its depth unit" not in app.preview_findings.value


def test_the_header_fields_follow_the_file_shown(app):
    """Each file's controls show its own values: what was set for it, else what it says."""
    app.add_file("tab_delimited.txt", (DATA / "tab_delimited.txt").read_bytes())
    app.depth_unit.value = "ft"
    app.declination.value = "2.5"
    app.apply_button.click()
    app.add_file("named.csv", survey_csv("J", run="x"))  # states m, 1.23 and 0.45
    assert (app.depth_unit.value, app.depth_unit.label) == ("", "(file: m)")
    assert app.declination.value == "" and app.declination.placeholder == "file: 1.23"
    assert app.convergence.placeholder == "file: 0.45"
    assert app.north_ref.label == "(file: true)"
    app.file_select.value = 0  # back to the first file: its settings come back
    assert (app.depth_unit.value, app.declination.value) == ("ft", "2.5")
    assert app.depth_unit.options[0][0] == "(not stated: choose)"
    assert app.declination.placeholder == "not stated"


def test_enter_in_a_number_field_applies(app):
    """The fields send their value when it is committed (Enter, or leaving the field)."""
    p = app.add_file("no_tie_on.csv", (DATA / "no_tie_on.csv").read_bytes())
    assert app.declination.continuous_update is False
    app.declination.value = "9"  # set by the kernel: nothing happens
    assert p.overrides == {}
    app.declination.set_state({"value": "1.5"})  # what Enter sends
    assert p.overrides == {"declination": "1.5"}
    assert "1.5 <span class='sl-set-by-user'>(set by you)</span>" in header_row(
        app, "Declination [deg]"
    )


def test_a_bad_override_value_names_the_field_and_the_fix_clears_it(app):
    p = app.add_file("no_tie_on.csv", (DATA / "no_tie_on.csv").read_bytes())
    before = p.preview
    app.declination.value = "two east"
    app.apply_button.click()
    assert "declination" in app.status.value and "two east" in app.status.value
    assert "sl-error-box" in app.status.value
    assert p.preview is before
    app.declination.value = "2"
    app.apply_button.click()
    assert app.status.value == ""  # the refusal went with the fix
    assert p.overrides == {"declination": "2"}


def test_remove_a_file_from_the_queue(app):
    app.add_file("a.csv", survey_csv("J", run="a"))
    app.add_file("bad_number.csv", (DATA / "bad_number.csv").read_bytes())
    assert app.commit_button.disabled is False  # a.csv is ready
    assert "not bad_number.csv" in app.commit_hint.value
    app.remove_button.click()
    assert [p.name for p in app.pending] == ["a.csv"]
    assert "<h4>a.csv</h4>" in app.preview_head.value and app.commit_hint.value == ""
    app.remove_button.click()
    assert app.pending == [] and app.file_select.label == "(no file added yet)"
    assert app.remove_button.disabled and app.commit_button.disabled


# ------------------------------------------------------------------------------ commits
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


def test_a_refused_commit_stores_nothing_and_does_not_fill_the_progress_bar(
    app, fresh_db, monkeypatch
):
    from surveylab.services import surveys

    app.add_file("first.csv", survey_csv("J", run="U-1"))
    app.commit()  # the run exists now
    app.add_file("second.csv", survey_csv("S", run="U-1"))

    def refuse(*args, **kwargs):
        raise ServiceError("second.csv: line 9, field 'azi': refused")

    monkeypatch.setattr(surveys, "import_survey", refuse)
    seen: list[int] = []
    app.progress.observe(lambda ch: seen.append(ch["new"]), names="value")
    res = app.commit()
    assert [r["ok"] for r in res] == [False]
    assert app.progress.value == 0 and seen in ([], [0])  # never advanced
    assert app.progress.bar_style == "danger"
    assert app.progress_label.value == "0 of 1 imported, 1 refused"
    box = app.result_box.value
    assert "second.csv</b> was refused and nothing was stored: line 9, field 'azi': refused" in (
        box.replace("&#x27;", "'")
    )
    assert revisions(fresh_db.settings, "U-1") == [1]
    assert [p.name for p in app.pending] == ["second.csv"]  # still there to fix
    sha = hashlib.sha256(survey_csv("S", run="U-1")).hexdigest()
    with UnitOfWork(fresh_db.settings) as uow:
        assert uow.files.by_sha256(uow.runs.by_number("U-1").id, sha) is None
    # fixing the file (Apply) takes its refusal off the page
    app.declination.value = "1"
    app.apply_button.click()
    assert "second.csv</b> was refused" not in app.result_box.value
    assert "first.csv</b> imported" in app.result_box.value


def test_several_files_import_the_ready_ones_and_count_them(app, fresh_db):
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
    assert "Commit imports 2 of 3 files; not bad_number.csv" in app.commit_hint.value
    seen: list[tuple[int, int]] = []
    app.progress.observe(lambda ch: seen.append((ch["new"], app.progress.max)), names="value")
    res = app.commit()
    assert app.progress.layout.visibility == "visible"
    assert app.progress.max == 2 and app.progress.value == 2
    assert [v for v, _ in seen if v > 0] == [1, 2]
    assert app.progress.bar_style == "success"
    assert app.progress_label.value == "2 of 2 imported"
    assert [(r["file"], r["ok"], r.get("revision")) for r in res] == [
        ("a.csv", True, 1),
        ("c.csv", True, 2),
    ]
    assert revisions(fresh_db.settings, "U-1") == [1, 2]
    assert app.result_box.value.count("sl-ok-box") == 2
    assert [p.name for p in app.pending] == ["bad_number.csv"]
    assert app.commit_button.disabled  # what is left cannot be imported


def test_commit_without_a_run_or_without_files_says_what_is_missing(fresh_db, login_as):
    a = login_as(UploadApp, fresh_db.settings, "surveyor")
    assert a.commit() == []
    assert "Choose a run, or give a new run" in a.status.value
    new_run(a, "S-1", "surveyor run", "Gyro")
    assert a.commit() == []
    assert "Add a file that can be imported first" in a.status.value
    assert runs_numbered(fresh_db.settings, "S-1") == []


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
    view = app.user_session.survey("U-1")
    np.testing.assert_allclose(view.stations["tvd"].iloc[-1], tvd, atol=tol)


@pytest.mark.parametrize(("username", "count"), [("surveyor", 15), ("engineer", 15), ("admin", 30)])
def test_the_run_list_holds_the_runs_one_may_import_into(ui_db, login_as, username, count):
    """An Admin may import into any run, anyone else into their own: the list offers those."""
    app = login_as(UploadApp, ui_db.settings, username)
    app.well.value = "UI Alpha"  # UI-001..UI-030: odd ones the surveyor's, even the engineer's
    numbers = [label.split(":")[0] for label, value in app.run.options if value]
    assert len(numbers) == count
    if username != "admin":
        owner_parity = 1 if username == "surveyor" else 0
        assert all(int(n.removeprefix("UI-")) % 2 == owner_parity for n in numbers)


def test_the_parser_reports_every_problem_of_an_unreadable_file(app):
    """A number that cannot be read at line 3 and an MD going back at line 5: both listed."""
    content = b"MD [m],Inc [deg],Azi [deg]\n0,0,0\n100,1O.5,5\n200,2,6\n150,2,6\n300,3,7\n"
    app.add_file("two.csv", content)
    problems = app.preview_problems.value
    assert "line 3, field &#x27;inc&#x27;" in problems
    assert "2 problems" in problems and "line 5" in problems
