"""``surveylab backup`` and ``surveylab restore``: operator commands on the host.

They act on the configured database directly (its URL and password, or its file), not as a
logged-in user: see :mod:`surveylab.services.backup` for why.
"""

from __future__ import annotations

from pathlib import Path

from surveylab.cli._common import add_json, print_json


def register(sub) -> None:
    b = sub.add_parser(
        "backup", help="write the whole database to a portable archive (one snapshot)"
    )
    b.add_argument("out", type=Path, help="new archive file, or a folder for a dated one")
    add_json(b)
    b.set_defaults(func=_backup)

    r = sub.add_parser(
        "restore", help="restore an archive into the configured database and migrate it"
    )
    r.add_argument("archive", type=Path, help="archive written by 'surveylab backup'")
    r.add_argument(
        "--force", action="store_true", help="replace a database that holds data (all of it)"
    )
    r.add_argument(
        "--check", action="store_true", help="only verify the archive's checksums; change nothing"
    )
    add_json(r)
    r.set_defaults(func=_restore)


def _summary(summary, verb: str, args) -> int:
    data = {
        "archive": str(summary.path),
        "backend": summary.backend,
        "revision": summary.revision,
        "revision_now": summary.revision_now,
        "rows": summary.rows,
        "files": summary.files,
        "size_bytes": summary.size_bytes,
    }
    if args.json:
        print_json(data)
        return 0
    rows = sum(summary.rows.values())
    print(
        f"{verb} {summary.path}: {len(summary.rows)} tables, {rows} rows, {summary.files} "
        f"survey files (sha256 checked), schema revision {summary.revision}"
        + (f", now {summary.revision_now}" if summary.revision_now != summary.revision else "")
    )
    return 0


def _backup(args) -> int:
    from surveylab.config import load_settings
    from surveylab.services.backup import backup

    return _summary(backup(load_settings(), args.out), "wrote", args)


def _restore(args) -> int:
    from surveylab.config import load_settings
    from surveylab.services.backup import restore, verify

    if args.check:
        manifest = verify(args.archive)
        data = {
            "archive": str(args.archive),
            "revision": manifest["schema_revision"],
            "backend": manifest["backend"],
            "created_at": manifest["created_at"],
            "rows": {t["name"]: t["rows"] for t in manifest["tables"]},
            "files": len(manifest["files"]),
        }
        if args.json:
            print_json(data)
        else:
            print(
                f"{args.archive}: intact; taken {data['created_at']} from {data['backend']} "
                f"at schema revision {data['revision']}, {sum(data['rows'].values())} rows"
            )
        return 0
    return _summary(restore(load_settings(), args.archive, force=args.force), "restored", args)
