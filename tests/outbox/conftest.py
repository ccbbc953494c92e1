from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest

from hindsight.outbox import services
from hindsight.outbox.models import Delivery
from hindsight.outbox.senders import SENDERS, DeliveryError, register_sender
from tests.notifications.conftest import Recorder


@pytest.fixture
def recorder() -> Iterator[Recorder]:
    server = Recorder()
    yield server
    server.close()


@dataclass
class SilentServer:
    """A loopback server that accepts connections and never answers: a receiver that hangs."""

    url: str
    connections: list[socket.socket] = field(default_factory=list)


@pytest.fixture
def silent_server() -> Iterator[SilentServer]:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    server = SilentServer(url=f"http://127.0.0.1:{listener.getsockname()[1]}/hook")
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
            except OSError:
                continue
            server.connections.append(connection)  # held open, never answered

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server
    stop.set()
    thread.join(5)
    for connection in server.connections:
        connection.close()
    listener.close()


@dataclass
class Tally:
    """What the test sender was asked to send, by delivery id."""

    sent: list[str] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)  # delivery ids or destination keys refused
    lock: threading.Lock = field(default_factory=threading.Lock)


@pytest.fixture
def tally() -> Iterator[Tally]:
    """A sender ("tally") that records each delivery it sends, in memory."""
    record = Tally()

    def send(delivery: Delivery) -> None:
        if {delivery.destination.key, str(delivery.pk)} & record.refuse:
            raise DeliveryError("HTTP 400 from the test receiver", destination_down=False)
        with record.lock:
            record.sent.append(str(delivery.pk))

    register_sender("tally")(send)
    yield record
    SENDERS.pop("tally", None)


def queue(count: int, *, destinations: int = 1, prefix: str = "dest") -> list[Delivery]:
    """``count`` deliveries for the tally sender, spread over ``destinations``."""
    return [
        services.enqueue(
            sender="tally",
            destination=f"{prefix}:{n % destinations}",
            label=f"{prefix} {n % destinations}",
            event="test.message",
            payload={"n": n},
        )
        for n in range(count)
    ]
