"""Server logs without kernel ids.

A dashboard kernel's id is all a websocket needs to reach that kernel, and jupyter_server and
Voila log it ("Kernel started: <id>", "Using pre-heated kernel: <id>", the websocket's
session id). :class:`RedactIds` replaces every UUID in a log line with a short tag derived from
it (the first 8 hex digits of its SHA-256): lines about one kernel still carry the same tag,
and the tag does not give the id back.
"""

from __future__ import annotations

import hashlib
import logging
import re

_UUID = re.compile(r"\b[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}\b")

#: The loggers of the dashboards' server besides the application's own.
TORNADO_LOGGERS = ("tornado.access", "tornado.application", "tornado.general")


def tag(identifier: str) -> str:
    """The tag that stands for ``identifier`` in the log: ``#`` and 8 hex digits."""
    return "#" + hashlib.sha256(identifier.lower().encode()).hexdigest()[:8]


def redact(text: str) -> str:
    """``text`` with every UUID replaced by its :func:`tag`."""
    return _UUID.sub(lambda m: tag(m.group()), text)


class RedactIds(logging.Filter):
    """A filter that rewrites a record's message (and its traceback) with :func:`redact`."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


def redact_ids(*loggers: logging.Logger) -> None:
    """Put one :class:`RedactIds` on each of ``loggers`` and on :data:`TORNADO_LOGGERS`."""
    flt = RedactIds()
    for logger in (*loggers, *(logging.getLogger(n) for n in TORNADO_LOGGERS)):
        if not any(isinstance(f, RedactIds) for f in logger.filters):
            logger.addFilter(flt)
