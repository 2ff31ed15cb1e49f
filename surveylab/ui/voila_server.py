"""Voila with surveylab's page template: ``python -m surveylab.ui.voila_server [voila options]``.

Voila looks for page templates in the Jupyter data folders (``<folder>/voila/templates/<name>``,
:func:`jupyter_core.paths.jupyter_path`). surveylab's template (``--template=surveylab``: Voila's
lab page without the stylesheets it links from a public CDN) ships inside the package, in
:data:`JUPYTER_DATA`; this entry point puts that folder first on ``JUPYTER_PATH`` and runs
Voila's own command line in this process. Nothing else changes: the folder holds no kernels,
extensions or settings.
"""

from __future__ import annotations

import os
import sys
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


def main() -> None:
    """Run Voila's command line (``sys.argv``) with the template folder on ``JUPYTER_PATH``."""
    os.environ["JUPYTER_PATH"] = jupyter_path_with_template(os.environ.get("JUPYTER_PATH"))
    from voila.app import main as voila_main

    sys.exit(voila_main())


if __name__ == "__main__":
    main()
