"""Kernel ids out of the server's log (surveylab.server.logs)."""

from __future__ import annotations

import logging
import uuid

from hypothesis import given
from hypothesis import strategies as st

from surveylab.server.logs import RedactIds, redact, redact_ids, tag


@given(ids=st.lists(st.uuids(), min_size=1, max_size=4), words=st.text(max_size=30))
def test_every_id_becomes_its_tag(ids, words):
    text = " ".join(f"{words} {i}" for i in ids)
    cleaned = redact(text)
    for i in ids:
        assert str(i) not in cleaned and str(i).upper() not in redact(text.upper())
        assert tag(str(i)) in cleaned
    assert tag(str(ids[0])) == tag(str(ids[0]).upper())  # one id, one tag
    assert cleaned.count("#") >= len(ids)


def test_tags_of_different_ids_differ_and_text_without_ids_is_unchanged():
    assert tag(str(uuid.uuid4())) != tag(str(uuid.uuid4()))
    assert redact("Kernel pool of runs.ipynb is filled") == "Kernel pool of runs.ipynb is filled"
    assert len(tag(str(uuid.uuid4()))) == 9


def test_a_filtered_logger_writes_tags_not_ids(caplog):
    kernel = str(uuid.uuid4())
    logger = logging.getLogger("surveylab-test-redact")
    redact_ids(logger)
    redact_ids(logger)  # once only
    assert sum(isinstance(f, RedactIds) for f in logger.filters) == 1
    assert any(isinstance(f, RedactIds) for f in logging.getLogger("tornado.access").filters)
    with caplog.at_level(logging.INFO, logger="surveylab-test-redact"):
        logger.info("Kernel started: %s", kernel)
        logger.warning("Starting buffering for %s:%s", kernel, uuid.uuid4())
        try:
            raise KeyError(kernel)
        except KeyError:
            logger.exception("Kernel does not exist")
    text = caplog.text
    assert kernel not in text
    assert f"Kernel started: {tag(kernel)}" in text
    assert "KeyError" in text and tag(kernel) in text
