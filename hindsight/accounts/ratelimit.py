"""Fixed-window rate limits kept in the database, so every web process shares them.

One row per key and window; a hit is one conditional UPDATE (or an INSERT for
the first hit of a window), so several processes count together without a
cache server. Old windows are deleted now and then by the hits themselves.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from hindsight.accounts.models import RateWindow


def hashed(key: str) -> str:
    """A key that names no address or token in the database."""
    return hashlib.sha256(f"{settings.SECRET_KEY}:{key}".encode()).hexdigest()


def hit(*, key: str, limit: int, window: timedelta, now: datetime | None = None) -> int:
    """Count one request for ``key``; return seconds to wait when over ``limit``, else 0."""
    now = now or timezone.now()
    seconds = int(window.total_seconds())
    start = datetime.fromtimestamp(now.timestamp() // seconds * seconds, tz=now.tzinfo)
    name = hashed(key)
    with transaction.atomic():
        updated = RateWindow.objects.filter(key=name, window_start=start).update(hits=F("hits") + 1)
        if not updated:
            try:
                with transaction.atomic():
                    RateWindow.objects.create(key=name, window_start=start, hits=1)
            except IntegrityError:  # another process created it first
                RateWindow.objects.filter(key=name, window_start=start).update(hits=F("hits") + 1)
            RateWindow.objects.filter(window_start__lt=now - timedelta(days=1)).delete()
        hits = RateWindow.objects.filter(key=name, window_start=start).values_list(
            "hits", flat=True
        )[0]
    if hits <= limit:
        return 0
    return max(1, int((start + window - now).total_seconds()))
