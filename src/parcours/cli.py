"""The `parcours` command.

parcours demo [--households N] [--port P] [--no-serve]   seed a demo association and serve it
parcours demo-code                                        the demo accounts' two-factor code
parcours serve [--bind ADDR] [--workers N] [--no-worker]  serve with gunicorn, and a worker
parcours worker [--batch] [--interval S]                  run background tasks (django-tasks)
parcours manage <django command> [...]                    any Django management command
parcours recompute                                        recompute every household's journey
parcours daily [--no-digests]                             daily run for cron (docs/operations.md)
parcours backup [--output PATH]                           save the database (file mode 0600)
parcours restore PATH [--force]                           replace the database by a backup
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path


def _django(env: str | None = None, database_url: str | None = None) -> None:
    if env:
        os.environ.setdefault("PARCOURS_ENV", env)
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "parcours.config.settings")
    import django

    django.setup()


# The access log names no person: no query string (search terms, names and phones travel in
# it), no referrer (the previous page's query string), no user agent. Path, status, size, time.
ACCESS_LOG_FORMAT = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(M)sms'


def gunicorn_argv(bind: str, workers: int, threads: int) -> list[str]:
    return [
        "gunicorn",
        "parcours.config.wsgi:application",
        "--bind",
        bind,
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--access-logfile",
        "-",
        "--access-logformat",
        ACCESS_LOG_FORMAT,
        "--graceful-timeout",
        "10",
    ]


def worker_argv() -> list[str]:
    """The background worker beside the web server: this same program, `parcours worker`."""
    return [sys.executable, "-m", "parcours.cli", "worker"]


def _gunicorn(bind: str, workers: int, threads: int, *, with_worker: bool = True) -> int:
    """Serve with gunicorn; unless told otherwise, with a background worker beside it (the
    same environment: same database), stopped when the server stops."""
    from gunicorn.app.wsgiapp import run

    worker = subprocess.Popen(worker_argv(), env=os.environ.copy()) if with_worker else None
    sys.argv = gunicorn_argv(bind, workers, threads)
    try:
        return run()
    finally:
        if worker is not None:
            worker.terminate()
            try:
                worker.wait(timeout=15)
            except subprocess.TimeoutExpired:
                worker.kill()


def cmd_demo(args: argparse.Namespace) -> int:
    data_dir = Path(os.environ.get("PARCOURS_DATA_DIR", Path.cwd() / "data")).resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    os.environ["PARCOURS_DATA_DIR"] = str(data_dir)
    db_file = data_dir / "demo.sqlite3"
    # The demo database is rebuilt on each run so its history always ends today.
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db_file}{suffix}").unlink(missing_ok=True)
    _django("demo", f"sqlite:///{db_file}")
    from django.core.management import call_command

    from parcours.seed import DEMO_PASSWORD, DEMO_TOTP_SECRET, seed_demo

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    print(f"Seeding a demo association with {args.households} households...", flush=True)
    from django.utils import translation

    with translation.override("fr"):
        result = seed_demo(households=args.households, seed=args.seed)
    address = f"http://127.0.0.1:{args.port}/"
    print()
    print(f"Parcours demo: {result.association.name}")
    print(f"  {result.household_count} households, {result.touchpoint_count} touchpoints")
    print(f"  Open {address}")
    print(f"  Demo logins (password for all: {DEMO_PASSWORD}):")
    for username, role in result.logins:
        print(f"    {username:<14} {role}")
    print("  admin, coordination and social sign in with a second factor (their roles require it):")
    print(f"    authenticator-app secret (demo only): {DEMO_TOTP_SECRET}")
    print("    or the current code: .venv/bin/parcours demo-code")
    print(flush=True)
    if args.no_serve:
        return 0
    return _gunicorn(f"127.0.0.1:{args.port}", workers=2, threads=4)


def cmd_demo_code(args: argparse.Namespace) -> int:
    """The demo accounts' current authenticator code (demo secret only, never a real one)."""
    _django("demo")
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    from parcours.seed import DEMO_TOTP_SECRET

    period = 30
    now = int(time.time())
    code = format_hotp_value(hotp_value(DEMO_TOTP_SECRET, now // period))
    print(f"{code}  (valid {period - now % period} s more)")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    _django()
    return _gunicorn(
        args.bind, workers=args.workers, threads=args.threads, with_worker=not args.no_worker
    )


def cmd_worker(args: argparse.Namespace) -> int:
    """Run the background tasks queued in the database (django-tasks-db's `db_worker`); on
    SQLite, checkpoint the WAL meanwhile (off the request path: operations/checkpoint.py)."""
    _django()
    from django.core.management import call_command

    from parcours.operations.checkpoint import start_checkpointer

    checkpointer = None if args.batch else start_checkpointer()
    try:
        call_command(
            "db_worker",
            batch=args.batch,
            interval=args.interval,
            reload=False,
            startup_delay=False,
            verbosity=1,
        )
    finally:
        if checkpointer is not None:
            checkpointer.stop()
    return 0


def cmd_manage(args: argparse.Namespace) -> int:
    _django(os.environ.get("PARCOURS_ENV", "production"))
    from django.core.management import execute_from_command_line

    execute_from_command_line(["parcours manage", *args.rest])
    return 0


def cmd_recompute(args: argparse.Namespace) -> int:
    _django()
    from django.core.management import call_command

    call_command("recompute", due=args.due)
    return 0


def cmd_daily(args: argparse.Namespace) -> int:
    _django()
    from django.core.management import call_command

    call_command("daily", *(["--no-digests"] if args.no_digests else []))
    return 0


def cmd_import_log(args: argparse.Namespace) -> int:
    """An event log into a customer-journey association (docs/event-logs.md)."""
    _django(os.environ.get("PARCOURS_ENV", "production"))
    from django.core.management import call_command

    options = {"mapping": args.mapping, "association": args.association}
    options.update(dry_run=args.dry_run, duplicates=args.duplicates, user=args.user)
    call_command("import_log", args.file, **options)
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    """A backup of the database (docs/operations.md, Backups)."""
    _django(os.environ.get("PARCOURS_ENV", "production"))
    from parcours.operations.commands import backup

    return backup(args.output)


def cmd_restore(args: argparse.Namespace) -> int:
    """Replace the database by a backup, after checking it and asking (docs/operations.md)."""
    _django(os.environ.get("PARCOURS_ENV", "production"))
    from parcours.operations.commands import restore

    return restore(args.path, force=args.force)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="parcours", description="Follow households along their journey."
    )
    sub = parser.add_subparsers(dest="command", required=True)
    demo = sub.add_parser("demo", help="seed a demo association and serve it on localhost")
    demo.add_argument("--households", type=int, default=300)
    demo.add_argument("--seed", type=int, default=2026)
    demo.add_argument("--port", type=int, default=8000)
    demo.add_argument("--no-serve", action="store_true", help="seed only, do not serve")
    demo.set_defaults(func=cmd_demo)
    demo_code = sub.add_parser(
        "demo-code", help="the demo accounts' current two-factor code (demo secret only)"
    )
    demo_code.set_defaults(func=cmd_demo_code)
    serve = sub.add_parser("serve", help="serve the application with gunicorn")
    serve.add_argument("--bind", default="127.0.0.1:8000")
    serve.add_argument("--workers", type=int, default=2)
    serve.add_argument("--threads", type=int, default=4)
    serve.add_argument(
        "--no-worker",
        action="store_true",
        help="do not start a background worker (run `parcours worker` separately)",
    )
    serve.set_defaults(func=cmd_serve)
    worker = sub.add_parser(
        "worker", help="run background tasks (journey recomputation, imports) as they come"
    )
    worker.add_argument("--batch", action="store_true", help="run the tasks waiting now, then stop")
    worker.add_argument(
        "--interval", type=float, default=1.0, help="seconds between looks for new tasks"
    )
    worker.set_defaults(func=cmd_worker)
    manage = sub.add_parser("manage", help="run a Django management command")
    manage.add_argument("rest", nargs=argparse.REMAINDER)
    manage.set_defaults(func=cmd_manage)
    recompute = sub.add_parser("recompute", help="recompute every household's journey")
    recompute.add_argument(
        "--due", action="store_true", help="only households whose journey changes by itself today"
    )
    recompute.set_defaults(func=cmd_recompute)
    daily = sub.add_parser(
        "daily", help="journeys whose day has come, their tasks, then the digests (cron)"
    )
    daily.add_argument("--no-digests", action="store_true", help="do not send emails")
    daily.set_defaults(func=cmd_daily)
    save = sub.add_parser("backup", help="save the database to one file (mode 0600)")
    save.add_argument(
        "--output", help="file or folder (default: PARCOURS_DATA_DIR/backups/)", default=None
    )
    save.set_defaults(func=cmd_backup)
    restore = sub.add_parser("restore", help="replace the database by a backup")
    restore.add_argument("path", help="a file written by `parcours backup`")
    restore.add_argument("--force", action="store_true", help="do not ask for confirmation")
    restore.set_defaults(func=cmd_restore)
    log = sub.add_parser(
        "import-log",
        help="import an event log (XES or CSV) into a customer-journey association, all or nothing",
    )
    log.add_argument("file")
    log.add_argument("--mapping", required=True, help="TOML file: log activities -> kinds")
    log.add_argument("--association", required=True, help="the association's slug")
    log.add_argument("--dry-run", action="store_true", help="check only, write nothing")
    log.add_argument("--duplicates", default="ask", choices=["ask", "link", "skip"])
    log.add_argument("--user", default="", help="login recorded as the importer")
    log.set_defaults(func=cmd_import_log)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
