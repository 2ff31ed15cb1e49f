"""The Host allow-list of surveylab's servers: which ``Host`` headers a request may carry.

A server bound to 127.0.0.1 is still reachable from a web page through DNS rebinding (a name
the attacker controls resolving to 127.0.0.1); refusing every ``Host`` that is not a name of
this server stops that (RFC 9110, section 7.2: the ``Host`` header names the target of the
request). Pure: no I/O, no framework.
"""

from __future__ import annotations

import re
from collections.abc import Collection

#: Names every surveylab server answers to (``SURVEYLAB_ALLOWED_HOSTS`` adds more).
DEFAULT_ALLOWED_HOSTS = ("127.0.0.1", "localhost")

# host [ ":" port ], the host a registered name, an IPv4 address or a bracketed IPv6 literal
# (RFC 3986, section 3.2.2); anything else (user info, paths, spaces) is not a Host header
_HOST = re.compile(r"^(?P<host>\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._~-]+)(?::(?P<port>[0-9]{1,5}))?$")


def host_name(host_header: str) -> str | None:
    """The host name of a ``Host`` header, without the port, in lower case.

    Parameters
    ----------
    host_header : str
        The header's value [text], e.g. ``"LocalHost:8866"`` or ``"[::1]:8866"``.

    Returns
    -------
    str or None
        ``"localhost"``, ``"[::1]"``, ...; a trailing dot of a fully qualified name removed.
        None when the value is not a well-formed ``Host`` header (empty, user info, a path,
        spaces, a port that is not a number up to 65535).
    """
    m = _HOST.match(host_header.strip()) if isinstance(host_header, str) else None
    if m is None:
        return None
    port = m.group("port")
    if port is not None and int(port) > 65535:
        return None
    name = m.group("host").lower()
    if not name.startswith("["):
        name = name.rstrip(".")
    return name or None


def host_allowed(host_header: str, allowed: Collection[str]) -> bool:
    """Whether a request whose ``Host`` header is ``host_header`` may be answered.

    Parameters
    ----------
    host_header : str
        The request's ``Host`` header [text]; empty when the request had none.
    allowed : Collection of str
        The host names this server answers to [text, any case, no port], e.g.
        ``Settings.allowed_hosts``.

    Returns
    -------
    bool
        True when the header's host name (port ignored, case ignored, a trailing dot ignored)
        is one of ``allowed``; False for any other name, a missing or malformed header.
    """
    name = host_name(host_header)
    if name is None:
        return False
    return name in {a.strip().lower().rstrip(".") for a in allowed if a and a.strip()}


def parse_host_list(text: str | None) -> tuple[str, ...]:
    """Host names from a comma-separated list (``SURVEYLAB_ALLOWED_HOSTS``), lower case.

    Parameters
    ----------
    text : str or None
        E.g. ``"surveys.example.com, 10.0.0.5"``; None or empty for none.

    Returns
    -------
    tuple of str
        The names, stripped and lower-cased, empty items left out, in the order given.
    """
    if not text:
        return ()
    return tuple(p.strip().lower() for p in text.split(",") if p.strip())
