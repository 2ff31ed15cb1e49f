"""surveylab: a workbench for wellbore directional surveys.

Layers (imports only point down): ui -> services -> repositories/db -> auth, parsers, exporters,
calc -> models, units. See ARCHITECTURE in the README.
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__", "connect"]


def connect(*args, **kwargs):
    """Open a session acting as a user (token from SURVEYLAB_TOKEN, else a login widget).

    Imported lazily so that ``import surveylab`` stays light.
    """
    from surveylab.session import connect as _connect

    return _connect(*args, **kwargs)
