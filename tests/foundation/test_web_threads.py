"""A web process starts no threads: background work belongs to `hindsight worker`."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

SERVE_A_FEW_REQUESTS = """
import io, threading
from django.core.management import call_command
import hindsight.wsgi as wsgi
call_command("migrate", verbosity=0)
from hindsight.web.demo import seed
seed(web_url="http://127.0.0.1:8000/")  # changes that queue publishing and notifications
for path in ("/healthz", "/status/", "/api/v2/summary.json", "/accounts/login/"):
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": path, "SERVER_NAME": "127.0.0.1",
               "SERVER_PORT": "8000", "HTTP_HOST": "127.0.0.1:8000", "wsgi.input": io.BytesIO(),
               "wsgi.url_scheme": "http", "wsgi.errors": io.StringIO()}
    b"".join(wsgi.application(environ, lambda status, headers, exc_info=None: None))
print(sorted(t.name for t in threading.enumerate()))
"""


def test_the_wsgi_application_runs_no_thread_but_the_main_one(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("HINDSIGHT_")}
    env.update(HINDSIGHT_DATA_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="hindsight.settings")
    done = subprocess.run(
        [sys.executable, "-c", SERVE_A_FEW_REQUESTS],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "['MainThread']"
