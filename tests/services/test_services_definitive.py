"""Wellbores and definitive surveys, through the services, on both backends.

A long survey is cut into three overlapping runs, each imported from its own file and approved
by a second person; the definitive survey composed from their intervals reproduces the long
survey at its stations. A sidetrack ties on to its parent's definitive survey at the kick-off
MD. Versions, the revisions' statuses, refusals, exports marked definitive.
"""

from __future__ import annotations

import io
import itertools

import numpy as np
import pytest

from surveylab.auth import PermissionDenied
from surveylab.calc import compute_trajectory, interpolate_md
from surveylab.parsers import read_survey
from surveylab.repositories import UnitOfWork
from surveylab.services import NotFound, ServiceError, approval, definitive, exports, runs
from surveylab.services import surveys as survey_service
from surveylab.services import wellbores as wellbore_service

_numbers = itertools.count(1)
MD = 30.0 * np.arange(61)  # 0 .. 1800 m
INC = np.clip((MD - 300.0) / 30.0 * 2.0, 0.0, 80.0) + 0.0
AZI = (35.0 + np.maximum(MD - 600.0, 0.0) / 30.0 * 0.7) % 360.0


def _listing(md, inc, azi, *, reference: str = "true north", unit: str = "m") -> bytes:
    lines = ["Depth units: " + unit, f"Azimuth reference: {reference}", "MD,Inc,Azi"]
    lines += [
        f"{float(m)!r},{float(i)!r},{float(a)!r}" for m, i, a in zip(md, inc, azi, strict=True)
    ]
    return ("\n".join(lines) + "\n").encode()


def _well(settings, people) -> str:
    name = f"DEF-{next(_numbers)}"
    runs.create_well(UnitOfWork(settings), people["surveyor"], well_name=name)
    return name


def _approved_run(settings, people, well, data, *, wellbore=None, approve=True, kind="MWD"):
    number = f"DR{next(_numbers)}"
    runs.create_run(
        UnitOfWork(settings), people["surveyor"], run_number=number, run_name=number,
        run_type=kind, well=well, wellbore=wellbore,
    )  # fmt: skip
    survey_service.import_survey(
        UnitOfWork(settings), people["surveyor"], run=number, content=data, file_name="r.csv"
    )
    if approve:
        approval.approve(UnitOfWork(settings), people["engineer"], number, note="checked")
    return number


def _three_runs(settings, people, well):
    a = _approved_run(settings, people, well, _listing(MD[:26], INC[:26], AZI[:26]))
    b = _approved_run(settings, people, well, _listing(MD[20:46], INC[20:46], AZI[20:46]),
                      kind="Gyro")  # fmt: skip
    c = _approved_run(settings, people, well, _listing(MD[40:], INC[40:], AZI[40:]))
    return a, b, c


def _status(settings, run: str, revision: int = 1) -> str:
    with UnitOfWork(settings) as uow:
        r = uow.runs.by_number(run)
        assert r is not None
        s = uow.surveys.by_revision(r.id, revision)
        assert s is not None
        return s.status


def test_three_runs_compose_into_the_long_survey(settings, people):
    well = _well(settings, people)
    a, b, c = _three_runs(settings, people, well)
    full = compute_trajectory(MD, INC, AZI, depth_unit="m")
    view = definitive.compose_definitive(
        UnitOfWork(settings), people["engineer"], well,
        intervals=[f"{a}:0:600", f"{b}:600:1245", f"{c}:1245:TD"], note="tool program 1",
    )  # fmt: skip
    doc = view.to_dict()
    assert (doc["well"], doc["wellbore"], doc["version"], doc["current"]) == (well, "main", 1, True)
    program = [
        (i["run"], i["revision"], i["md_from"], i["md_to"], i["tool"]) for i in doc["intervals"]
    ]
    assert program == [
        (a, 1, 0.0, 600.0, "MWD"),
        (b, 1, 600.0, 1245.0, "Gyro"),
        (c, 1, 1245.0, 1800.0, "MWD"),
    ]
    st = view.stations
    at = np.searchsorted(st["md"].to_numpy(), MD)
    for name in ("tvd", "north", "east"):
        np.testing.assert_allclose(st[name].to_numpy()[at], getattr(full, name), atol=1e-9)
    assert set(st["md"]) - set(MD) == {1245.0}  # the one cut between stations
    assert st.loc[st["md"] == 1245.0, "interpolated"].item()
    runs_at = dict(zip(st["md"], st["run"], strict=True))
    assert (runs_at[300.0], runs_at[600.0], runs_at[630.0], runs_at[1800.0]) == (a, a, b, c)
    assert set(doc["stations"][0]) == {"md", "inc", "azi", "tvd", "north", "east", "run"}
    assert [_status(settings, r) for r in (a, b, c)] == ["definitive"] * 3
    assert all(i["status"] == "definitive" for i in doc["intervals"])
    history = approval.status_history(UnitOfWork(settings), people["viewer"], b)
    assert history[-1].to_status == "definitive" and "version 1" in history[-1].note


def test_versions_one_current_at_a_time_and_statuses_follow(settings, people):
    well = _well(settings, people)
    a, b, c = _three_runs(settings, people, well)
    uow = lambda: UnitOfWork(settings)  # noqa: E731
    definitive.compose_definitive(uow(), people["admin"], well, intervals=[f"{a}:0:600",
        f"{b}:600:1245", f"{c}:1245:TD"], note="v1")  # fmt: skip
    v2 = definitive.compose_definitive(
        uow(), people["engineer"], f"{well}/main", intervals=[f"{a}:0:600", f"{b}:600:TD"],
        note="gyro to TD",
    )  # fmt: skip
    assert v2.record.version == 2 and v2.record.is_current
    assert (_status(settings, a), _status(settings, b), _status(settings, c)) == (
        "definitive", "definitive", "approved",
    )  # fmt: skip
    old = definitive.get_definitive(uow(), people["viewer"], well, version=1)
    assert not old.record.is_current and old.to_dict()["intervals"][2]["status"] == "approved"
    versions = definitive.definitive_versions(uow(), people["viewer"], well)
    assert [(v.version, v.is_current) for v in versions] == [(1, False), (2, True)]
    bore = wellbore_service.get_wellbore(uow(), people["viewer"], well)
    assert bore.definitive_id == v2.record.id
    c_history = approval.status_history(uow(), people["viewer"], c)
    assert c_history[-1].to_status == "approved" and "version 2 replaces it" in c_history[-1].note


def test_refusals_name_the_run_or_the_field(settings, people):
    well = _well(settings, people)
    a = _approved_run(settings, people, well, _listing(MD[:26], INC[:26], AZI[:26]))
    pending = _approved_run(settings, people, well, _listing(MD[20:], INC[20:], AZI[20:]),
                            approve=False)  # fmt: skip
    other = _approved_run(settings, people, _well(settings, people), _listing(MD, INC, AZI))
    grid = _approved_run(settings, people, well, _listing(MD[20:], INC[20:], AZI[20:],
                                                          reference="grid north"))  # fmt: skip
    compose = lambda who, ivs, note="n": definitive.compose_definitive(  # noqa: E731
        UnitOfWork(settings), people[who], well, intervals=ivs, note=note
    )
    cases = [
        ([f"{a}:0:600", f"{pending}:600:TD"], f"run {pending} revision 1 is qc_passed|draft"),
        ([f"{a}:0:600", f"{other}:600:TD"], f"run {other} is not on well {well}"),
        ([f"{a}:0:600", f"{grid}:600:TD"], f"run {grid} revision 1: azimuths from grid north"),
        ([f"{a}:0:500", f"{a}:600:700"], "starts at MD 600 but run .* ends at MD 500"),
        ([f"{a}:0:900"], f"run {a} revision 1: the survey ends at MD 750"),
        (["NOPE:0:10"], "unknown run 'NOPE'"),
        ([f"{a}:0"], "expected RUN:MD_FROM:MD_TO"),
        ([f"{a}:zero:10"], "MD_FROM and MD_TO must be numbers"),
    ]
    for ivs, message in cases:
        with pytest.raises(ServiceError, match=message):
            compose("engineer", ivs)
    with pytest.raises(ServiceError, match="needs a note"):
        compose("engineer", [f"{a}:0:600"], note=" ")
    with pytest.raises(PermissionDenied, match="Surveyor may not compose definitive surveys"):
        compose("surveyor", [f"{a}:0:600"])
    with pytest.raises(NotFound, match="no wellbore 'ST9'"):
        definitive.get_definitive(UnitOfWork(settings), people["viewer"], f"{well}/ST9")
    with pytest.raises(ServiceError, match="has no definitive survey yet"):
        definitive.get_definitive(UnitOfWork(settings), people["viewer"], well)
    with UnitOfWork(settings) as uow:  # nothing half-written
        w = uow.wells.by_name(well)
        assert w is not None
        main = uow.wellbores.main(w.id)
        assert main is not None and uow.definitive.for_wellbore(main.id) == []


def test_a_sidetrack_ties_on_to_its_parents_definitive_survey(settings, people):
    well = _well(settings, people)
    a = _approved_run(settings, people, well, _listing(MD, INC, AZI))
    uow = lambda: UnitOfWork(settings)  # noqa: E731
    with pytest.raises(ServiceError, match="depth unit is unknown"):
        wellbore_service.create_wellbore(uow(), people["surveyor"], well=well, name="ST1",
                                         parent="main", kickoff_md=900.0)  # fmt: skip
    early = wellbore_service.create_wellbore(
        uow(), people["surveyor"], well=well, name="ST0", parent="main", kickoff_md=300.0,
        depth_unit="m",
    )  # fmt: skip
    s0 = _approved_run(settings, people, well, _listing(MD[10:20], INC[10:20], AZI[10:20]),
                       wellbore="ST0")  # fmt: skip
    with pytest.raises(ServiceError, match="which has no definitive survey yet"):
        definitive.compose_definitive(uow(), people["engineer"], well, early.name,
                                      intervals=[f"{s0}:300:TD"], note="n")  # fmt: skip
    main = definitive.compose_definitive(
        uow(), people["engineer"], well, intervals=[f"{a}:0:TD"], note="main bore"
    )
    st1 = wellbore_service.create_wellbore(
        uow(), people["surveyor"], well=well, name="ST1", parent="main", kickoff_md=915.0
    )
    assert (st1.parent_name, st1.kickoff_md, st1.depth_unit) == ("main", 915.0, "m")
    md_s = np.arange(870.0, 1500.1, 30.0)  # surveyed from above the kick-off
    inc_s = np.linspace(38.0, 60.0, md_s.size)
    azi_s = np.linspace(60.0, 120.0, md_s.size)
    s = _approved_run(settings, people, well, _listing(md_s, inc_s, azi_s), wellbore="ST1")
    with pytest.raises(ServiceError, match="starts at MD 900 but the tie-on is at MD 915"):
        definitive.compose_definitive(uow(), people["engineer"], f"{well}/ST1",
                                      intervals=[f"{s}:900:TD"], note="n")  # fmt: skip
    side = definitive.compose_definitive(
        uow(), people["engineer"], f"{well}/ST1", intervals=[f"{s}:915:TD"], note="ST1"
    )
    parent = main.stations
    ps = compute_trajectory(parent["md"], parent["inc"], parent["azi"], depth_unit="m")
    k = interpolate_md(ps, [915.0])
    tie = side.record.tie_on
    assert tie["md"] == 915.0 and tie["tvd"] == pytest.approx(float(k.tvd[0]), abs=1e-9)
    assert "parent wellbore main" in tie["source"]
    keep = md_s > 915.0
    joined = compute_trajectory(
        np.concatenate([MD[MD < 915.0], [915.0], md_s[keep]]),
        np.concatenate([INC[MD < 915.0], k.inc, inc_s[keep]]),
        np.concatenate([AZI[MD < 915.0], k.azi, azi_s[keep]]),
        depth_unit="m",
    )
    at = np.searchsorted(joined.md, side.stations["md"].to_numpy())
    for name in ("tvd", "north", "east"):
        np.testing.assert_allclose(side.stations[name], getattr(joined, name)[at], atol=1e-8)
    bores = wellbore_service.list_wellbores(uow(), people["viewer"], well)
    assert [(b.name, b.parent_name, b.definitive_id is not None) for b in bores] == [
        ("main", None, True), ("ST0", "main", False), ("ST1", "main", True),
    ]  # fmt: skip


def test_wellbore_creation_refusals(settings, people):
    well = _well(settings, people)
    create = lambda **kw: wellbore_service.create_wellbore(  # noqa: E731
        UnitOfWork(settings), people["surveyor"], well=well, **kw
    )
    side = {"name": "ST1", "parent": "main", "depth_unit": "m"}
    for kw, message in (
        ({"name": "main"}, "has a wellbore named 'main'"),
        ({"name": "ST1", "parent": "main"}, "needs both its parent"),
        ({"name": "ST1", "kickoff_md": 10.0}, "needs both its parent"),
        ({**side, "parent": "nope", "kickoff_md": 10.0}, "no wellbore 'nope'"),
        ({**side, "kickoff_md": -5.0}, "positive"),
        ({**side, "kickoff_md": 5.0, "depth_unit": "yd"}, "m, ft or usft"),
        ({"name": "a/b"}, "without '/'"),
    ):
        with pytest.raises(ServiceError, match=message):
            create(**kw)
    with pytest.raises(PermissionDenied):
        wellbore_service.create_wellbore(UnitOfWork(settings), people["viewer"], well=well,
                                         name="X")  # fmt: skip


def test_exports_mark_the_definitive_survey_and_its_tool_program(settings, people):
    well = _well(settings, people)
    a, b, c = _three_runs(settings, people, well)
    definitive.compose_definitive(
        UnitOfWork(settings), people["engineer"], well,
        intervals=[f"{a}:0:600", f"{b}:600:1245", f"{c}:1245:TD"], note="n",
    )  # fmt: skip
    texts = {}
    for fmt in ("csv", "las", "witsml", "witsml20", "xlsx"):
        name, data = exports.export_definitive(
            UnitOfWork(settings), people["viewer"], well, None, fmt
        )
        assert name.startswith(f"{well}_main_definitive_v1".replace("-", "-"))
        back = read_survey(data, name=name)
        np.testing.assert_allclose(back.stations["md"].to_numpy()[[0, -1]], [0.0, 1800.0])
        assert len(back.stations) == 62
        texts[fmt] = data
    program = f"MD 0 to 600 m run {a} revision 1 (MWD / definitive); MD 600 to 1245 m run {b}"
    csv = texts["csv"].decode()
    assert f"# Survey status: DEFINITIVE survey of wellbore {well}/main version 1" in csv
    assert f"# Tool program: {program}" in csv
    las = texts["las"].decode()
    assert "STAT  .   " in las and program in las and "TPRG" in las
    assert b"<definitive>true</definitive>" in texts["witsml"]
    assert b"<Definitive>true</Definitive>" in texts["witsml20"]
    import openpyxl

    sheet = openpyxl.load_workbook(io.BytesIO(texts["xlsx"])).active
    assert sheet is not None
    cells = [c.value for row in sheet.iter_rows() for c in row if c.value]
    assert "Tool program:" in cells and any(program in str(v) for v in cells)


def test_deleting_a_run_keeps_the_definitive_survey_and_deleting_the_well_removes_it(
    settings, people
):
    well = _well(settings, people)
    a = _approved_run(settings, people, well, _listing(MD, INC, AZI))
    definitive.compose_definitive(UnitOfWork(settings), people["engineer"], well,
                                  intervals=[f"{a}:0:TD"], note="n")  # fmt: skip
    runs.delete_run(UnitOfWork(settings), people["admin"], a)
    view = definitive.get_definitive(UnitOfWork(settings), people["viewer"], well)
    assert view.tool_program()[0]["run"] == a and view.record.intervals[0].run_id is None
    assert len(view.stations) == 61
    runs.delete_well(UnitOfWork(settings), people["admin"], well)
    with UnitOfWork(settings) as uow:
        assert uow.definitive.get(view.record.id) is None
        assert uow.wellbores.get(view.wellbore.id) is None
