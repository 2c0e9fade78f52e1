"""Steps the replica and recovery tests run in a fresh Django process against their clusters.

``python tests/scale/driver.py STEP '{"json": "params"}'`` with ``DATABASE_URL`` (and
``DATABASE_REPLICA_URL``) set; prints one JSON line. Each step goes through the application
as a deployment runs it: the demo modules, the services, the HTML views through Django's
test client.
"""

from __future__ import annotations

import hashlib
import importlib
import io
import json
import os
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sahayata.settings")

import django

django.setup()

from django.db import connections  # noqa: E402
from django.test import Client  # noqa: E402

DEMO_PARTS = ["places", "catalogue", "people", "wallet"]


def seed(params: dict[str, Any]) -> dict[str, Any]:
    for part in DEMO_PARTS:
        importlib.import_module(f"sahayata.{part}.demo").seed_demo(stdout=io.StringIO(), quiet=True)
    return {"seeded": DEMO_PARTS}


def dashboard(params: dict[str, Any]) -> dict[str, Any]:
    """The public dashboard and one of its downloads, as a citizen's browser asks for them."""
    client = Client()
    page = client.get("/dashboard/", HTTP_ACCEPT_LANGUAGE="en")
    download = client.get("/dashboard/data/districts.csv")
    return {
        "page_status": page.status_code,
        "download_status": download.status_code,
        "download_sha256": hashlib.sha256(download.content).hexdigest(),
        "download_lines": download.content.decode().count("\n"),
        "replica_connected": "replica" in connections
        and connections["replica"].connection is not None,
    }


def topup(params: dict[str, Any]) -> dict[str, Any]:
    """A top-up requested by a centre's operator and approved by finance (maker-checker)."""
    from sahayata.people.models import User
    from sahayata.places.models import Centre
    from sahayata.wallet import services

    centre = Centre.objects.get(code=params["centre"])
    operator = User.objects.get(username=f"op-{centre.code.lower()}-1")
    finance = User.objects.get(username="finance")
    request = services.topup_request(
        centre=centre,
        amount_paise=params["amount_paise"],
        bank_reference=params["reference"],
        requested_by=operator,
    )
    approved = services.topup_approve(topup_id=request.pk, approved_by=finance)
    return {"topup": str(approved.pk), "transfer": str(approved.transfer_id)}


def readyz(params: dict[str, Any]) -> dict[str, Any]:
    """``/readyz`` as the load balancer asks for it."""
    response = Client().get("/readyz")
    return {"status": response.status_code, "body": json.loads(response.content)}


def auditor_api(params: dict[str, Any]) -> dict[str, Any]:
    """The auditor's API: a centre's wallet and statement, with a bearer token."""
    from sahayata.people.models import User
    from sahayata.people.tokens import api_token_create

    token = api_token_create(user=User.objects.get(username="auditor"))
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    wallet = client.get(f"/api/v1/centres/{params['centre']}/wallet")
    statement = client.get(f"/api/v1/centres/{params['centre']}/wallet/statement")
    return {
        "wallet_status": wallet.status_code,
        "balance_paise": json.loads(wallet.content).get("balance_paise"),
        "statement_status": statement.status_code,
    }


STEPS = {
    "seed": seed,
    "dashboard": dashboard,
    "topup": topup,
    "readyz": readyz,
    "auditor_api": auditor_api,
}

if __name__ == "__main__":
    answer = STEPS[sys.argv[1]](json.loads(sys.argv[2]) if len(sys.argv) > 2 else {})
    print(json.dumps(answer))
