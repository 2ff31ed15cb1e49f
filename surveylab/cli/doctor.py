"""``surveylab doctor``: check a deployment and say what to fix.

Each layer checks its own part (:mod:`surveylab.services.deployment`: database, schema, secret,
file modes; :mod:`surveylab.server.hosts`: allowed hosts and TLS;
:mod:`surveylab.reports.chromium`: chromium); this command runs them all, reads and changes
nothing, and exits 1 when any found a problem.
"""

from __future__ import annotations

from surveylab.cli._common import add_json, print_json


def register(sub) -> None:
    p = sub.add_parser("doctor", help="check this deployment and say what to fix")
    add_json(p)
    p.set_defaults(func=_doctor)


def _doctor(args) -> int:
    from surveylab.config import ConfigError, load_settings
    from surveylab.models.checks import Check, CheckStatus

    try:
        settings = load_settings()
    except ConfigError as exc:
        checks = [
            Check.problem(
                "configuration", str(exc), "correct the variable named (see README, Configuration)"
            )
        ]
    else:
        from surveylab.reports.chromium import chromium_check
        from surveylab.server.hosts import exposure_checks
        from surveylab.services.deployment import deployment_checks

        checks = [*deployment_checks(settings), *exposure_checks(settings), chromium_check()]
    failed = any(c.status is CheckStatus.PROBLEM for c in checks)
    if args.json:
        print_json(
            {
                "ok": not failed,
                "checks": [
                    {"name": c.name, "status": str(c.status), "detail": c.detail, "fix": c.fix}
                    for c in checks
                ],
            }
        )
    else:
        width = max(len(c.name) for c in checks)
        for c in checks:
            print(f"{c.status:<9}  {c.name:<{width}}  {c.detail}")
            if c.fix:
                print(f"{'':<9}  {'':<{width}}  fix: {c.fix}")
        count = sum(c.status is CheckStatus.PROBLEM for c in checks)
        print(f"{count} problem(s) to fix" if failed else "no problems found")
    return 1 if failed else 0
