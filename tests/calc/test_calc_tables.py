"""Station tables (surveylab.calc.tables): another depth unit, the used stations, the listing.

Exact cases (a metre is 1/0.3048 international feet; DLS per 30 m against per 100 ft), and
properties over generated tables: a round trip through any unit gives the table back, and the
course length of the unit comes with the converted rates.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from surveylab.calc import Stations
from surveylab.calc.tables import (
    LENGTH_COLUMNS,
    RATE_COLUMNS,
    convert_stations,
    listing_frame,
    stations_of,
)

UNITS = ("m", "ft", "usft")
COLUMNS = ("md", "inc", "azi", "tvd", "north", "east", "vs", "dls", "build_rate", "turn_rate")


def _table(rows: list[list[float]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=list(COLUMNS))


def test_metres_to_feet_exactly() -> None:
    table = _table([[30.48, 10.0, 45.0, 30.0, 3.048, -3.048, 1.0, 3.0, 1.5, -0.5]])
    out, course = convert_stations(table, "m", "ft")
    assert course == 100.0
    assert out.loc[0, "md"] == pytest.approx(100.0, rel=1e-12)
    assert out.loc[0, "north"] == pytest.approx(10.0, rel=1e-12)
    assert out.loc[0, "east"] == pytest.approx(-10.0, rel=1e-12)
    # 3 deg per 30 m is 3 deg per (100 ft = 30.48 m) * 30.48 / 30
    assert out.loc[0, "dls"] == pytest.approx(3.0 * 30.48 / 30.0, rel=1e-12)
    assert out.loc[0, "inc"] == 10.0 and out.loc[0, "azi"] == 45.0  # angles are kept
    assert table.loc[0, "md"] == 30.48  # the input is not changed


def test_the_same_unit_is_a_copy_with_its_course_length() -> None:
    table = _table([[1.0] * len(COLUMNS)])
    out, course = convert_stations(table, "usft", "usft")
    assert course == 100.0 and out is not table
    pd.testing.assert_frame_equal(out, table)


finite = st.floats(-1e5, 1e5, allow_nan=False)


@settings(max_examples=60, deadline=None)
@given(
    rows=st.lists(st.lists(finite, min_size=len(COLUMNS), max_size=len(COLUMNS)), min_size=1),
    there=st.sampled_from(UNITS),
    back=st.sampled_from(UNITS),
)
def test_a_round_trip_gives_the_table_back(rows, there, back) -> None:
    table = _table(rows)
    away, _ = convert_stations(table, back, there)
    home, course = convert_stations(away, there, back)
    assert course == (30.0 if back == "m" else 100.0)
    for column in COLUMNS:
        np.testing.assert_allclose(home[column], table[column], rtol=1e-12, atol=1e-9)
    if there != back:  # lengths and rates scale by one factor each, the angles not at all
        md, md_away = table["md"].to_numpy(), away["md"].to_numpy()
        far = np.abs(md) > 1e-3
        k = md_away[far] / md[far]
        if k.size:
            assert np.allclose(k, k[0], rtol=1e-9)
        for column in ("inc", "azi"):
            np.testing.assert_array_equal(away[column], table[column])
    assert set(LENGTH_COLUMNS) | set(RATE_COLUMNS) <= set(COLUMNS)


def test_stations_of_keeps_the_used_stations_in_order() -> None:
    table = _table([[float(i)] * len(COLUMNS) for i in range(4)])
    table["used"] = [True, False, None, True]  # a missing flag counts as used
    got = stations_of(table)
    assert isinstance(got, Stations)
    np.testing.assert_array_equal(got.md, [0.0, 2.0, 3.0])
    np.testing.assert_array_equal(got.east, [0.0, 2.0, 3.0])
    assert all(a.dtype == np.float64 for a in got)
    np.testing.assert_array_equal(stations_of(table.drop(columns="used")).md, [0, 1, 2, 3])


def test_the_listing_names_its_units() -> None:
    table = _table([[1.0] * len(COLUMNS)])
    listing = listing_frame(table, "usft", 100.0)
    assert list(listing.columns) == [
        "MD [US ft]",
        "Inc [deg]",
        "Azi [deg]",
        "TVD [US ft]",
        "N [US ft]",
        "E [US ft]",
        "VS [US ft]",
        "DLS [deg/100 US ft]",
        "Build [deg/100 US ft]",
        "Turn [deg/100 US ft]",
    ]
    assert listing["MD [US ft]"].tolist() == [1.0]
    assert list(listing_frame(table[["md", "tvd"]], "m", 30.0).columns) == ["MD [m]", "TVD [m]"]
