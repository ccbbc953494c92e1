"""Signals of the action items; sent inside the change's transaction, so a receiver
that writes rows (a tracker push in the outbox) commits with it."""

from django.dispatch import Signal

# Sent after a person or the worker changed an item, with item=<ActionItem>,
# changes={field: [old, new]}, actor=<User or None> and from_tracker=<bool> (the change
# came from the issue tracker, so it is not pushed back).
action_item_changed = Signal()
