"""``SURVEYLAB_QC_LIMITS``: raw-sensor QC limits per tool, read and checked in one place."""

from __future__ import annotations

import pytest

from surveylab.config import ConfigError, load_settings


def test_limits_per_tool_are_read_with_the_tool_in_lower_case() -> None:
    s = load_settings(
        {"SURVEYLAB_QC_LIMITS": '{"MWD": {"btotal_nt": 350, "dip_deg": 0.3}, "XYZ-9": {}}'}
    )
    assert s.qc_limits == {"mwd": {"btotal_nt": 350.0, "dip_deg": 0.3}, "xyz-9": {}}
    assert load_settings({}).qc_limits == {}


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("{not json", "SURVEYLAB_QC_LIMITS must be JSON"),
        ("[1, 2]", "must be a JSON object of tools, got list"),
        ('{"MWD": 3}', "the limits of 'MWD' must be a JSON object"),
        ('{"MWD": {"btotal": 3}}', "'MWD' has unknown limit 'btotal'"),
        ('{"MWD": {"dip_deg": -0.1}}', "'MWD' dip_deg must be a non-negative number"),
        ('{"MWD": {"dip_deg": "0.3"}}', "'MWD' dip_deg must be a non-negative number"),
        ('{"MWD": {"dip_deg": true}}', "'MWD' dip_deg must be a non-negative number"),
    ],
)
def test_bad_limits_are_refused_naming_the_variable(value: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_settings({"SURVEYLAB_QC_LIMITS": value})
