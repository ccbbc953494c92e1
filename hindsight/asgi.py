"""ASGI entry point (for ASGI servers; `hindsight serve` uses WSGI on granian)."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hindsight.settings")
application = get_asgi_application()
