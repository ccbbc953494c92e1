"""Signals of the action items; sent inside the change's transaction, so a receiver
that writes rows (a tracker push in the outbox) commits with it."""

from django.dispatch import Signal

# Sent after a person or the worker changed an item, with item=<ActionItem>,
# changes={field: [old, new]} and actor=<User or None>.
action_item_changed = Signal()
