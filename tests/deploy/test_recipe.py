"""The team server recipe in deploy/, checked without running it (containers cannot run
here): the compose file parses and pins every image, names only documented variables, and
runs real ``surveylab`` commands; the systemd units parse and start real commands; the proxy
configurations pass the Host header and websocket upgrades to 127.0.0.1:8866."""

from __future__ import annotations

import configparser
import re
import shlex
from pathlib import Path

import pytest
import yaml  # type: ignore[import-untyped]  # PyYAML ships no type stubs

from surveylab._version import __version__
from surveylab.cli import build_parser
from tests.conftest import REPO_ROOT

DEPLOY = REPO_ROOT / "deploy"
README = (REPO_ROOT / "README.md").read_text()
COMPOSE_TEXT = (DEPLOY / "compose.yaml").read_text()
COMPOSE = yaml.safe_load(COMPOSE_TEXT)
UNITS = sorted((DEPLOY / "systemd").glob("*.service")) + sorted(
    (DEPLOY / "systemd").glob("*.timer")
)
#: ``image:`` pinned to a version (``name:1.2`` or ``name:1.2.3-variant``) or a digest.
PINNED = re.compile(r"^[\w./-]+(:\d+(\.\d+)+[\w.-]*)?(@sha256:[0-9a-f]{64})?$")


def _commands() -> set[str]:
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")  # the subcommands
    return set(sub.choices)  # type: ignore[arg-type]  # argparse's choices of a subparsers action


def _surveylab_calls(text: str) -> list[str]:
    """The subcommand of every ``surveylab WORD`` in ``text`` (a path ending in /surveylab too)."""
    return re.findall(r"(?:^|[\s/\"'\[])surveylab\s+([a-z][a-z-]*)", text, flags=re.M)


def _env_example(path: Path) -> dict[str, str]:
    out = {}
    for line in path.read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, sep, value = line.partition("=")
            assert sep, f"{path.name}: not NAME=value: {line!r}"
            out[name.strip()] = value.strip()
    return out


def test_the_compose_file_parses_and_has_every_part():
    assert set(COMPOSE["services"]) == {"postgres", "surveylab", "proxy", "reports", "backup"}
    assert COMPOSE["services"]["proxy"]["network_mode"] == "service:surveylab"
    # the database is not published; the proxy's ports are (on the container it shares)
    assert "ports" not in COMPOSE["services"]["postgres"]
    assert {"80:80", "443:443"} <= set(COMPOSE["services"]["surveylab"]["ports"])


@pytest.mark.parametrize("service", sorted(COMPOSE["services"]))
def test_every_image_is_pinned(service):
    image = COMPOSE["services"][service]["image"]
    assert PINNED.match(image) and not image.endswith(":latest"), image
    assert ":" in image or "@sha256:" in image, image
    if "build" in COMPOSE["services"][service]:
        assert image == f"surveylab:{__version__}"
    if image.startswith("surveylab:"):
        assert image == f"surveylab:{__version__}"


def test_the_dockerfile_base_is_pinned_and_it_installs_with_the_constraints():
    text = (DEPLOY / "Dockerfile").read_text()
    bases = re.findall(r"^FROM\s+(\S+)", text, flags=re.M)
    assert bases and all(PINNED.match(b) and re.search(r":\d+\.\d+\.\d+", b) for b in bases)
    assert "-c constraints.txt" in text and "apt-get install" in text and "chromium" in text
    assert re.search(r"^USER surveylab$", text, flags=re.M)  # never root


def test_compose_names_only_variables_of_its_env_example_and_the_readme():
    example = _env_example(DEPLOY / "compose.env.example")
    used = set(re.findall(r"\$\{([A-Z0-9_]+)", COMPOSE_TEXT))
    assert used and used <= set(example), used - set(example)
    # every setting handed to surveylab is a documented one
    for service in ("surveylab", "reports", "backup"):
        for name in COMPOSE["services"][service]["environment"]:
            assert f"`{name}`" in README, name
    for name in example:
        assert f"`{name}`" in README, f"{name} is not described in README.md"


def test_the_env_examples_hold_no_secret():
    compose = _env_example(DEPLOY / "compose.env.example")
    for name, value in compose.items():
        if re.search("PASSWORD|SECRET", name):
            assert value == "", name
    systemd = _env_example(DEPLOY / "systemd" / "surveylab.env.example")
    assert not any(re.search("SECRET", name) for name in systemd)
    assert ":PASSWORD@" in systemd["SURVEYLAB_DATABASE_URL"]  # a placeholder
    for name in systemd:
        assert f"`{name}`" in README, f"{name} is not described in README.md"


def test_the_systemd_env_example_is_a_valid_configuration():
    from surveylab.config import load_settings
    from surveylab.server.hosts import exposure_checks

    env = _env_example(DEPLOY / "systemd" / "surveylab.env.example")
    settings = load_settings(env)
    assert not settings.is_embedded
    assert all(c.status == "ok" for c in exposure_checks(settings))


def test_every_surveylab_command_the_recipe_runs_exists():
    commands = _commands()
    texts = []
    for service in COMPOSE["services"].values():
        command = service.get("command", [])
        texts.append(" ".join(command) if isinstance(command, list) else command)
    script = (DEPLOY / "report-job.sh").read_text().splitlines()
    texts += [line for line in script if not line.lstrip().startswith("#")]
    for unit in UNITS:
        for key, values in _unit(unit).get("Service", {}).items():
            if key.startswith("Exec"):
                texts += values
    calls = [call for text in texts for call in _surveylab_calls(text)]
    assert {"serve", "backup", "report-batch", "login"} <= set(calls)
    assert set(calls) <= commands, set(calls) - commands


def _unit(path: Path) -> dict[str, dict[str, list[str]]]:
    """A systemd unit file read by systemd.syntax(7)'s rules: sections, ``Key=value`` lines
    (a key may repeat), ``#`` and ``;`` comments, a trailing backslash continuing a line."""
    sections: dict[str, dict[str, list[str]]] = {}
    current = None
    lines = path.read_text().replace("\\\n", " ").splitlines()
    for number, line in enumerate(lines, 1):
        line = line.strip()
        if not line or line[0] in "#;":
            continue
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1], {})
            continue
        key, sep, value = line.partition("=")
        assert sep and current is not None, f"{path.name}:{number}: {line!r}"
        assert re.fullmatch(r"[A-Za-z][A-Za-z0-9]*", key.strip()), f"{path.name}:{number}"
        current.setdefault(key.strip(), []).append(value.strip())
    # Python's reader of the same format agrees on the sections and keys
    parser = configparser.ConfigParser(
        strict=False, interpolation=None, comment_prefixes=("#", ";")
    )
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # keys keep their case
    parser.read_string(path.read_text())
    assert set(parser.sections()) == set(sections)
    for name, keys in sections.items():
        assert set(parser[name]) == set(keys)
    return sections


@pytest.mark.parametrize("path", UNITS, ids=lambda p: p.name)
def test_each_unit_parses(path):
    unit = _unit(path)
    assert unit["Unit"]["Description"]
    if path.suffix == ".timer":
        assert unit["Timer"]["OnCalendar"] and unit["Timer"]["Persistent"] == ["true"]
        assert unit["Timer"]["Unit"] == [path.stem + ".service"]
        assert (path.parent / f"{path.stem}.service").is_file()
        assert unit["Install"]["WantedBy"] == ["timers.target"]
        return
    service = unit["Service"]
    assert service["User"] == ["surveylab"] and service["UMask"] == ["0077"]
    assert service["EnvironmentFile"] == ["/etc/surveylab/surveylab.env"]
    # the secret comes from an owner-only credential file, never from the unit
    assert "SURVEYLAB_SECRET_KEY_FILE=%d/secret_key" in service["Environment"]
    assert not any(e.startswith("SURVEYLAB_SECRET_KEY=") for e in service["Environment"])
    for exec_line in service["ExecStart"]:
        argv = shlex.split(exec_line)
        assert argv[0].startswith("/"), exec_line
        if argv[0].endswith("/surveylab"):
            assert argv[1] in _commands(), exec_line
        else:  # the report job, installed from deploy/
            assert argv[0] == "/usr/local/bin/surveylab-report-job"
            assert (DEPLOY / "report-job.sh").stat().st_mode & 0o111


def test_nginx_passes_host_and_websockets_to_the_local_server():
    text = (DEPLOY / "nginx" / "surveylab.conf").read_text()
    location = text[text.index("location / {") :]
    assert "proxy_pass http://127.0.0.1:8866;" in location
    assert "proxy_http_version 1.1;" in location
    assert "proxy_set_header Host $host;" in location
    assert "proxy_set_header Upgrade $http_upgrade;" in location
    assert re.search(r"proxy_set_header Connection (\$connection_upgrade|\"upgrade\");", location)
    assert "map $http_upgrade $connection_upgrade" in text
    assert re.search(r"listen 443 ssl;", text) and "return 301 https://" in text


def test_caddy_passes_host_to_the_local_server_over_tls():
    text = (DEPLOY / "Caddyfile").read_text()
    lines = [line.split("#")[0].strip() for line in text.splitlines()]
    lines = [line for line in lines if line]
    assert lines[0] == "{$SURVEYLAB_PUBLIC_HOST} {"  # a site name: Caddy serves it over TLS
    assert "reverse_proxy 127.0.0.1:8866 {" in lines  # Caddy upgrades websockets by itself
    assert "header_up Host {host}" in lines
    volumes = COMPOSE["services"]["proxy"]["volumes"]
    assert "./Caddyfile:/etc/caddy/Caddyfile:ro" in volumes
