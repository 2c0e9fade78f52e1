"""SMS gateways. A real gateway implements ``SmsBackend``; development writes to a file.

``settings.SAHAYATA_SMS_BACKEND`` names the class (dotted path); the default appends
each message to ``var/outbox-sms.log``. E-mail goes through Django's e-mail backend.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Protocol

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

DEFAULT_BACKEND = "sahayata.notifications.backends.FileSmsBackend"


class SmsError(Exception):
    """The gateway refused or could not be reached; the message stays in the outbox."""


class SmsBackend(Protocol):
    def send(self, *, to: str, body: str, reference: str = "") -> str:
        """Send one SMS and return the gateway's message id."""
        ...


class FileSmsBackend:
    """Appends messages to a log file (development and demos): nothing leaves the machine."""

    _lock = threading.Lock()

    def __init__(self) -> None:
        default = Path(settings.VAR_DIR) / "outbox-sms.log"
        self.path = Path(getattr(settings, "SAHAYATA_SMS_FILE", default))

    def send(self, *, to: str, body: str, reference: str = "") -> str:
        stamp = timezone.localtime().isoformat(timespec="seconds")
        line = f"{stamp}\t+91{to}\t{reference}\t{body.replace(chr(10), ' | ')}\n"
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as handle:
                handle.write(line)
        return f"file:{reference}"


class ConsoleSmsBackend:
    def send(self, *, to: str, body: str, reference: str = "") -> str:
        print(f"SMS to +91{to} [{reference}]: {body}")
        return f"console:{reference}"


class MemorySmsBackend:
    """Keeps messages in memory: for tests."""

    outbox: list[dict[str, str]] = []

    def send(self, *, to: str, body: str, reference: str = "") -> str:
        self.outbox.append({"to": to, "body": body, "reference": reference})
        return f"memory:{len(self.outbox)}"


def sms_backend() -> SmsBackend:
    backend: type[SmsBackend] = import_string(
        getattr(settings, "SAHAYATA_SMS_BACKEND", DEFAULT_BACKEND)
    )
    return backend()
