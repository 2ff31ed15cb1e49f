"""Code run in child processes by the concurrency and crash tests (no pytest imports here)."""

from __future__ import annotations

import os
import sys
import time
import uuid
from pathlib import Path
from typing import Any


def _settings(env: dict[str, str]):
    from surveylab.config import load_settings

    return load_settings(env)


def survey_bytes(tag: str, seed: int, repeat: int = 1) -> bytes:
    """A unique, valid vendor CSV (about 86 stations, times ``repeat`` laterals)."""
    import numpy as np
    import pandas as pd

    from surveylab.demo import vendor_csv, well_profile

    st = well_profile("J", noise_deg=0.05, seed=seed)
    if repeat > 1:
        md = np.arange(1, 86 * repeat + 1) * 30.0
        inc = np.clip(np.linspace(0, 90, md.size), 0, 90).round(2)
        azi = np.full(md.size, 45.0)
        st = pd.DataFrame({"md": md, "inc": inc, "azi": azi})
    return vendor_csv(st, well="W", run=tag, tool="MWD")


def import_one(
    env: dict[str, str], actor: tuple[str, str, str], run_id: str, seed: int, start: Any
) -> tuple[str, Any]:
    """Import one unique file into ``run_id``; ("ok", revision) or ("busy", message)."""
    from surveylab.db import DatabaseBusyError
    from surveylab.models import Actor, Role
    from surveylab.repositories import UnitOfWork
    from surveylab.services import surveys

    content = survey_bytes(f"proc-{seed}", seed)
    who = Actor(uuid.UUID(actor[0]), actor[1], Role(actor[2]))
    start.wait(60)
    try:
        res = surveys.import_survey(
            UnitOfWork(_settings(env)),
            who,
            run=uuid.UUID(run_id),
            content=content,
            file_name=f"p{seed}.csv",
        )
    except DatabaseBusyError as exc:
        return "busy", str(exc)
    return "ok", res.survey.revision


def crash_child() -> None:
    """argv: env-file marker-file run-id actor-id actor-name role stations.

    Imports a large survey; writes ``marker`` when the station write starts (inside the
    transaction), then carries on. The parent SIGKILLs this process at some point after.
    """
    import json

    from surveylab.models import Actor, Role
    from surveylab.repositories import SurveyRepository, UnitOfWork
    from surveylab.services import surveys

    env_file, marker, run_id, aid, aname, role, n = sys.argv[2:9]
    env = json.loads(Path(env_file).read_text())
    content = survey_bytes("crash", 7, repeat=max(1, int(n) // 86))
    original = SurveyRepository._insert_stations

    def announced(self, survey_id, frame):  # test-only hook, installed here in the child
        Path(marker).write_text(str(time.time()))
        return original(self, survey_id, frame)

    SurveyRepository._insert_stations = announced  # type: ignore[method-assign]
    surveys.import_survey(
        UnitOfWork(_settings(env)),
        Actor(uuid.UUID(aid), aname, Role(role)),
        run=uuid.UUID(run_id),
        content=content,
        file_name="big.csv",
    )
    Path(marker + ".done").write_text("done")
    os._exit(0)


if __name__ == "__main__" and len(sys.argv) > 1 and sys.argv[1] == "crash":
    crash_child()
