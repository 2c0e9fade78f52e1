"""Test factories, one module per app. Import from here or from the app's module."""

from tests.factories.catalogue import (
    DepartmentFactory,
    FeeHeadFactory,
    FormFieldFactory,
    RequiredDocumentFactory,
    ServiceFactory,
    bill_service,
    free_service,
    paid_service,
    published,
)
from tests.factories.people import (
    TEST_PASSWORD,
    CitizenFactory,
    UserFactory,
    totp_code,
    valid_aadhaar,
)
from tests.factories.places import BlockFactory, CentreFactory, DistrictFactory

__all__ = [
    "TEST_PASSWORD",
    "BlockFactory",
    "CentreFactory",
    "CitizenFactory",
    "DepartmentFactory",
    "DistrictFactory",
    "FeeHeadFactory",
    "FormFieldFactory",
    "RequiredDocumentFactory",
    "ServiceFactory",
    "UserFactory",
    "bill_service",
    "free_service",
    "paid_service",
    "published",
    "totp_code",
    "valid_aadhaar",
]
