"""The Host allow-list rule (surveylab.hosts): exact names, any case, port and a final dot
ignored; anything malformed refused."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from surveylab.config import load_settings
from surveylab.hosts import DEFAULT_ALLOWED_HOSTS, host_allowed, host_name, parse_host_list

ALLOWED = ("127.0.0.1", "localhost", "surveys.example.com", "[::1]")


@pytest.mark.parametrize(
    "header, expected",
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
        ("localhost:99999", False),
        ("localhost:", False),
        ("localhost:abc", False),
        ("user@localhost", False),
        ("localhost/path", False),
        ("local host", False),
        ("", False),
        ("[::1", False),
    ],
)
def test_host_allowed(header: str, expected: bool) -> None:
    assert host_allowed(header, ALLOWED) is expected


names = st.from_regex(r"[a-z0-9]([a-z0-9-]{0,20}[a-z0-9])?(\.[a-z0-9]{1,10}){0,3}", fullmatch=True)


@given(name=names, port=st.none() | st.integers(0, 65535), upper=st.booleans())
def test_an_allowed_name_passes_with_any_port_and_case(name: str, port, upper: bool) -> None:
    header = (name.upper() if upper else name) + ("" if port is None else f":{port}")
    assert host_allowed(header, [name])
    assert host_name(header) == name


@given(name=names, other=names)
def test_another_name_never_passes(name: str, other: str) -> None:
    if name != other:
        assert not host_allowed(other, [name])
        assert not host_allowed(f"{name}.{other}", [name])
        assert not host_allowed(f"{other}@{name}", [name])


@given(st.text(max_size=40))
def test_no_text_breaks_the_rule(text: str) -> None:
    result = host_allowed(text, ALLOWED)
    assert isinstance(result, bool)
    if result:
        assert host_name(text) in {a.lower() for a in ALLOWED}


def test_settings_allowed_hosts() -> None:
    assert load_settings({}).allowed_hosts == DEFAULT_ALLOWED_HOSTS
    s = load_settings({"SURVEYLAB_ALLOWED_HOSTS": " Surveys.Example.com,,localhost, 10.0.0.5 "})
    assert s.allowed_hosts == ("127.0.0.1", "localhost", "surveys.example.com", "10.0.0.5")
    assert parse_host_list(None) == ()
    assert load_settings({}).cors_origins == ()
    cors = load_settings({"SURVEYLAB_CORS_ORIGINS": "https://a.example/, https://b.example"})
    assert cors.cors_origins == ("https://a.example", "https://b.example")
