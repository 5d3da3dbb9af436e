"""Text messages: a small interface with a file backend (the default, like the mail file backend)
and an in-memory one for tests, chosen by ``SMS_BACKEND``. A provider's backend implements ``send``."""

import time
from pathlib import Path

from django.conf import settings
from django.utils.module_loading import import_string


class FileBackend:
    """Writes each message to a file in ``SMS_FILE_PATH`` (default ``var/sms/``)."""

    def send(self, *, to: str, text: str) -> None:
        folder = Path(getattr(settings, "SMS_FILE_PATH", settings.VAR_DIR / "sms"))
        folder.mkdir(parents=True, exist_ok=True)
        name = f"{time.strftime('%Y%m%d-%H%M%S')}-{time.monotonic_ns()}.txt"
        (folder / name).write_text(f"To: {to}\n\n{text}\n", encoding="utf-8")


class MemoryBackend:
    """Keeps messages in ``MemoryBackend.outbox`` (a list of dicts), like Django's locmem mail backend."""

    outbox: list[dict] = []

    def send(self, *, to: str, text: str) -> None:
        MemoryBackend.outbox.append({"to": to, "text": text})


def sms_send(*, to: str, text: str) -> None:
    backend = import_string(getattr(settings, "SMS_BACKEND", "home.sms.FileBackend"))
    backend().send(to=to, text=text)
