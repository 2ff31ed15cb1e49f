"""surveylab's Voila page template, and how Voila finds it.

Voila looks for page templates in the Jupyter data folders (``<folder>/voila/templates/<name>``,
:func:`jupyter_core.paths.jupyter_path`). surveylab's template (``--template=surveylab``: Voila's
lab page without the stylesheets it links from a public CDN) ships inside the package, in
:data:`JUPYTER_DATA`; the dashboards' server (:mod:`surveylab.server.voila_app`) puts that
folder first on ``JUPYTER_PATH`` before Voila starts. Nothing else changes: the folder holds no
kernels, extensions or settings.
"""

from __future__ import annotations

import os
from pathlib import Path

#: The package's Jupyter data folder: ``voila/templates/surveylab/`` (conf.json, index.html.j2).
JUPYTER_DATA = Path(__file__).resolve().parent / "jupyter_data"
#: The template's name, for ``--template``.
TEMPLATE = "surveylab"


def jupyter_path_with_template(current: str | None) -> str:
    """``JUPYTER_PATH`` with :data:`JUPYTER_DATA` first (and whatever was set kept after it).

    Parameters
    ----------
    current : str or None
        The variable's value now [os.pathsep-separated folders].

    Returns
    -------
    str
        The new value [os.pathsep-separated folders].
    """
    kept = [p for p in (current or "").split(os.pathsep) if p and p != str(JUPYTER_DATA)]
    return os.pathsep.join([str(JUPYTER_DATA), *kept])
