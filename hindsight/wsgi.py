"""WSGI entry point used by `hindsight serve` (granian).

Status-page snapshots are served by ``SnapshotApp`` before a request enters
Django, so the public page keeps answering fast during a traffic spike and
while the database is down (see docs/statuspage.md). Web processes start no
threads: background work runs in `hindsight worker` (docs/architecture.md).
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hindsight.settings")
django_application = get_wsgi_application()

from django.conf import settings  # noqa: E402  (after Django is set up)

from hindsight.statuspage.static import wrap  # noqa: E402

application = wrap(django_application, settings.DATA_DIR, settings.BASE_URL)
