"""Cross-check of the position uncertainty against welleng 0.30 on ISCWSA test wells #1-#3.

welleng (an independent implementation, validated by its authors against the same ISCWSA
workbooks) is in the test extra; outside CI the test skips when it is missing, in CI it fails.

Tolerances and the differences they cover:

- 1e-5 of the largest component of each source: welleng's "ISCWSA MWD Rev5.11" model stores
  the XCL tortuosity as 0.000572615 rad/m, where the OWSG code set's 1 deg/100 ft is
  0.00057261458 rad/m (relative difference 7e-7 in the XCLA/XCLH magnitudes: 1.5e-6 in their
  covariances); every other source agrees to 1e-13;
- test well #2 is in feet: welleng 0.30 applies the error magnitudes given in metres (DRFR
  0.35 m, DSTG per metre, the 10 m misalignment course length, the tortuosity per metre) to
  the survey's numbers as they are, so it is given the well in metres and its covariances are
  compared with ours converted from feet squared: the ISCWSA workbook converts feet to metres
  the same way ("Feet to metres conversion = 0.3048" in its header);
- the gyro (OWSG GYRO-NS) is valid to 89 deg inclination: wells #1 and #3 are cut there.

The clearance (ISCWSA standard clearance set r4, Rev5.11 covariances, welleng's
``IscwsaClearance`` without its between-station minimisation) agrees to 0.01 in SF where it is
below 10 and to 0.5 % everywhere for the ten wells drilled from the surface (measured: 0.005,
well 02 at reference MD 1260, where welleng's bounded search near the nearest offset station
settles 0.008 m farther than the closest point, the offset's station at MD 1290), and to 3 %
for the sidetrack (measured 2.4 % in the first 200 m below the kick-off): our sidetrack adds
the kick-off station's own attitude error over the course below it (ISCWSA common practice,
section 2.8), which welleng adds only with ``first_station_allowance="uncorrelated"`` - with
it, its Rev 4 covariances of both wells below the kick-off equal ours to 1e-12.
"""

import math
import warnings

import numpy as np
import pytest

from surveylab.calc.uncertainty import ReferenceField, position_uncertainty
from tests.calc._iscwsa import INCH, clearance_set, set_path, set_run, wellpath
from tests.conftest import require_component

_WELLENG_MODEL = {"MWD": "ISCWSA MWD Rev5.11", "MWD+IFR1": "MWD+IFR1", "GYRO-NS": "GYRO-NS"}


@pytest.fixture(scope="module")
def welleng_survey():
    try:
        from welleng.survey import Survey, SurveyHeader
    except ImportError:
        require_component(False, "welleng is not installed (pip install -e '.[test]')")

    def make(md_m, inc, azi, field, model, **kw):
        header = SurveyHeader(
            latitude=field.latitude,
            longitude=0.0,
            b_total=field.total_field,
            dip=field.dip,
            declination=field.declination,
            convergence=0.0,
            azi_reference="true",
            vertical_inc_limit=1e-4,
            deg=True,
            survey_date="2020-01-01",
            first_station_allowance=kw.pop("first_station_allowance", None),
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return Survey(md=md_m, inc=inc, azi=azi, header=header, error_model=model, **kw)

    return make


@pytest.mark.parametrize("number", [1, 2, 3])
@pytest.mark.parametrize("code", ["MWD", "MWD+IFR1", "GYRO-NS"])
def test_every_source_agrees_with_welleng(reference_data, welleng_survey, number, code) -> None:
    w = wellpath(reference_data, number)
    keep = w.inc <= 89.0 if code == "GYRO-NS" else np.ones(w.md.size, bool)
    md, inc, azi = w.md[keep], w.inc[keep], w.azi[keep]
    ours = position_uncertainty(
        md, inc, azi, depth_unit=w.unit, north_reference="true", field=w.field, tool=code
    )
    factor = 0.3048 if w.unit == "ft" else 1.0
    theirs = welleng_survey(md * factor, inc, azi, w.field, _WELLENG_MODEL[code])
    their_sources = theirs.err.errors.errors
    assert set(ours.sources) == set(their_sources)
    for name, cov in ours.sources.items():
        ref = their_sources[name].cov_NEV
        scale = max(float(np.abs(ref).max()), 1e-30)
        assert float(np.abs(cov * factor**2 - ref).max()) <= 1e-5 * scale, name
    total = theirs.cov_nev
    assert float(np.abs(ours.covariance * factor**2 - total).max()) <= 1e-6 * np.abs(total).max()


def _set_survey(make, w: dict, model: str, radius: float, start=None, **kw):
    h = w["header"]
    md = np.asarray(w["MD"], float)
    k = 0 if start is None else int(np.flatnonzero(md == start)[0])
    field = ReferenceField(
        total_field=h["b_total"],
        dip=math.degrees(h["dip"]),
        declination=math.degrees(h["declination"]),
        latitude=h["latitude"],
    )
    cols = {c: np.asarray(w[c], float)[k:] for c in ("IncDeg", "AziDeg", "TVD", "N", "E")}
    return make(
        md[k:],
        cols["IncDeg"],
        cols["AziDeg"],
        field,
        model,
        n=cols["N"],
        e=cols["E"],
        tvd=cols["TVD"],
        radius=radius,
        **kw,
    )


def test_clearance_agrees_with_welleng_on_the_iscwsa_set(reference_data, welleng_survey):
    from welleng.clearance import IscwsaClearance

    data = clearance_set(reference_data)
    acr = data["acr"]
    ours = set_run(data, "MWD")
    ref_well = data["wells"]["Reference well"]
    for name, (res, _) in ours.items():
        w = data["wells"][name]
        kop = w["MD"][0] if w["MD"][0] > 0 else None
        model = "ISCWSA MWD Rev5.11"
        ref = _set_survey(welleng_survey, ref_well, model, acr["reference_h_and_c"] * INCH / 2, kop)
        off = _set_survey(welleng_survey, w, model, acr["offset_h_and_c"] * INCH / 2)
        theirs = IscwsaClearance(
            ref, off, k=acr["k"], sigma_pa=acr["sigmapa"], Sm=acr["Sm"], minimize_sf=False
        )
        sf = np.ravel(theirs.sf)
        diff = np.abs(res.separation_factor - sf)
        rel = diff / np.abs(sf)
        if kop is not None:
            assert rel.max() < 0.03, (name, rel.max())
        else:
            assert diff[np.abs(sf) < 10].max() < 0.01, (name, diff.max())
            assert rel.max() < 0.005, (name, rel.max())
        assert res.min_sf == pytest.approx(sf.min(), abs=0.005), name


def test_sidetrack_covariances_agree_with_welleng_uncorrelated_tie_on(
    reference_data, welleng_survey
):
    data = clearance_set(reference_data)
    side = data["wells"]["10 - well"]
    for w, start in ((data["wells"]["Reference well"], 900.0), (side, None)):
        ours = set_path(w, "ISCWSA MWD Rev4", 0.0, start)
        theirs = _set_survey(
            welleng_survey,
            w,
            "ISCWSA MWD Rev4",
            0.3,
            start,
            first_station_allowance="uncorrelated",
        )
        scale = float(np.abs(theirs.cov_nev).max())
        assert np.abs(ours.covariance - theirs.cov_nev).max() < 1e-12 * scale
