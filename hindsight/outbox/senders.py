"""Senders: how a delivery of each kind leaves Hindsight.

A sender is registered once by the app that owns the destination (the
notification channels, the status-page subscribers, later the issue
trackers), exactly as an extension would register one. It gets the delivery
row and either returns (sent) or raises one of the errors below.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hindsight.outbox.models import Delivery


class DeliveryError(Exception):
    """Not delivered; the message says why, in words a person can act on.

    ``destination_down`` (the default) means the destination itself failed —
    no answer, a 5xx, too many requests — so its other deliveries wait out the
    back-off too. False means the receiver refused this one message (a 4xx):
    only this delivery is retried later and the rest keep flowing.
    """

    def __init__(
        self, message: str, *, destination_down: bool = True, retry_after: float | None = None
    ) -> None:
        super().__init__(message)
        self.destination_down = destination_down
        # Seconds the receiver asked us to wait (a 429's Retry-After): never retried sooner.
        self.retry_after = retry_after


class Undeliverable(Exception):
    """The destination is gone (a channel deleted, a subscriber unsubscribed): drop it."""


@dataclass(frozen=True)
class Sender:
    name: str
    send: Callable[[Delivery], None]
    # Called once a delivery is given up (a dead letter), e.g. to disable a subscriber.
    on_dead: Callable[[Delivery], None] | None = None


SENDERS: dict[str, Sender] = {}


def register_sender(
    name: str, *, on_dead: Callable[[Delivery], None] | None = None
) -> Callable[[Callable[[Delivery], None]], Callable[[Delivery], None]]:
    """Register the function that sends deliveries whose ``sender`` is ``name``."""

    def decorator(send: Callable[[Delivery], None]) -> Callable[[Delivery], None]:
        SENDERS[name] = Sender(name=name, send=send, on_dead=on_dead)
        return send

    return decorator
