"""What the navigation shows beside "Action items": the signed-in user's open items."""

from __future__ import annotations

from hindsight.actions.filters import OPEN
from hindsight.actions.models import ActionItem


def open_items_of(user: object) -> int:
    """How many open or in-progress items the user owns (0 for nobody signed in)."""
    if not getattr(user, "is_authenticated", False):
        return 0
    return ActionItem.objects.filter(owner_id=getattr(user, "pk", None), status__in=OPEN).count()
