"""Loaded with `-p tests.environment` before pytest-django configures Django:
point Hindsight at a throwaway data dir and at the test database."""

import atexit
import os
import shutil
import tempfile

_data_dir = tempfile.mkdtemp(prefix="hindsight-test-")
atexit.register(shutil.rmtree, _data_dir, True)

os.environ["DJANGO_SETTINGS_MODULE"] = "hindsight.settings"
os.environ["HINDSIGHT_DATA_DIR"] = _data_dir
os.environ["HINDSIGHT_SMTP_HOST"] = ""
_url = os.environ.get("HINDSIGHT_TEST_DATABASE_URL", "")
if _url:
    os.environ["HINDSIGHT_DATABASE_URL"] = _url
else:
    os.environ.pop("HINDSIGHT_DATABASE_URL", None)
