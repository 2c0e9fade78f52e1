"""Fixtures of the log's tests: a log key of their own, and a small paid history."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from sahayata.applications.models import Application
from sahayata.applications.services import application_act
from sahayata.catalogue.models import Service
from tests.factories.applications import Counter, counter, officer_of, submitted
from tests.factories.catalogue import paid_service


@pytest.fixture(autouse=True)
def log_key(settings: Any, tmp_path: Path) -> Path:
    path = tmp_path / "log-keys" / "log.pem"
    settings.SAHAYATA_LOG_KEY_PATH = str(path)
    settings.SAHAYATA_LOG_KEYRING_DIR = str(tmp_path / "log-keys" / "ring")
    return path


@pytest.fixture(autouse=True)
def _side_effects_in_tmp(settings: Any, tmp_path: Path) -> None:
    """SMS to a file of the test's own (the salt test reads it), uploads in a temp dir."""
    settings.SAHAYATA_SMS_BACKEND = "sahayata.notifications.backends.FileSmsBackend"
    settings.SAHAYATA_SMS_FILE = str(tmp_path / "outbox-sms.log")
    settings.MEDIA_ROOT = str(tmp_path / "uploads")


@dataclass
class History:
    at: Counter
    service: Service

    def approved(self, count: int = 1) -> list[Application]:
        officer = officer_of(self.service)
        done = []
        for _ in range(count):
            application = submitted(at=self.at, service=self.service)
            application_act(application=application, action="approve", actor=officer)
            done.append(application)
        return done

    def rejected(self) -> Application:
        application = submitted(at=self.at, service=self.service)
        application_act(
            application=application,
            action="reject",
            actor=officer_of(self.service),
            comment="Wrong plot",
        )
        return application


@pytest.fixture
def history(db: None) -> History:
    return History(at=counter(amount_paise=1_000_000), service=paid_service(amount_paise=4_000))


@pytest.fixture
def client() -> Client:
    return Client()
