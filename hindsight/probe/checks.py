"""The four check kinds, one async function each; `runner.run_check` picks by `spec.kind`.

http and keyword checks live in `http` (on `wire`, a lean HTTP/1.1 client), tls and
tcp in `socket_checks` (raw asyncio connections); this module is the one place to import them from.
"""

from hindsight.probe.http import check_http, make_session
from hindsight.probe.socket_checks import check_tcp, check_tls, trusting

__all__ = ["check_http", "check_tcp", "check_tls", "make_session", "trusting"]
