"""Receive reports by email over SMTP until stopped: `manage.py receive_mail` (docs/channels.md)."""

import signal
import threading
from typing import Any

from django.core.management.base import BaseCommand

from inbound.listener import listener


class Command(BaseCommand):
    help = "Listen for reports by email (SMTP) on INBOUND_SMTP_HOST:INBOUND_SMTP_PORT until stopped."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--host", help="The address to listen on (default: INBOUND_SMTP_HOST).")
        parser.add_argument("--port", type=int, help="The port to listen on (default: INBOUND_SMTP_PORT).")

    def handle(self, *args: Any, **options: Any) -> None:
        server = listener(options.get("host"), options.get("port"))
        stop = threading.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stop.set())
        server.start()
        self.stdout.write(f"Receiving reports by email on {server.hostname}:{server.port} (Ctrl-C to stop).")
        try:
            stop.wait()
        finally:
            server.stop()
