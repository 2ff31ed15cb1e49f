"""surveylab installed from a wheel (``pip install .``, not editable) renders reports and serves
the dashboards from any working directory: the report notebooks and the dashboards ship inside
the package, and the repository's copies stay identical to them.

The slow test builds the wheel, installs it into a throwaway virtual environment outside the
checkout and runs the commands a report server runs, from a temporary working directory. To
stay fast the throwaway environment sees this environment's dependencies through a ``.pth``
line naming this environment's site-packages: a folder added by a ``.pth`` line does not have
its own ``.pth`` files processed, so the editable install's finder (which maps ``surveylab`` to
the checkout) is not active there, and the wheel is installed with ``--no-deps``. Jupyter's data
files (Voila's templates, the widgets' JavaScript) are found through ``JUPYTER_PATH``, as they
would be in the environment's own ``share/jupyter`` after a full install.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import sysconfig
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from surveylab.cli.serve import DASHBOARDS_DIR, voila_command
from surveylab.config import CHECKOUT, default_data_dir
from surveylab.reports.render import NOTEBOOKS_DIR, TEMPLATES

ROOT = Path(__file__).resolve().parent.parent

#: (folder in the repository, folder in the package): the same notebooks in both.
COPIES = (
    (ROOT / "dashboards", DASHBOARDS_DIR),
    (ROOT / "notebooks" / "reports", NOTEBOOKS_DIR),
)


@pytest.mark.parametrize(
    ("repository", "packaged"), COPIES, ids=[str(r.relative_to(ROOT)) for r, _ in COPIES]
)
def test_the_repository_notebooks_are_the_packaged_ones(repository: Path, packaged: Path) -> None:
    """The files users open in JupyterLab are the ones surveylab runs. The packaged copy is
    the source: edit it, then ``make sync-notebooks`` copies it to the repository's folder."""
    names = sorted(p.name for p in packaged.glob("*.ipynb"))
    assert names, f"no notebook in {packaged}"
    assert sorted(p.name for p in repository.glob("*.ipynb")) == names
    for name in names:
        assert (repository / name).read_bytes() == (packaged / name).read_bytes(), (
            f"{repository / name} differs from {packaged / name}: run `make sync-notebooks`"
        )


def test_reports_and_serve_read_the_packaged_notebooks() -> None:
    import surveylab

    package = Path(surveylab.__file__).parent
    assert package / "ui" / "dashboards" == DASHBOARDS_DIR
    assert {"runs.ipynb", "upload.ipynb"} <= {p.name for p in DASHBOARDS_DIR.iterdir()}
    assert str(DASHBOARDS_DIR) in voila_command(8866)
    for template in TEMPLATES.values():
        assert template.parent == package / "reports" / "notebooks" and template.is_file()


def test_package_data_names_every_packaged_notebook() -> None:
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    patterns = config["tool"]["setuptools"]["package-data"]["surveylab"]
    package = ROOT / "surveylab"
    shipped = {p for pattern in patterns for p in package.glob(pattern)}
    notebooks = {p for p in package.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts}
    assert notebooks and notebooks <= shipped


def test_the_data_folder_of_a_checkout_and_of_an_installed_surveylab(tmp_path: Path) -> None:
    assert CHECKOUT == ROOT  # the tests run from the checkout
    assert default_data_dir({}) == ROOT / "data"
    assert default_data_dir({"XDG_DATA_HOME": "/x"}, checkout=tmp_path) == tmp_path / "data"
    home = Path.home() / ".local" / "share" / "surveylab"
    assert default_data_dir({}, checkout=None) == home
    assert default_data_dir({"XDG_DATA_HOME": ""}, checkout=None) == home
    assert default_data_dir({"XDG_DATA_HOME": "relative/dir"}, checkout=None) == home
    assert default_data_dir({"XDG_DATA_HOME": str(tmp_path)}, checkout=None) == (
        tmp_path / "surveylab"
    )


# ----------------------------------------------------------------------------- the wheel
def _run(cmd: list[str], cwd: Path, env: dict[str, str], **kwargs) -> str:
    proc = subprocess.run(
        cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=180, **kwargs
    )
    assert proc.returncode == 0, f"{' '.join(cmd)} failed:\n{proc.stdout}\n{proc.stderr}"
    return proc.stdout


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _fetch(url: str, server: subprocess.Popen, deadline: float) -> tuple[int, str]:
    """The first answer of ``url`` that is not a refused connection, while ``server`` runs and
    until ``deadline`` [time.monotonic() s]."""
    while True:
        try:
            with urllib.request.urlopen(url, timeout=30) as response:
                return response.status, response.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode("utf-8", "replace")
        except (urllib.error.URLError, ConnectionError):
            if time.monotonic() > deadline or server.poll() is not None:
                raise
            time.sleep(0.25)


def _stop(server: subprocess.Popen) -> None:
    """Stop the server and the kernels it started (its own process group)."""
    if server.poll() is not None:
        return
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=10)


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """A wheel of the checkout installed into a throwaway virtual environment; the
    environment variables of a clean user (own home and data folder, no SURVEYLAB_*)."""
    tmp = tmp_path_factory.mktemp("wheel")
    source = tmp / "source"  # built from a copy: the build leaves build/ and *.egg-info behind
    shutil.copytree(
        ROOT / "surveylab", source / "surveylab", ignore=shutil.ignore_patterns("__pycache__")
    )
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SURVEYLAB_", "JUPYTER", "PYTHON", "VIRTUAL_ENV"))
    }
    _run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp / "dist"), "."],
        source,
        env,
    )
    (wheel,) = (tmp / "dist").glob("surveylab-*.whl")
    venv = tmp / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", str(venv)], tmp, env)
    python = venv / "bin" / "python"
    site = _run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], tmp, env
    ).strip()
    (Path(site) / "_surveylab_test_dependencies.pth").write_text(
        sysconfig.get_paths()["purelib"] + "\n"
    )
    pip = [sys.executable, "-m", "pip", "--python", str(python)]
    _run([*pip, "install", "--no-deps", "-q", str(wheel)], tmp, env)
    work = tmp / "work"  # the working directory of every command: outside the checkout
    work.mkdir()
    (tmp / "home").mkdir()
    env.update(
        HOME=str(tmp / "home"),
        XDG_DATA_HOME=str(tmp / "xdg"),  # the installed surveylab's data folder is under it
        JUPYTER_PATH=str(Path(sys.prefix) / "share" / "jupyter"),
        PATH=f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}",
    )
    return {"venv": venv, "python": python, "work": work, "env": env, "tmp": tmp}


@pytest.mark.slow
def test_an_installed_wheel_renders_reports_and_serves_the_dashboards(installed: dict) -> None:
    venv, work, env = installed["venv"], installed["work"], installed["env"]
    surveylab = str(venv / "bin" / "surveylab")
    where = json.loads(
        _run(
            [
                str(installed["python"]),
                "-c",
                "import json, surveylab, surveylab.config as c, surveylab.reports.render as r;"
                "print(json.dumps([surveylab.__file__, str(r.TEMPLATES['survey']), "
                "str(c.CHECKOUT)]))",
            ],
            work,
            env,
        )
    )
    package, template, checkout = (Path(p) for p in where)
    assert not package.is_relative_to(ROOT), f"surveylab imported from the checkout: {package}"
    assert package.is_relative_to(venv)
    assert template.is_relative_to(package.parent) and template.is_file()
    assert str(checkout) == "None"

    _run([surveylab, "db", "upgrade"], work, env)
    assert (Path(env["XDG_DATA_HOME"]) / "surveylab" / "surveylab.duckdb").is_file()
    assert "demo data: added" in _run([surveylab, "demo"], work, env)
    token = _run([surveylab, "login", "engineer"], work, env, input="engineer-demo-password\n")
    rendered = Path(
        _run(
            [surveylab, "report", "D101", "--format", "html", "--output", "out"],
            work,
            dict(env, SURVEYLAB_TOKEN=token.strip()),
        ).strip()
    )
    assert rendered.parent == work / "out" and rendered.suffix == ".html"
    page = rendered.read_text(encoding="utf-8")
    assert "Survey report" in page and "D101" in page and "<svg" in page

    port = _free_port()
    log = (installed["tmp"] / "serve.log").open("w")
    server = subprocess.Popen(
        [surveylab, "serve", "--port", str(port)],
        cwd=work,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: stopped with the kernels it starts
    )
    url = f"http://127.0.0.1:{port}/voila/render/runs.ipynb"
    try:
        status, html = _fetch(url, server, time.monotonic() + 60)
    except (urllib.error.URLError, ConnectionError) as exc:
        served = (installed["tmp"] / "serve.log").read_text()
        raise AssertionError(f"{url}: {exc}\n{served}") from None
    finally:
        _stop(server)
        log.close()
    assert status == 200, (installed["tmp"] / "serve.log").read_text()
    assert "<title>surveylab: Survey runs</title>" in html
    # the dashboard's cell ran in a kernel: its output is the app's widget, with the shell's CSS
    assert "application/vnd.jupyter.widget-view+json" in html and ".sl-app" in html
    # surveylab's page template, shipped in the wheel: nothing linked from another host
    assert "<link" in html and not re.search(r"<(link|script)[^>]+https?://", html)
