"""WSGI entry point used by `hindsight serve` (granian)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hindsight.settings")
application = get_wsgi_application()
