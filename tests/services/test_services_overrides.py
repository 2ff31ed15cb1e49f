"""Header overrides at import: recorded in plain words, part of the duplicate check."""

from __future__ import annotations

from pathlib import Path

import pytest

from surveylab.models import DepthUnit
from surveylab.repositories import UnitOfWork
from surveylab.services import ServiceError, runs, surveys

DATA = Path(__file__).resolve().parent.parent / "data"


@pytest.fixture
def run_u(settings, people):
    return runs.create_run(UnitOfWork(settings), people["engineer"], run_number="U", run_name="U")


def _import(settings, actor, content: bytes, **kw):
    return surveys.import_survey(
        UnitOfWork(settings), actor, run="U", content=content, file_name="u.txt", **kw
    )


def test_same_bytes_with_other_overrides_make_a_new_revision(settings, people, run_u):
    """The duplicate check covers the bytes and the header overrides: identical bytes with
    another depth unit are another survey (a new revision), with the same ones a duplicate."""
    content = (DATA / "tab_delimited.txt").read_bytes()  # states no depth unit
    eng = people["engineer"]
    first = _import(settings, eng, content, overrides={"depth_unit": "m"})
    again = _import(settings, eng, content, overrides={"depth_unit": "m"})
    assert again.duplicate and again.survey.id == first.survey.id
    other = _import(settings, eng, content, overrides={"depth_unit": "ft"})
    assert not other.duplicate and other.survey.revision == 2
    assert other.survey.depth_unit is DepthUnit.FT
    assert other.survey.header.extra["overrides"] == {"depth_unit": "ft"}
    with UnitOfWork(settings) as uow:
        assert len(uow.files.for_run(run_u.id)) == 1  # the bytes are stored once


def test_the_stored_revision_records_the_override_in_plain_words(settings, people, run_u):
    content = (DATA / "tab_delimited.txt").read_bytes()
    res = _import(settings, people["engineer"], content, overrides={"depth_unit": "m"})
    codes = [f.code for f in res.survey.findings]
    assert "depth_unit_unknown" not in codes  # answered by the user
    (note,) = [f for f in res.survey.findings if f.code == "header_set_by_user"]
    assert note.message == "depth unit set to m by engineer; the file did not state it"
    assert all("<" not in f.message and "DepthUnit" not in f.message for f in res.survey.findings)


def test_a_bad_override_is_refused_naming_field_and_value(settings, people, run_u):
    content = (DATA / "tab_delimited.txt").read_bytes()
    with pytest.raises(ServiceError, match=r"declination.*'two east'"):
        _import(settings, people["engineer"], content, overrides={"declination": "two east"})
