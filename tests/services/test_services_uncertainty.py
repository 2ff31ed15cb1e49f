"""Position uncertainty of stored runs and definitive surveys, and clearance between stored runs,
through the services on both backends.

Each stored result is checked against :func:`surveylab.calc.uncertainty.position_uncertainty`
and :func:`~surveylab.calc.uncertainty.clearance` called directly on the same stations (the
calculations themselves are validated in tests/calc against the ISCWSA workbooks and the
clearance set): what is tested here is what the services find in the database (tool codes,
tool programs, tie-on covariances, reference fields, placement) and who may do what.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from surveylab.auth import PermissionDenied
from surveylab.calc.uncertainty import (
    ReferenceField,
    SeparationRule,
    ToolInterval,
    WellPath,
    clearance,
    position_uncertainty,
)
from surveylab.repositories import UnitOfWork
from surveylab.services import ServiceError, approval, definitive, runs
from surveylab.services import surveys as survey_service
from surveylab.services import uncertainty as unc_service
from surveylab.services import wellbores as wellbore_service

_numbers = itertools.count(1)
FIELD = ReferenceField(total_field=50210.0, dip=72.1, declination=-1.5, latitude=58.44)
HEADER = (
    "Survey Date: 2021-05-03\nAzimuth Reference: True North\nDeclination: -1.5 deg\n"
    "Reference Btotal: 50210 nT\nReference Dip: 72.1 deg\nLatitude: 58.44\nLongitude: 1.95\n"
    "Depth Units: {unit}\n"
)
MD = 30.0 * np.arange(61)  # 0 .. 1800 m
INC = np.clip((MD - 300.0) / 30.0 * 2.0, 0.0, 60.0)
AZI = (35.0 + np.maximum(MD - 600.0, 0.0) / 30.0 * 0.7) % 360.0


def _listing(md, inc, azi, *, header: str = HEADER, unit: str = "m") -> bytes:
    lines = [header.format(unit=unit) + "MD,Inc,Azi"]
    lines += [
        f"{float(m)!r},{float(i)!r},{float(a)!r}" for m, i, a in zip(md, inc, azi, strict=True)
    ]
    return ("\n".join(lines) + "\n").encode()


def _well(settings, people, **extra) -> str:
    name = f"UNC-{next(_numbers)}"
    runs.create_well(UnitOfWork(settings), people["surveyor"], well_name=name, **extra)
    return name


def _run(settings, people, well, data, *, kind="MWD", wellbore=None, approve=False, who="surveyor"):
    number = f"U{next(_numbers)}"
    runs.create_run(
        UnitOfWork(settings), people[who], run_number=number, run_name=number, run_type=kind,
        well=well, wellbore=wellbore,
    )  # fmt: skip
    survey_service.import_survey(
        UnitOfWork(settings), people[who], run=number, content=data, file_name="u.csv"
    )
    if approve:
        approval.approve(UnitOfWork(settings), people["engineer"], number, note="checked")
    return number


def _direct(md, inc, azi, tool="MWD", field=FIELD, **kw):
    return position_uncertainty(
        md, inc, azi, depth_unit="m", north_reference="true", field=field, tool=tool, **kw
    )


def test_a_runs_uncertainty_is_the_models_on_its_stations(settings, people):
    well = _well(settings, people)
    number = _run(settings, people, well, _listing(MD, INC, AZI))
    view = unc_service.run_uncertainty(UnitOfWork(settings), people["viewer"], number)
    want = _direct(MD, INC, AZI)
    np.testing.assert_allclose(view.uncertainty.covariance, want.covariance, rtol=1e-9, atol=1e-12)
    doc = view.to_dict(2.0)
    assert doc["run"] == number and doc["survey_revision"] == 1
    assert "MWD+SRGM" in doc["model"] and doc["revision"] == "ISCWSA Rev5.11"
    assert (doc["sigma"], doc["covariance_sigma"], doc["depth_unit"]) == (2.0, 1.0, "m")
    assert "2-sigma" in doc["plane"] and "horizontal" in doc["plane"]
    assert doc["tools"] == [
        {"md_from": 0.0, "md_to": 1800.0, "code": "MWD", "source": "run type MWD"}
    ]
    assert doc["reference"]["btotal_nt"] == 50210.0 and doc["reference"]["dip_deg"] == 72.1
    assert doc["reference"]["sources"] == {
        "total_field": "the file",
        "dip": "the file",
        "declination": "file header 'Declination'",
    }
    assert len(doc["stations"]) == MD.size
    last = doc["stations"][-1]
    assert set(last) == {"md", "nn", "ee", "vv", "ne", "nv", "ev", "semi_major", "semi_minor",
                         "azimuth", "vertical"}  # fmt: skip
    c = want.covariance[-1]
    assert last["nn"] == pytest.approx(c[0, 0]) and last["ev"] == pytest.approx(c[1, 2])
    ell = want.ellipses(2.0)
    assert last["semi_major"] == pytest.approx(ell.semi_major[-1])
    assert last["vertical"] == pytest.approx(2.0 * np.sqrt(c[2, 2]))
    one = view.to_dict(1.0)["stations"][-1]
    assert last["semi_minor"] == pytest.approx(2.0 * one["semi_minor"])
    assert last["nn"] == one["nn"]  # covariances stay 1-sigma whatever the ellipses' sigma


def test_tool_codes_from_the_run_type_set_on_the_run_or_given(settings, people):
    well = _well(settings, people)
    uow = lambda: UnitOfWork(settings)  # noqa: E731
    data = _listing(MD[:40], INC[:40], AZI[:40])
    gyro = _run(settings, people, well, data, kind="Gyro")
    gtl = _run(settings, people, well, data, kind="GTL")
    unknown = _run(settings, people, well, data, kind="Unknown")
    g = unc_service.run_uncertainty(uow(), people["viewer"], gyro)
    assert "GYRO-NS" in g.uncertainty.model and g.tools[0]["source"] == "run type Gyro"
    assert g.sources["latitude"] == "latitude and longitude in the file"
    np.testing.assert_allclose(
        g.uncertainty.covariance, _direct(MD[:40], INC[:40], AZI[:40], "GYRO-NS").covariance,
        rtol=1e-9, atol=1e-12,
    )  # fmt: skip
    assert "GYRO-MWD" in unc_service.run_uncertainty(uow(), people["viewer"], gtl).uncertainty.model
    with pytest.raises(ServiceError) as exc:
        unc_service.run_uncertainty(uow(), people["viewer"], unknown)
    assert "type Unknown" in str(exc.value) and "--model" in str(exc.value)
    assert "runs set-tool" in str(exc.value)
    given = unc_service.run_uncertainty(uow(), people["viewer"], unknown, model="mwd+ifr1")
    assert "MWD+IFR1" in given.uncertainty.model and given.tools[0]["source"] == "given"
    rec = unc_service.set_tool_code(uow(), people["surveyor"], unknown, "mwd+ifr1")
    assert rec.tool_code == "MWD+IFR1"
    stored = unc_service.run_uncertainty(uow(), people["viewer"], unknown)
    assert stored.tools[0] == {"md_from": 0.0, "md_to": MD[39], "code": "MWD+IFR1",
                               "source": "set on the run"}  # fmt: skip
    np.testing.assert_array_equal(stored.uncertainty.covariance, given.uncertainty.covariance)
    # a code given for one call wins over the stored one; clearing goes back to the run type
    assert (
        "GYRO-NS"
        in unc_service.run_uncertainty(
            uow(), people["viewer"], unknown, model="GYRO-NS"
        ).uncertainty.model
    )
    assert unc_service.set_tool_code(uow(), people["admin"], unknown, None).tool_code is None
    with pytest.raises(ServiceError, match="type Unknown"):
        unc_service.run_uncertainty(uow(), people["viewer"], unknown)


def test_setting_the_tool_code_is_survey_work_by_the_owner_or_an_admin(settings, people):
    well = _well(settings, people)
    number = _run(settings, people, well, _listing(MD[:10], INC[:10], AZI[:10]))
    uow = lambda: UnitOfWork(settings)  # noqa: E731
    for who in ("viewer", "surveyor2", "engineer"):
        with pytest.raises(PermissionDenied):
            unc_service.set_tool_code(uow(), people[who], number, "MWD+IFR1")
    with pytest.raises(ServiceError, match=r"unknown tool code .XYZ.*MWD\+IFR1"):
        unc_service.set_tool_code(uow(), people["surveyor"], number, "XYZ")
    assert unc_service.set_tool_code(uow(), people["admin"], number, "GYRO-MWD").tool_code == (
        "GYRO-MWD"
    )
    with uow() as u:
        denied = [e for e in u.audit.list() if e.action == "set tool codes"]
    assert len(denied) == 3 and {e.outcome for e in denied} == {"denied"}
    # any authenticated user reads
    for who in ("viewer", "surveyor2", "engineer", "admin"):
        unc_service.run_uncertainty(uow(), people[who], number)
    with pytest.raises(Exception, match="not authenticated"):
        unc_service.run_uncertainty(uow(), None, number)


def test_the_reference_field_from_the_geomagnetic_model_or_a_clear_refusal(settings, people):
    bare = "Survey Date: 2021-05-03\nAzimuth Reference: True North\nDepth Units: {unit}\n"
    placed = _well(settings, people, crs="EPSG:23031", surface_x=435000.0, surface_y=6478000.0)
    number = _run(settings, people, placed, _listing(MD[:20], INC[:20], AZI[:20], header=bare))
    view = unc_service.run_uncertainty(UnitOfWork(settings), people["viewer"], number)
    for key in ("total_field", "dip", "declination"):
        assert view.sources[key].startswith("IGRF") and "EPSG:23031" in view.sources[key]
    assert 40000 < view.uncertainty.reference.total_field < 60000  # type: ignore[operator]
    given = unc_service.run_uncertainty(
        UnitOfWork(settings), people["viewer"], number, reference={"btotal_nt": 50000.0}
    )
    assert given.sources["total_field"] == "given" and given.sources["dip"].startswith("IGRF")
    nowhere = _well(settings, people)
    lost = _run(settings, people, nowhere, _listing(MD[:20], INC[:20], AZI[:20], header=bare))
    with pytest.raises(ServiceError) as exc:
        unc_service.run_uncertainty(UnitOfWork(settings), people["viewer"], lost)
    assert "well's place is unknown" in str(exc.value) and "--btotal-nt" in str(exc.value)
    with pytest.raises(ServiceError, match="unknown reference value"):
        unc_service.run_uncertainty(
            UnitOfWork(settings), people["viewer"], lost, reference={"gtotal_g": 1.0}
        )


def test_a_definitive_survey_uses_its_tool_program_and_a_sidetrack_its_parents_covariance(
    settings, people
):
    well = _well(settings, people)
    uow = lambda: UnitOfWork(settings)  # noqa: E731
    a = _run(settings, people, well, _listing(MD[:26], INC[:26], AZI[:26]), approve=True)
    b = _run(settings, people, well, _listing(MD[20:46], INC[20:46], AZI[20:46]), kind="Gyro",
             approve=True)  # fmt: skip
    c = _run(settings, people, well, _listing(MD[40:], INC[40:], AZI[40:]), approve=True)
    definitive.compose_definitive(uow(), people["engineer"], well,
        intervals=[f"{a}:0:600", f"{b}:600:1200", f"{c}:1200:TD"], note="program")  # fmt: skip
    view = unc_service.definitive_uncertainty(uow(), people["viewer"], well)
    assert [t["code"] for t in view.tools] == ["MWD", "GYRO-NS", "MWD"]
    assert view.tools[1]["source"] == f"run {b}: run type Gyro"
    program = [ToolInterval(0, 600, "MWD"), ToolInterval(600, 1200, "GYRO-NS"),
               ToolInterval(1200, 1800, "MWD")]  # fmt: skip
    want = _direct(MD, INC, AZI, program)
    np.testing.assert_allclose(view.uncertainty.covariance, want.covariance, rtol=1e-9, atol=1e-12)
    assert "GYRO-NS" in view.to_dict()["model"] and "MWD+SRGM" in view.to_dict()["model"]

    # a sidetrack kicked off at 915 m: its run and its definitive survey carry the parent's
    # covariance there (linear in MD between the parent's stations at 900 and 930 m)
    wellbore_service.create_wellbore(uow(), people["surveyor"], well=well, name="ST1",
                                     parent="main", kickoff_md=915.0)  # fmt: skip
    md_s = np.r_[915.0, np.arange(930.0, 1500.1, 30.0)]
    inc_s = np.linspace(50.0, 60.0, md_s.size)
    azi_s = np.linspace(60.0, 120.0, md_s.size)
    at = np.interp(915.0, MD, np.arange(MD.size))
    i0 = int(at)
    parent_cov = want.covariance[i0] + (at - i0) * (want.covariance[i0 + 1] - want.covariance[i0])
    tie = (
        "Tie-on MD: 915\nTie-on Inc: 50\nTie-on Azi: 60\nTie-on TVD: 850\n"
        "Tie-on North: 100\nTie-on East: 50\n"
    )
    s = _run(settings, people, well, _listing(md_s, inc_s, azi_s, header=HEADER + tie),
             wellbore="ST1", approve=True)  # fmt: skip
    run_view = unc_service.run_uncertainty(uow(), people["viewer"], s)
    np.testing.assert_allclose(run_view.uncertainty.covariance[0], parent_cov, rtol=1e-9)
    assert any("parent wellbore main's definitive covariance" in x for x in run_view.assumptions)
    alone = _direct(md_s, inc_s, azi_s, tvd=run_view.stations["tvd"].to_numpy(),
                    tie_on_covariance=parent_cov)  # fmt: skip
    np.testing.assert_allclose(run_view.uncertainty.covariance, alone.covariance, rtol=1e-9)
    definitive.compose_definitive(uow(), people["engineer"], well, "ST1",
                                  intervals=[f"{s}:915:TD"], note="sidetrack")  # fmt: skip
    side = unc_service.definitive_uncertainty(uow(), people["viewer"], f"{well}/ST1")
    np.testing.assert_allclose(side.uncertainty.covariance[0], parent_cov, rtol=1e-9)
    assert side.uncertainty.covariance[-1][0, 0] > parent_cov[0, 0]
    # a sidetrack run before its parent has a definitive survey: relative to the tie-on
    other = _well(settings, people)
    wellbore_service.create_wellbore(uow(), people["surveyor"], well=other, name="ST9",
                                     parent="main", kickoff_md=915.0, depth_unit="m")  # fmt: skip
    loose = _run(settings, people, other, _listing(md_s, inc_s, azi_s, header=HEADER + tie),
                 wellbore="ST9")  # fmt: skip
    rel = unc_service.run_uncertainty(uow(), people["viewer"], loose)
    np.testing.assert_array_equal(rel.uncertainty.covariance[0], np.zeros((3, 3)))
    assert any("relative to the tie-on at MD 915" in x for x in rel.assumptions)


def _path(view, name):
    st = view.stations
    return WellPath(name, st["md"].to_numpy(), st["inc"].to_numpy(), st["azi"].to_numpy(),
                    st["tvd"].to_numpy(), st["north"].to_numpy(), st["east"].to_numpy(),
                    view.uncertainty.covariance)  # fmt: skip


def test_clearance_against_named_runs_the_wells_runs_and_all_runs(settings, people):
    uow = lambda: UnitOfWork(settings)  # noqa: E731
    # two wells 20 m apart east on one grid (convergence turns the offset to true north)
    crs = "EPSG:23031"
    w1 = _well(settings, people, crs=crs, surface_x=435000.0, surface_y=6478000.0)
    w2 = _well(settings, people, crs=crs, surface_x=435020.0, surface_y=6478000.0)
    lost = _well(settings, people)
    ref = _run(settings, people, w1, _listing(MD, INC, AZI))
    twin = _run(settings, people, w1, _listing(MD, INC, (AZI + 180.0) % 360.0))
    near = _run(settings, people, w2, _listing(MD, INC, (AZI + 90.0) % 360.0), kind="Gyro")
    far = _run(settings, people, lost, _listing(MD[:20], INC[:20], AZI[:20]))
    in_well = unc_service.run_clearance(uow(), people["viewer"], ref, scope="well")
    doc = in_well.to_dict()
    assert [o["offset"] for o in doc["offsets"]] == [twin] and doc["skipped"] == []
    assert "MWD+SRGM" in doc["model"] and doc["revision"] == "ISCWSA Rev5.11"
    assert "k = 3.5" in doc["rule"] and set(doc["offsets"][0]) == {
        "offset", "model", "min_sf", "md_at_min", "ctc_at_min"}  # fmt: skip
    r = unc_service.run_uncertainty(uow(), people["viewer"], ref)
    t = unc_service.run_uncertainty(uow(), people["viewer"], twin)
    want = clearance(_path(r, ref), [_path(t, twin)], depth_unit="m").offsets[0]
    assert doc["offsets"][0]["min_sf"] == pytest.approx(want.min_sf, rel=1e-9)
    assert doc["offsets"][0]["md_at_min"] == want.md_at_min
    # the per-station curves (ladder, travelling cylinder) hold the stored stations' values
    [(name, curve)] = in_well.curves()
    assert name == twin and len(curve) == len(MD)
    assert curve["sf"].min() == doc["offsets"][0]["min_sf"]
    assert curve["md"].iloc[int(curve["sf"].idxmin())] == doc["offsets"][0]["md_at_min"]
    assert np.allclose(curve["sf"], want.separation_factor) and np.allclose(
        curve["highside_angle"], want.highside_angle
    )
    # named, on another well: moved by the surface locations, turned to true north
    named_view = unc_service.run_clearance(uow(), people["viewer"], ref, offsets=[near])
    named = named_view.to_dict()
    n = unc_service.run_uncertainty(uow(), people["viewer"], near)
    from surveylab.calc.north import grid_convergence_and_scale

    conv = grid_convergence_and_scale(crs, 435000.0, 6478000.0).convergence
    a = np.radians(conv)
    moved = _path(n, near).moved(north=-20.0 * np.sin(a), east=20.0 * np.cos(a))
    want_near = clearance(_path(r, ref), [moved], depth_unit="m").offsets[0]
    assert named["offsets"][0]["min_sf"] == pytest.approx(want_near.min_sf, rel=1e-9)
    assert named_view.result.offsets[0].distance[0] == pytest.approx(20.0, abs=1e-6)  # slots
    assert "GYRO-NS" in named["offsets"][0]["model"]
    # every run: the well without a place is skipped with the reason, never guessed
    every = unc_service.run_clearance(uow(), people["viewer"], ref, scope="all").to_dict()
    assert {o["offset"] for o in every["offsets"]} >= {twin, near}
    skipped = {o["offset"]: o["reason"] for o in every["skipped"]}
    assert far in skipped and "no surface location" in skipped[far]
    with pytest.raises(ServiceError, match=f"offset run {far}: no surface location"):
        unc_service.run_clearance(uow(), people["viewer"], ref, offsets=[far])
    with pytest.raises(ServiceError, match="give the offset runs"):
        unc_service.run_clearance(uow(), people["viewer"], ref)
    rule = SeparationRule(k=2.0, sigma_pa=0.0, surface_margin=0.0)
    loose = unc_service.run_clearance(uow(), people["viewer"], ref, offsets=[twin], rule=rule)
    assert loose.to_dict()["offsets"][0]["min_sf"] > doc["offsets"][0]["min_sf"]


@hsettings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    turn=st.floats(-180.0, 180.0),
    dn=st.floats(-500.0, 500.0),
    de=st.floats(-500.0, 500.0),
    scale=st.sampled_from([1.0, 1 / 0.3048]),
)
def test_moving_both_wells_together_keeps_the_separation_factors(turn, dn, de, scale):
    """A well path moved (turned, shifted, another length unit) with its offset keeps every
    distance and pedal-curve radius: the separation factors do not change (the rule's metre
    parameters converted with the unit)."""
    ref = _direct(MD, INC, AZI)
    off = _direct(MD, INC, (AZI + 120.0) % 360.0)
    rp = WellPath("r", MD, INC, AZI, *_mc(MD, INC, AZI), ref.covariance)
    op = WellPath("o", MD, INC, (AZI + 120.0) % 360.0, *_mc(MD, INC, (AZI + 120.0) % 360.0),
                  off.covariance).moved(east=30.0)  # fmt: skip
    before = clearance(rp, [op], depth_unit="m").offsets[0].separation_factor
    unit = "m" if scale == 1.0 else "ft"
    after = (
        clearance(
            rp.moved(turn=turn, north=dn, east=de, scale=scale),
            [op.moved(turn=turn, north=dn, east=de, scale=scale)],
            depth_unit=unit,
        )
        .offsets[0]
        .separation_factor
    )
    np.testing.assert_allclose(after, before, rtol=1e-7, atol=1e-9)


def _mc(md, inc, azi):
    from surveylab.calc import minimum_curvature

    p = minimum_curvature(md, inc, azi)
    return p.tvd, p.north, p.east
