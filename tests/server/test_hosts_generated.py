"""The Host allow-list rule (surveylab.server.hosts) that the dashboards' server and the HTTP
API both apply: names in any case, a port and a final dot read, anything malformed refused;
generated names and arbitrary text as well as the cases a DNS-rebinding attack tries."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from surveylab.server.hosts import host_allowed, parse_allowed_hosts, split_host

ALLOWED = parse_allowed_hosts(["surveys.example.com", "[::1]"])


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("127.0.0.1", True),
        ("127.0.0.1:8867", True),
        ("LocalHost:80", True),
        ("surveys.example.com.", True),
        ("SURVEYS.example.COM:443", True),
        ("[::1]:8867", True),
        (" localhost ", True),
        ("evil.com", False),
        ("surveys.example.com.evil.com", False),
        ("evil.com.surveys.example.com", False),
        ("localhost:99999", False),
        ("localhost:abc", False),
        ("user@localhost", False),
        ("localhost/path", False),
        ("local host", False),
        ("", False),
        (None, False),
        ("[::1", False),
    ],
)
def test_host_allowed(header: str | None, expected: bool) -> None:
    assert host_allowed(header, ALLOWED) is expected


names = st.from_regex(
    r"[a-z0-9]([a-z0-9-]{0,20}[a-z0-9])?(\.[a-z][a-z0-9]{0,9}){0,3}", fullmatch=True
)


@given(name=names, port=st.none() | st.integers(1, 65535), upper=st.booleans())
def test_an_allowed_name_passes_with_any_port_and_case(name: str, port, upper: bool) -> None:
    header = (name.upper() if upper else name) + ("" if port is None else f":{port}")
    assert host_allowed(header, parse_allowed_hosts([name]))
    parts = split_host(header)
    assert parts is not None and parts[0] == name


@given(name=names, other=names)
def test_another_name_never_passes(name: str, other: str) -> None:
    allowed = parse_allowed_hosts([name])
    local = {"localhost"} | {n for n in (name, other) if n.replace(".", "").isdigit()}
    if name != other and other not in local:
        assert not host_allowed(other, allowed)
        assert not host_allowed(f"{name}.{other}", allowed)
        assert not host_allowed(f"{other}@{name}", allowed)


@given(st.text(max_size=40))
def test_no_text_breaks_the_rule(text: str) -> None:
    result = host_allowed(text, ALLOWED)
    assert isinstance(result, bool)
    if result:
        parts = split_host(text)
        assert parts is not None
        assert parts[0] in {"surveys.example.com", "::1", "localhost"} or parts[0].startswith(
            "127."
        )
