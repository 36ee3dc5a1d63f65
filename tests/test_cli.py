"""`parcours serve` and the demo: gunicorn's access log holds no personal data."""

from __future__ import annotations

import io
import logging
from datetime import timedelta
from types import SimpleNamespace

from gunicorn.config import Config
from gunicorn.glogging import Logger

from parcours.cli import ACCESS_LOG_FORMAT, gunicorn_argv


def test_serve_passes_the_access_log_format_to_gunicorn():
    argv = gunicorn_argv("127.0.0.1:8000", 2, 4)
    args = Config().parser().parse_args(argv[1:])
    assert args.access_log_format == ACCESS_LOG_FORMAT


def test_an_access_log_line_has_no_query_string_nor_referrer():
    cfg = Config()
    cfg.set("access_log_format", ACCESS_LOG_FORMAT)
    cfg.set("accesslog", "-")
    logger = Logger(cfg)
    stream = io.StringIO()
    logger.access_log.handlers = [logging.StreamHandler(stream)]
    environ = {
        "REQUEST_METHOD": "GET", "RAW_URI": "/households/?q=Benali+0612345678",
        "PATH_INFO": "/households/", "QUERY_STRING": "q=Benali+0612345678",
        "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "192.0.2.7",
        "HTTP_REFERER": "http://127.0.0.1:8000/support/?q=Samira", "HTTP_USER_AGENT": "Firefox",
    }  # fmt: skip
    response = SimpleNamespace(status="200 OK", sent=1234, headers=[])
    logger.access(response, SimpleNamespace(headers=[]), environ, timedelta(milliseconds=12))
    line = stream.getvalue()
    assert '"GET /households/ HTTP/1.1" 200 1234 12ms' in line
    for personal in ("Benali", "0612345678", "Samira", "q=", "Firefox"):
        assert personal not in line


def test_demo_code_prints_the_current_code_of_the_demo_secret(capsys):
    import time

    import pyotp

    from parcours.cli import main
    from parcours.seed import DEMO_TOTP_SECRET

    if time.time() % 30 > 28:
        time.sleep(3)  # not across a 30-second boundary
    assert main(["demo-code"]) == 0
    assert capsys.readouterr().out.split()[0] == pyotp.TOTP(DEMO_TOTP_SECRET).now()


def test_a_served_process_keeps_its_startup_objects_out_of_the_collector(tmp_path):
    """config/wsgi.py (what gunicorn loads) freezes what startup allocated: a full collection
    during a request no longer walks Django and the apps (measured: ~35 ms of CPU before)."""
    import os
    import subprocess
    import sys

    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "parcours.config.settings_test",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }
    script = (
        "import gc\n"
        "import parcours.config.wsgi\n"
        "print(gc.get_freeze_count(), len(gc.get_objects()))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
    ).stdout.split()
    frozen, still_tracked = int(out[0]), int(out[1])
    assert frozen > 50_000  # Django and the apps
    assert still_tracked < frozen / 10  # what a full collection walks now
