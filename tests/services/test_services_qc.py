"""Survey QC end to end: generated files with raw readings imported, QC'd, stored and read.

Raw readings are made by rotating a known earth field into tool frames (tests/sensor_frames.py),
written into survey files, imported through the import service and checked by the QC stored
with the revision: a clean survey passes, a corrupted station is flagged (and only those), the
reference field's source is always said, a revision without raw readings says so. Gyro in-run
against out-run from a pass column, and run against run along MD, with pass or fail.
"""

from __future__ import annotations

import dataclasses
import itertools
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from surveylab.auth import PermissionDenied
from surveylab.calc.qc import reference_from_model
from surveylab.models import SurveyStatus
from surveylab.repositories import UnitOfWork
from surveylab.services import ServiceError, approval, qc, runs, surveys
from tests.sensor_frames import (
    GRAVITY_UNITS,
    MAGNETIC_UNITS,
    random_rotation,
    survey_with_raw_readings,
)

_numbers = itertools.count(1)
REF_HEADER = {"Reference Btotal": "50000 nT", "Reference Dip": "60 deg", "Reference Gtotal": "1 g"}
# the well's place (ED50 / UTM 31N) and the model's field there on the files' survey date
WELL_PLACE: dict[str, Any] = {"crs": "EPSG:23031", "surface_x": 436000.0, "surface_y": 6478500.0}


def _well(settings, people, *, place: bool = True) -> str:
    name = f"QC-W{next(_numbers)}"
    extra = WELL_PLACE if place else {}
    runs.create_well(UnitOfWork(settings), people["surveyor"], well_name=name, **extra)
    return name


def _run(settings, people, well: str | None, run_type: str = "MWD") -> str:
    number = f"QC{next(_numbers)}"
    runs.create_run(
        UnitOfWork(settings),
        people["surveyor"],
        run_number=number,
        run_name=number,
        run_type=run_type,
        well=well,
    )
    return number


def _import(settings, people, run: str, data: bytes, name: str = "raw.csv"):
    return surveys.import_survey(
        UnitOfWork(settings), people["surveyor"], run=run, content=data, file_name=name
    )


def _path(n: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    md = 100.0 + 30.0 * np.arange(n)
    inc = np.clip(np.cumsum(rng.uniform(0.0, 2.0, n)) + 5.0, 5.0, 95.0)
    azi = (rng.uniform(0, 360) + np.cumsum(rng.uniform(-1.0, 1.0, n))) % 360.0
    return md, inc, azi


# ------------------------------------------------------------------------------------------
# generated surveys: clean ones pass, corrupted stations are flagged and only those
# ------------------------------------------------------------------------------------------
_KINDS = {
    # (Btotal [nT], dip [deg], Gtotal [g]) added at a corrupted station, from its limit up
    "btotal": (st.floats(400.0, 3000.0), 0),
    "dip": (st.floats(0.4, 3.0), 1),
    "gtotal": (st.floats(0.004, 0.03), 2),
}


@st.composite
def _cases(draw):
    n = draw(st.integers(10, 30))
    corrupted = draw(st.lists(st.integers(0, n - 1), unique=True, max_size=3))
    kinds = [draw(st.sampled_from(sorted(_KINDS))) for _ in corrupted]
    sizes = [draw(_KINDS[k][0]) * draw(st.sampled_from([-1.0, 1.0])) for k in kinds]
    return {
        "n": n,
        "seed": draw(st.integers(0, 10_000)),
        "toolface": draw(st.lists(st.floats(0.0, 360.0), min_size=n, max_size=n)),
        "btotal": draw(st.floats(30_000.0, 60_000.0)),
        "dip": draw(st.floats(-75.0, 75.0)),
        "g": draw(st.floats(0.998, 1.002)),
        "units": (
            draw(st.sampled_from(list(GRAVITY_UNITS))),
            draw(st.sampled_from(list(MAGNETIC_UNITS))),
        ),
        "declination": draw(st.floats(-10.0, 10.0)),
        "corrupted": dict(zip(corrupted, zip(kinds, sizes, strict=True), strict=True)),
        "mounted": draw(st.one_of(st.none(), st.lists(st.floats(-1, 1), min_size=4, max_size=4))),
    }


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(case=_cases())
def test_generated_raw_surveys_flag_exactly_the_corrupted_stations(settings_, people, case):
    """Any field, any toolfaces, any units: imported, QC'd at import, the stored per-station
    deltas are zero except at the corrupted stations, which (and only which) fail; the
    revision passes exactly when none is corrupted. Sensors mounted in another orientation
    (an arbitrary rotation of the triad) change nothing of Gtotal, Btotal and dip: only the
    angles recomputed from the readings notice."""
    n = case["n"]
    md, inc, azi = _path(n, case["seed"])
    btotal = np.full(n, case["btotal"])
    dip = np.full(n, case["dip"])
    g = np.full(n, case["g"])
    for i, (kind, size) in case["corrupted"].items():
        (btotal, dip, g)[_KINDS[kind][1]][i] += size
    q = case["mounted"]
    frames = None
    if q is not None and np.linalg.norm(q) > 1e-3:
        frames = np.broadcast_to(random_rotation(np.asarray(q)), (n, 3, 3))
    ref = {
        "Reference Btotal": f"{case['btotal']:.6f} nT",
        "Reference Dip": f"{case['dip']:.8f}",
        "Reference Gtotal": f"{case['g']:.9f} g",
    }
    data = survey_with_raw_readings(
        md, inc, azi, case["toolface"], btotal=btotal, dip=dip, g=g,
        declination=case["declination"], header=ref, gravity_unit=case["units"][0],
        magnetic_unit=case["units"][1], frames=frames,
    )  # fmt: skip
    run = _run(settings_, people, None)
    result = _import(settings_, people, run, data)
    bad = sorted(case["corrupted"])
    expected = SurveyStatus.QC_FAILED if bad else SurveyStatus.QC_PASSED
    assert result.survey.status == expected
    view = qc.qc_view(UnitOfWork(settings_), people["viewer"], run)
    doc = view.to_dict()
    assert doc["status"] == expected and doc["pass"] is (not bad)
    assert doc["reference"]["source"] == "file"
    failed = [i for i, s in enumerate(doc["stations"]) if s["pass"] is False]
    assert failed == bad
    assert [s["md"] for s in doc["stations"]] == pytest.approx(list(md))
    for i, s in enumerate(doc["stations"]):
        if i not in case["corrupted"]:
            assert abs(s["d_btotal_nt"]) < 0.05 and abs(s["d_dip_deg"]) < 1e-5
            assert abs(s["d_gtotal_g"]) < 1e-6
    codes = {f.code for f in result.findings}
    assert ("qc_field_outside" in codes) is bool(bad)
    if frames is None:  # the right axis convention: angles from the readings agree
        assert "qc_raw_angles_differ" not in codes
        assert doc["angles"]["inc_outside"] == 0 and doc["angles"]["azi_outside"] == 0


@pytest.fixture
def settings_(settings):
    """The module's database (hypothesis examples share it; each makes its own run)."""
    return settings


# ------------------------------------------------------------------------------------------
# where the reference comes from
# ------------------------------------------------------------------------------------------
def _clean(n=12, seed=3, **kw) -> bytes:
    md, inc, azi = _path(n, seed)
    return survey_with_raw_readings(md, inc, azi, np.linspace(0, 300, n), **kw)


def test_the_reference_comes_from_the_model_at_the_wells_place(settings, people):
    well = _well(settings, people)
    ref = reference_from_model(58.44118, 1.90377, "2024-06-01")  # the well's place (EPSG:23031)
    data = _clean(btotal=ref.btotal_nt, dip=ref.dip_deg, g=ref.gtotal_g)
    run = _run(settings, people, well)
    res = _import(settings, people, run, data)
    doc = qc.qc_view(UnitOfWork(settings), people["viewer"], run).to_dict()
    assert doc["reference"]["source"] == "model" and res.survey.status == "qc_passed"
    assert "IGRF" in doc["reference"]["details"]["btotal_nt"]
    assert "WGS 84 normal gravity" in doc["reference"]["details"]["gtotal_g"]
    assert doc["reference"]["btotal_nt"] == pytest.approx(ref.btotal_nt, abs=0.5)
    # a file stating only Btotal: that value from the file, dip and gravity from the model
    data = _clean(btotal=ref.btotal_nt, dip=ref.dip_deg, g=ref.gtotal_g,
                  header={"Total field": f"{ref.btotal_nt:.3f} nT"})  # fmt: skip
    run2 = _run(settings, people, well)
    _import(settings, people, run2, data)
    doc2 = qc.qc_view(UnitOfWork(settings), people["viewer"], run2).to_dict()
    assert doc2["reference"]["source"] == "file+model"
    assert doc2["reference"]["sources"] == {"btotal_nt": "file", "dip_deg": "model",
                                            "gtotal_g": "model"}  # fmt: skip


def test_each_import_stores_its_qc_and_first_statuses_in_order(settings, people):
    """The revision is written with its QC document, its QC station rows and its first
    statuses at once: the history says draft, then the QC's verdict, in that order, with the
    importer's name and the file's; a revision QC leaves a draft has only the first. Several
    imports in a row, each one's history read back in order (they share one time stamp but
    for a microsecond)."""
    ref = reference_from_model(58.44118, 1.90377, "2024-06-01")  # the well's place
    well = _well(settings, people)
    for k in range(4):
        run = _run(settings, people, well)
        name = f"raw-{k}.csv"
        data = _clean(n=10 + k, seed=k, btotal=ref.btotal_nt, dip=ref.dip_deg, g=ref.gtotal_g)
        res = _import(settings, people, run, data, name=name)
        with UnitOfWork(settings) as uow:
            stored = uow.surveys.get(res.survey.id)
            changes = uow.surveys.status_changes(res.survey.id)
            rows = uow.surveys.qc_stations(res.survey.id)
        assert stored is not None and stored.status == res.survey.status == "qc_passed"
        assert [(c.from_status, c.to_status) for c in changes] == [
            (None, "draft"),
            ("draft", "qc_passed"),
        ]
        assert changes[0].note == f"imported from {name}"
        assert changes[1].note.startswith("QC at import: ")
        assert changes[0].changed_at < changes[1].changed_at == stored.status_changed_at
        assert {c.changed_by_name for c in changes} == {"surveyor"}
        assert stored.status_changed_by_name == "surveyor" and stored.status_note == changes[1].note
        assert stored.qc is not None and stored.qc == res.survey.qc
        assert len(rows) == 10 + k and bool(rows["passed"].all())
    # no reference: the draft is the only status
    run = _run(settings, people, _well(settings, people, place=False))
    res = _import(settings, people, run, _clean())
    with UnitOfWork(settings) as uow:
        changes = uow.surveys.status_changes(res.survey.id)
        rows = uow.surveys.qc_stations(res.survey.id)
    assert [(c.from_status, c.to_status) for c in changes] == [(None, "draft")]
    assert res.survey.status == "draft" and len(rows) == 12


def test_no_reference_says_why_and_leaves_a_draft(settings, people):
    """A well with no place and a file stating no field: totals and dip are listed, nothing
    passes or fails, the revision stays a draft and the reason names what is missing."""
    run = _run(settings, people, _well(settings, people, place=False))
    res = _import(settings, people, run, _clean())
    assert res.survey.status == "draft"
    assert "qc_no_reference" in {f.code for f in res.findings}
    doc = qc.qc_view(UnitOfWork(settings), people["viewer"], run).to_dict()
    assert doc["reference"]["source"] == "none" and doc["pass"] is None
    assert "place is unknown" in doc["reason"]
    assert len(doc["stations"]) == 12 and all(s["pass"] is None for s in doc["stations"])
    assert all(s["btotal_nt"] == pytest.approx(50_000.0, abs=0.05) for s in doc["stations"])
    # the user sets the reference: QC runs again, the status follows, the history says so
    again = qc.run_qc(
        UnitOfWork(settings), people["surveyor"], run,
        reference={"btotal_nt": 50_000.0, "dip_deg": 60.0, "gtotal_g": 1.0},
    ).to_dict()  # fmt: skip
    assert again["reference"]["source"] == "user" and again["status"] == "qc_passed"
    history = approval.status_history(UnitOfWork(settings), people["viewer"], run)
    assert [(c.from_status, c.to_status) for c in history] == [
        (None, "draft"),
        ("draft", "qc_passed"),
    ]
    assert history[-1].changed_by_name == "surveyor" and "QC run again" in history[-1].note


def test_a_revision_without_raw_readings_says_so(settings, people):
    from surveylab.demo import vendor_csv, well_profile

    run = _run(settings, people, _well(settings, people), run_type="Gyro")
    res = _import(settings, people, run, vendor_csv(well_profile("J"), well="W", run="G",
                                                    tool="Gyro"))  # fmt: skip
    assert res.survey.status == "draft"
    doc = qc.qc_view(UnitOfWork(settings), people["viewer"], run).to_dict()
    assert doc["stations"] == [] and doc["pass"] is None and doc["qc_status"] == "not checked"
    assert "no raw sensor readings" in doc["reason"]


def test_units_not_stated_are_inferred_and_said(settings, people):
    text = _clean(n=10, seed=5, header=REF_HEADER, gravity_unit="mG", magnetic_unit="uT")
    text = text.replace(b" (mG)", b"").replace(b" (uT)", b"")  # names without units
    run = _run(settings, people, None)
    res = _import(settings, people, run, text)
    notes = [f.message for f in res.findings if f.code == "qc_unit_inferred"]
    assert any("mG inferred" in m for m in notes) and any("uT inferred" in m for m in notes)
    assert res.survey.status == "qc_passed"
    doc = qc.qc_view(UnitOfWork(settings), people["viewer"], run).document
    assert doc is not None and doc["raw"]["units"] == {"gravity": "mG", "gravity_inferred": True,
                                   "magnetic": "uT", "magnetic_inferred": True}  # fmt: skip


def test_a_tools_configured_limits_apply(settings, people):
    """A station 500 nT off fails against the default 300 nT; with SURVEYLAB_QC_LIMITS
    allowing the MWD tool 600 nT it passes; a limit given on demand wins over both."""
    md, inc, azi = _path(10, 7)
    b = np.full(10, 50_000.0)
    b[3] += 500.0
    data = survey_with_raw_readings(md, inc, azi, np.zeros(10), btotal=b, header=REF_HEADER)
    run = _run(settings, people, None)
    assert _import(settings, people, run, data).survey.status == "qc_failed"
    loose = dataclasses.replace(settings, qc_limits={"mwd": {"btotal_nt": 600.0}})
    view = qc.run_qc(UnitOfWork(loose), people["surveyor"], run)
    assert view.survey.status == "qc_passed" and view.document is not None
    assert view.document["raw"]["limits"]["btotal_nt"] == 600
    tight = qc.run_qc(UnitOfWork(loose), people["surveyor"], run, limits={"btotal_nt": 100.0})
    assert tight.survey.status == "qc_failed"
    with pytest.raises(ServiceError, match="QC limits"):
        qc.run_qc(UnitOfWork(loose), people["surveyor"], run, limits={"btotal_nt": -1.0})


def test_angles_recomputed_from_raw_readings_disagree_with_a_wrong_declination(settings, people):
    """The readings were made with declination 3 deg but the file states 1 deg: every
    azimuth recomputed differs by 2 deg: a finding, the field QC still passes."""
    md, inc, azi = _path(10, 9)
    data = survey_with_raw_readings(md, inc, azi, np.zeros(10), declination=3.0,
                                    header=REF_HEADER)  # fmt: skip
    data = data.replace(b"Magnetic declination: 3.0000", b"Magnetic declination: 1.0000")
    run = _run(settings, people, None)
    res = _import(settings, people, run, data)
    assert res.survey.status == "qc_passed"
    found = [f for f in res.findings if f.code == "qc_raw_angles_differ"]
    assert len(found) == 1 and found[0].count == 10
    document = qc.qc_view(UnitOfWork(settings), people["viewer"], run).document
    assert document is not None
    angles = document["raw"]["angles"]
    assert angles["azi_outside"] == 10 and angles["max_abs_d_azi"] == pytest.approx(2.0, abs=1e-4)


def test_running_qc_needs_survey_work_and_is_frozen_once_approved(settings, people):
    run = _run(settings, people, None)
    _import(settings, people, run, _clean(header=REF_HEADER))
    with pytest.raises(PermissionDenied):
        qc.run_qc(UnitOfWork(settings), people["viewer"], run)
    approval.approve(UnitOfWork(settings), people["engineer"], run, note="checked")
    with pytest.raises(ServiceError, match="approved: its QC is frozen"):
        qc.run_qc(UnitOfWork(settings), people["surveyor"], run)
    with pytest.raises(ServiceError, match="unknown reference value 'btotal'"):
        run2 = _run(settings, people, None)
        _import(settings, people, run2, _clean(header=REF_HEADER))
        qc.run_qc(UnitOfWork(settings), people["surveyor"], run2, reference={"btotal": 1.0})


# ------------------------------------------------------------------------------------------
# gyro: in-run against out-run in one file, run against run
# ------------------------------------------------------------------------------------------
def _gyro_file(n: int, *, out_shift_azi: dict[int, float] | None = None) -> bytes:
    md = 30.0 * np.arange(1, n + 1)
    inc = np.minimum(2.0 * np.arange(1, n + 1), 60.0)
    azi = 45.0 + 0.5 * np.arange(n)
    rows = [f"{m:.2f},{i:.3f},{a:.3f},In" for m, i, a in zip(md, inc, azi, strict=True)]
    out = []
    for k in range(n - 1, -1, -1):  # out-run listed on the way up
        shift = (out_shift_azi or {}).get(k, 0.0)
        out.append(f"{md[k]:.2f},{inc[k] + 0.05:.3f},{azi[k] + 0.3 + shift:.3f},Out")
    lines = ["Well: G", "Depth units: m", "Azimuth reference: true north", "",
             "MD,Inc,Azi,Pass", *rows, *out]  # fmt: skip
    return ("\n".join(lines) + "\n").encode()


def test_gyro_in_run_against_out_run_from_a_pass_column(settings, people):
    run = _run(settings, people, None, run_type="Gyro")
    res = _import(settings, people, run, _gyro_file(15))
    assert res.survey.station_count == 15  # the trajectory uses the in-run
    codes = {f.code for f in res.findings}
    assert "gyro_out_run_stations" in codes and "md_not_increasing" not in codes
    assert res.survey.status == "qc_passed"
    gyro = qc.qc_view(UnitOfWork(settings), people["viewer"], run).to_dict()["gyro"]
    assert gyro["status"] == "pass" and gyro["in_run"] == 15 and gyro["out_run"] == 15
    assert gyro["max_abs_d_azi"] == pytest.approx(0.3, abs=1e-9)
    # one out-run station 2 deg off in azimuth (inc >= 10: tolerance 1 deg): fails there
    run2 = _run(settings, people, None, run_type="Gyro")
    res2 = _import(settings, people, run2, _gyro_file(15, out_shift_azi={9: 1.7}))
    assert res2.survey.status == "qc_failed"
    gyro2 = qc.qc_view(UnitOfWork(settings), people["viewer"], run2).to_dict()["gyro"]
    assert gyro2["status"] == "fail" and gyro2["outside_mds"] == [300.0]


def test_run_against_run_along_md(settings, people):
    from surveylab.demo import vendor_csv, well_profile

    well = _well(settings, people)
    a, b, c = (_run(settings, people, well, run_type="Gyro") for _ in range(3))
    base = well_profile("S", azimuth=120.0, noise_deg=0.0, seed=1)
    _import(settings, people, a, vendor_csv(base, well=well, run=a, tool="Gyro"))
    near = base.assign(azi=base["azi"] + 0.2)
    _import(settings, people, b, vendor_csv(near, well=well, run=b, tool="Gyro"))
    far = base.assign(azi=base["azi"] + 3.0)
    _import(settings, people, c, vendor_csv(far, well=well, run=c, tool="Gyro"))
    ok = qc.compare_runs(UnitOfWork(settings), people["viewer"], a, b).to_dict()
    assert ok["status"] == "pass" and ok["pass"] is True and ok["other"] == b
    bad = qc.compare_runs(UnitOfWork(settings), people["viewer"], a, c).to_dict()
    assert bad["status"] == "fail" and bad["outside"] > 0
    assert all(r["distance_tolerance"] is not None for r in bad["rows"])
    # the hook for a combined uncertainty: any callable of both runs' stations
    seen = []

    def combined(x, y):
        seen.append(x.md.size)
        return np.full(x.md.size, 1e6)

    loose = qc.compare_runs(UnitOfWork(settings), people["viewer"], a, b, max_distance=combined)
    assert seen and loose.comparison.distance_tolerance is not None
    assert float(loose.comparison.distance_tolerance.min()) == 1e6
