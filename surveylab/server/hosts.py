"""The Host allow-list: which names a surveylab server answers to.

A browser sends the name it looked up in the ``Host`` header (RFC 9110, section 7.2). A page
on another site that makes its own name resolve to 127.0.0.1 (DNS rebinding) reaches a server
bound to the loopback interface, but its requests still carry that other name: refusing every
``Host`` that is not ours refuses them, before anything else runs. Always answered: the
loopback addresses (127.0.0.0/8, ``::1``) and ``localhost``; besides them only the names
configured in ``SURVEYLAB_ALLOWED_HOSTS`` (:attr:`surveylab.config.Settings.allowed_hosts`),
e.g. the public name of a TLS reverse proxy in front of the server.

Pure functions over text: every HTTP server of ``surveylab serve`` (the dashboards' Voila
server, :mod:`surveylab.server.voila_app`, and any other) applies the same
:func:`host_allowed`.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from surveylab.config import ConfigError, Settings
from surveylab.models.checks import Check, CheckStatus

#: Names always answered besides the loopback addresses.
LOCAL_NAMES = frozenset({"localhost"})

#: A host name: labels of letters, digits and inner hyphens, 1-63 characters each (RFC 1123,
#: section 2.1), and underscores, which container and intranet names use.
_LABEL = r"(?!-)[a-z0-9_-]{1,63}(?<!-)"
_DNS_NAME = re.compile(rf"^{_LABEL}(\.{_LABEL})*$")
#: ``host``, ``host:port``, ``[v6]`` or ``[v6]:port``.
_HOST_PORT = re.compile(r"^(?:\[(?P<v6>[^\]]+)\]|(?P<name>[^:\[\]]+))(?::(?P<port>[0-9]{1,5}))?$")
#: The default ports of http and https (RFC 9110, sections 4.2.1 and 4.2.2): a browser leaves
#: them out of the Host header.
DEFAULT_PORTS = frozenset({80, 443})


@dataclass(frozen=True)
class AllowedHost:
    """One entry of the allow-list.

    Attributes
    ----------
    name : str
        Host name in lower case without a trailing dot, or an IP address (IPv6 without
        brackets).
    port : int or None
        The only port answered under this name; None for any port.
    """

    name: str
    port: int | None = None


def split_host(text: str) -> tuple[str, int | None] | None:
    """Split a ``Host`` header value (or an allow-list entry) into name and port.

    Parameters
    ----------
    text : str
        ``name``, ``name:port``, an IPv4 address with or without port, ``[v6]`` or
        ``[v6]:port``; a bare IPv6 address (``::1``) is read as an address without port.

    Returns
    -------
    tuple of (str, int or None), or None
        The name in lower case without a trailing dot (an IP address in its compressed form)
        and the port; None when ``text`` is not a host name or address with an optional port
        in 1-65535.
    """
    text = text.strip().lower()
    try:  # a bare IPv6 address has colons of its own
        return str(ipaddress.IPv6Address(text)), None
    except ValueError:
        pass
    m = _HOST_PORT.match(text)
    if m is None:
        return None
    port = int(m["port"]) if m["port"] is not None else None
    if port is not None and not 1 <= port <= 65535:
        return None
    if m["v6"] is not None:
        try:
            return str(ipaddress.IPv6Address(m["v6"])), port
        except ValueError:
            return None
    name = m["name"].removesuffix(".")
    try:
        return str(ipaddress.IPv4Address(name)), port
    except ValueError:
        pass
    if len(name) > 253 or not _DNS_NAME.match(name):
        return None
    return name, port


def parse_allowed_hosts(entries: Iterable[str]) -> tuple[AllowedHost, ...]:
    """The allow-list from configured entries (``SURVEYLAB_ALLOWED_HOSTS``).

    Parameters
    ----------
    entries : iterable of str
        Host names or IP addresses, each with an optional ``:port``.

    Returns
    -------
    tuple of AllowedHost

    Raises
    ------
    ConfigError
        An entry that is not a host name or address (a wildcard such as ``*`` included),
        named with the variable.
    """
    allowed = []
    for entry in entries:
        parts = split_host(entry)
        if parts is None:
            raise ConfigError(
                f"SURVEYLAB_ALLOWED_HOSTS: {entry!r} is not a host name or IP address with an "
                "optional :port (list each name; there are no wildcards)"
            )
        allowed.append(AllowedHost(*parts))
    return tuple(allowed)


def allowed_hosts(settings: Settings) -> tuple[AllowedHost, ...]:
    """The allow-list of ``settings`` (:func:`parse_allowed_hosts` of ``allowed_hosts``)."""
    return parse_allowed_hosts(settings.allowed_hosts)


def is_local(name: str) -> bool:
    """Whether ``name`` (as :func:`split_host` returns it) is a loopback address or
    ``localhost``."""
    if name in LOCAL_NAMES:
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def host_allowed(host_header: str | None, allowed: Iterable[AllowedHost] = ()) -> bool:
    """Whether a request's ``Host`` header names this server.

    Parameters
    ----------
    host_header : str or None
        The request's ``Host`` header as received; None when it had none.
    allowed : iterable of AllowedHost
        The configured names (:func:`allowed_hosts`).

    Returns
    -------
    bool
        True for a loopback address or ``localhost`` (any port), and for a configured name on
        its port (any port when the entry has none; a header without a port matches an entry
        on port 80 or 443, which browsers leave out). False for anything else: another name,
        a header that is not a host, or no header.
    """
    if not host_header:
        return False
    parts = split_host(host_header)
    if parts is None:
        return False
    name, port = parts
    if is_local(name):
        return True
    for entry in allowed:
        if entry.name != name:
            continue
        if entry.port is None or entry.port == port:
            return True
        if port is None and entry.port in DEFAULT_PORTS:
            return True
    return False


def exposure_checks(settings: Settings) -> list[Check]:
    """Whether the allow-list is sane and, when it names hosts beyond this machine, whether
    the dashboards are stated to be served over TLS (``SURVEYLAB_PUBLIC_URL``, https, naming
    one of them).

    Returns
    -------
    list of Check
        ``allowed hosts`` and ``tls`` (for ``surveylab doctor``).
    """
    try:
        allowed = allowed_hosts(settings)
    except ConfigError as exc:
        return [
            Check.problem(
                "allowed hosts",
                str(exc),
                "list host names, e.g. SURVEYLAB_ALLOWED_HOSTS=dash.example.com",
            ),
            Check("tls", CheckStatus.UNCHECKED, "the allowed hosts cannot be read"),
        ]
    remote = [a for a in allowed if not is_local(a.name)]
    checks = []
    if not allowed:
        checks.append(Check.ok("allowed hosts", "none: the dashboards answer on this machine only"))
    elif not remote:
        checks.append(
            Check.problem(
                "allowed hosts",
                "SURVEYLAB_ALLOWED_HOSTS lists only local names, which are always answered",
                "leave SURVEYLAB_ALLOWED_HOSTS empty, or name the proxy's public host",
            )
        )
    else:
        names = ", ".join(a.name if a.port is None else f"{a.name}:{a.port}" for a in remote)
        checks.append(Check.ok("allowed hosts", f"answering to {names} besides this machine"))
    public = settings.public_url
    parts = urlsplit(public) if public else None
    if parts is not None and parts.scheme not in ("http", "https"):
        checks.append(
            Check.problem(
                "tls",
                f"SURVEYLAB_PUBLIC_URL {public!r} is not an http(s) address",
                "SURVEYLAB_PUBLIC_URL=https://NAME (the address of the TLS reverse proxy)",
            )
        )
        return checks
    public_host = (parts.hostname or "") if parts is not None else ""
    if not remote and (parts is None or is_local(public_host)):
        checks.append(Check.ok("tls", "not needed: served on this machine only"))
        return checks
    if parts is None or parts.scheme != "https":
        shown = f"SURVEYLAB_PUBLIC_URL is {public}" if public else "SURVEYLAB_PUBLIC_URL is unset"
        target = public_host or (remote[0].name if remote else "NAME")
        checks.append(
            Check.problem(
                "tls",
                f"served beyond this machine, but not stated to be behind TLS ({shown})",
                f"put a TLS reverse proxy in front (deploy/), then SURVEYLAB_PUBLIC_URL=https://{target}",
            )
        )
        return checks
    if not host_allowed(parts.netloc.rsplit("@", 1)[-1], allowed):
        checks.append(
            Check.problem(
                "tls",
                f"the public address {public} names a host the dashboards do not answer to",
                f"add {parts.netloc} to SURVEYLAB_ALLOWED_HOSTS",
            )
        )
        return checks
    checks.append(Check.ok("tls", f"served at {public} through a TLS reverse proxy"))
    return checks
