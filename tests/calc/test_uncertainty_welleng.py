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
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from _iscwsa import wellpath

from surveylab.calc.uncertainty import position_uncertainty
from tests.conftest import require_component

_WELLENG_MODEL = {"MWD": "ISCWSA MWD Rev5.11", "MWD+IFR1": "MWD+IFR1", "GYRO-NS": "GYRO-NS"}


@pytest.fixture(scope="module")
def welleng_survey():
    try:
        from welleng.survey import Survey, SurveyHeader
    except ImportError:
        require_component(False, "welleng is not installed (pip install -e '.[test]')")

    def make(md_m, inc, azi, field, model):
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
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return Survey(md=md_m, inc=inc, azi=azi, header=header, error_model=model)

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
