"""``surveylab db upgrade`` and ``surveylab demo``."""

from __future__ import annotations

from surveylab.cli._common import add_json, print_json


def register(sub) -> None:
    p = sub.add_parser("db", help="create or migrate the database")
    dbsub = p.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    up = dbsub.add_parser("upgrade", help="create or migrate the configured database to the latest")
    add_json(up)
    up.set_defaults(func=_upgrade)
    demo = sub.add_parser("demo", help="migrate and load the demo data (idempotent)")
    add_json(demo)
    demo.set_defaults(func=_demo)


def _upgrade(args) -> int:
    from surveylab import db
    from surveylab.config import load_settings

    settings = load_settings()
    rev = db.upgrade(settings)
    backend = "DuckDB" if settings.is_embedded else "PostgreSQL"
    if args.json:
        print_json({"revision": rev, "backend": backend})
    else:
        print(f"database ({backend}) is at revision {rev}")
    return 0


def _demo(args) -> int:
    from surveylab import db
    from surveylab.config import load_settings
    from surveylab.demo import load_demo

    settings = load_settings()
    db.upgrade(settings)
    added = load_demo(settings, echo=(lambda *_: None) if args.json else print)
    if args.json:
        print_json(added)
    return 0
