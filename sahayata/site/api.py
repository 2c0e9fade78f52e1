"""The JSON API, v1: the one error shape of ``sahayata.api`` and a router from each domain app.

Each app owns its endpoints in ``<app>/api.py``; this is where they are put together.
"""

from __future__ import annotations

from csp.decorators import csp_update
from django.conf import settings

from sahayata.api.main import SahayataAPI
from sahayata.applications.api import router as applications_router
from sahayata.catalogue.api import router as catalogue_router
from sahayata.certificates.api import router as certificates_router
from sahayata.ledgerlog.api import router as ledgerlog_router
from sahayata.places.api import router as places_router
from sahayata.transparency.api import router as transparency_router
from sahayata.wallet.api import router as wallet_router

api = SahayataAPI(
    title="Sahayata API",
    version="1",
    description=(
        "Integration contract for kiosk clients, department back ends and auditors. "
        "Money is integer paise. Errors: {error: {code, message, details}}."
    ),
    urls_namespace="api-v1",
    # Swagger UI's stylesheet draws its select arrows and toggles as data: images; the
    # docs page alone allows them (its scripts stay 'self' only).
    docs_decorator=csp_update({"img-src": ["data:"]}),
)

api.add_router("/", catalogue_router)
api.add_router("/", places_router)
api.add_router("/", wallet_router)
api.add_router("/", applications_router)
api.add_router("/", certificates_router)
api.add_router("/", transparency_router)
api.add_router("/", ledgerlog_router)

if settings.SAHAYATA_BENCH_CEILING:  # make loadtest only: see sahayata/site/ceiling.py
    from sahayata.site.ceiling import router as ceiling_router

    api.add_router("/", ceiling_router)
