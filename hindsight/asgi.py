"""ASGI entry point `hindsight serve` runs on granian (see hindsight.front).

Requests are read on the event loop within bounded time and size; status-page
snapshots are answered there; Django (behind the snapshot server in
hindsight.wsgi) runs on a fixed pool of threads.
"""

from django.conf import settings

from hindsight import lifeline
from hindsight.front import Front
from hindsight.wsgi import application as wsgi_application

# A web worker of a killed `hindsight serve` must not keep the port.
lifeline.die_with_serve()

application = Front(
    wsgi_application,
    threads=settings.WEB_THREADS,
    body_timeout=settings.WEB_BODY_TIMEOUT_SECONDS,
    max_body=settings.WEB_MAX_BODY_BYTES,
    snapshots=wsgi_application,
)
