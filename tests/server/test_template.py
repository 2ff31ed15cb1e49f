"""surveylab's Voila page template: shipped in the package, found by Voila through the
dashboards' server (``python -m surveylab.server``), and free of links to other hosts."""

from __future__ import annotations

import os
import re

from surveylab.cli.serve import voila_command
from surveylab.server.template import JUPYTER_DATA, TEMPLATE, jupyter_path_with_template

TEMPLATE_DIR = JUPYTER_DATA / "voila" / "templates" / TEMPLATE


def test_the_template_ships_in_the_package_and_extends_voilas_lab_page():
    assert (TEMPLATE_DIR / "conf.json").read_text().count('"base_template": "lab"') == 1
    page = (TEMPLATE_DIR / "index.html.j2").read_text()
    assert "{%- extends 'lab/index.html.j2' -%}" in page
    body = page.split("-#}", 1)[1]  # after the comment
    assert "if 'https://' not in line" in body  # the lines Voila links from other hosts go
    assert not re.search(r"https?://\w", body)  # and the template names no host itself


def test_the_package_data_folder_goes_first_on_jupyter_path_once():
    first = str(JUPYTER_DATA)
    assert jupyter_path_with_template(None) == first
    assert jupyter_path_with_template("") == first
    other = os.pathsep.join(["/a", "/b"])
    assert jupyter_path_with_template(other) == os.pathsep.join([first, "/a", "/b"])
    again = jupyter_path_with_template(jupyter_path_with_template(other))
    assert again.split(os.pathsep) == [first, "/a", "/b"]


def test_voila_finds_the_template_by_name(monkeypatch):
    from voila.paths import collect_template_paths

    monkeypatch.setenv("JUPYTER_PATH", jupyter_path_with_template(os.environ.get("JUPYTER_PATH")))
    paths = collect_template_paths(["voila", "nbconvert"], TEMPLATE, prune=True)
    assert paths[0] == str(TEMPLATE_DIR)
    assert any(p.endswith(os.path.join("voila", "templates", "lab")) for p in paths)


def test_serve_runs_the_server_with_the_template():
    from surveylab.config import load_settings
    from surveylab.server.voila_app import server_config

    assert voila_command(8866)[1:3] == ["-m", "surveylab.server"]
    assert server_config(load_settings({}))["VoilaConfiguration"]["template"] == TEMPLATE
