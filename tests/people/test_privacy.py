"""An Aadhaar number is in no table: register citizens by every path, then read every
column of every table of the database and look for the clear number."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from sahayata.people.models import Citizen
from sahayata.people.services import citizen_register
from tests.factories import UserFactory, valid_aadhaar


def _all_text_in_the_database() -> list[tuple[str, str, str]]:
    """(table, column, value as text) of every non-null value of every table."""
    found = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            columns = [
                column.name
                for column in connection.introspection.get_table_description(cursor, table)
            ]
            quoted = ", ".join(connection.ops.quote_name(name) for name in columns)
            cursor.execute(f"SELECT {quoted} FROM {connection.ops.quote_name(table)}")  # noqa: S608 - names come from the database's own catalogue
            for row in cursor.fetchall():
                for name, value in zip(columns, row, strict=True):
                    if value is None:
                        continue
                    if isinstance(value, memoryview):
                        value = value.tobytes()
                    if isinstance(value, bytes):
                        value = value.decode("latin-1")
                    found.append((table, name, str(value)))
    return found


@pytest.mark.django_db
def test_no_clear_aadhaar_number_in_any_table(client: Client) -> None:
    numbers = [valid_aadhaar(n) for n in (5831907264, 6192837465, 7301928374, 8846152037)]
    # 1. The service, with the number written in three common ways.
    citizen_register(name_en="Rina Das", mobile="9830012345", aadhaar=numbers[0])
    spaced = f"{numbers[1][:4]} {numbers[1][4:8]} {numbers[1][8:]}"
    citizen_register(name_en="Amit Roy", mobile="9830012346", aadhaar=spaced)
    hyphenated = f"{numbers[2][:4]}-{numbers[2][4:8]}-{numbers[2][8:]}"
    citizen_register(name_en="Sumana Ghosh", mobile="9830012347", aadhaar=hyphenated)
    # 2. The admin's citizen form, with a session stored in the database.
    client.force_login(UserFactory(role="admin"))
    response = client.post(
        reverse("admin:people_citizen_add"),
        {"name_en": "Partha Mondal", "mobile": "9830012348", "aadhaar": numbers[3]},
    )
    assert response.status_code == 302
    # 3. A duplicate attempt, which must not leave the number behind either.
    response = client.post(
        reverse("admin:people_citizen_add"),
        {"name_en": "Someone", "mobile": "9830012349", "aadhaar": numbers[3]},
    )
    assert response.status_code == 200
    assert Citizen.objects.count() == 4
    assert sorted(Citizen.objects.values_list("aadhaar_masked", flat=True)) == sorted(
        f"XXXX-XXXX-{n[-4:]}" for n in numbers
    )

    values = _all_text_in_the_database()
    tables = {table for table, _column, _value in values}
    assert "people_citizen" in tables and "django_session" in tables
    scanned = {value for _table, _column, value in values}
    assert f"XXXX-XXXX-{numbers[0][-4:]}" in scanned and "9830012345" in scanned  # it reads
    for number in numbers:
        for table, column, value in values:
            squeezed = value.replace(" ", "").replace("-", "")
            assert number not in squeezed, (table, column)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "kept", "not_kept"),
    [
        ("en", ["last 4 digits", "keyed hash"], "only its last 4 digits are kept"),
        ("bn", ["শেষ ৪টি অঙ্ক", "হ্যাশ"], "শুধু শেষ ৪টি অঙ্ক রাখা হয়)"),
    ],
)
def test_the_counter_says_what_is_kept_of_an_aadhaar_number(
    client: Client, language: str, kept: list[str], not_kept: str
) -> None:
    # What is stored (people.models.Citizen): the masked form and a keyed hash, no more.
    stored = {field.name for field in Citizen._meta.get_fields() if "aadhaar" in field.name}
    assert stored == {"aadhaar_masked", "aadhaar_hmac"}
    client.force_login(UserFactory(role="operator"))
    client.cookies["django_language"] = language
    page = client.get(reverse("applications:counter")).content.decode()
    label = page.split('<label for="aadhaar">', 1)[1].split("</label>", 1)[0]
    for words in kept:
        assert words in label
    assert not_kept not in label
