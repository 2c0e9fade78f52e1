"""Demo people: two operators per centre, a few supervisors, two officers per department,
district nodal officers, two finance officers (maker-checker needs two), an auditor and
an administrator.

Every demo login has the password ``sahayata-demo``. It is for the demo only: never
load the demo data into a real deployment. The finance officers and the administrator
need a second factor: they share the public demo TOTP key ``DEMO_TOTP_SECRET`` (add it to
an authenticator app, or print the current code with ``manage.py demo_otp_code``).
"""

from __future__ import annotations

from base64 import b32encode
from typing import Any

from django.contrib.auth.hashers import make_password
from django_otp.plugins.otp_totp.models import TOTPDevice

from sahayata.catalogue.models import Department
from sahayata.people.models import Role, User
from sahayata.people.services import user_create
from sahayata.places.models import Centre, District

DEMO_PASSWORD = "sahayata-demo"  # noqa: S105 - documented demo-only password
# The demo-only TOTP key of the demo finance officers and administrator (20 bytes, public).
DEMO_TOTP_KEY = b"sahayata-demo-totp!!"
DEMO_TOTP_SECRET = b32encode(DEMO_TOTP_KEY).decode()
DEMO_SECOND_FACTOR_USERS = ("finance", "finance2", "admin")
SUPERVISED_DISTRICTS = ("KOL", "HWH", "N24", "S24", "DJL")
NODAL_DISTRICTS = ("KOL", "HWH")
KEY_DEPARTMENTS = ("WCD", "BCW", "HFW", "LLR", "POW", "FIN")

# Common Bengali names for the demo staff; (given name, surname).
_NAMES = [
    ("Rina", "Das"), ("Amit", "Roy"), ("Sumana", "Ghosh"), ("Partha", "Mondal"),
    ("Moumita", "Saha"), ("Subhajit", "Paul"), ("Ayesha", "Khatun"), ("Debasish", "Sarkar"),
    ("Tanusree", "Biswas"), ("Rafiqul", "Islam"), ("Priyanka", "Bose"), ("Sanjay", "Majhi"),
]  # fmt: skip


def _name(index: int) -> tuple[str, str]:
    return _NAMES[index % len(_NAMES)]


class _Seeder:
    def __init__(self) -> None:
        self.password_hash = make_password(DEMO_PASSWORD)
        self.existing = set(User.objects.values_list("username", flat=True))
        self.created = 0
        self.index = 0

    def user(self, username: str, role: str, **places: Any) -> None:
        self.index += 1
        if username in self.existing:
            return
        first, last = _name(self.index)
        user_create(
            username=username,
            role=role,
            password_hash=self.password_hash,
            first_name=first,
            last_name=last,
            **places,
        )
        self.existing.add(username)
        self.created += 1


def operator_username(centre_code: str, number: int) -> str:
    return f"op-{centre_code.lower()}-{number}"


def seed_demo(*, stdout: Any, quiet: bool = False) -> None:
    seeder = _Seeder()
    centres = list(Centre.objects.select_related("district").order_by("code"))
    supervised: set[str] = set()
    for centre in centres:
        for number in (1, 2):
            seeder.user(operator_username(centre.code, number), Role.OPERATOR, centre=centre)
        if centre.district.code in SUPERVISED_DISTRICTS and centre.district.code not in supervised:
            supervised.add(centre.district.code)
            seeder.user(f"sup-{centre.code.lower()}", Role.SUPERVISOR, centre=centre)
    for department in Department.objects.order_by("code"):
        # Two per department: the officer who verifies an application never approves it.
        for suffix in ("", "-2"):
            seeder.user(
                f"officer-{department.code.lower()}{suffix}", Role.OFFICER, department=department
            )
    for district in District.objects.filter(code__in=NODAL_DISTRICTS).order_by("code"):
        seeder.user(f"district-{district.code.lower()}", Role.DISTRICT, district=district)
    seeder.user("finance", Role.FINANCE)
    seeder.user("finance2", Role.FINANCE)
    seeder.user("auditor", Role.AUDITOR)
    seeder.user("admin", Role.ADMIN)
    for user in User.objects.filter(username__in=DEMO_SECOND_FACTOR_USERS):
        if not TOTPDevice.objects.filter(user=user).exists():
            TOTPDevice.objects.create(
                user=user, name="demo", key=DEMO_TOTP_KEY.hex(), confirmed=True
            )
    if quiet:
        return
    stdout.write(f"People: {seeder.created} demo users created ({len(seeder.existing)} in all)")
    stdout.write(login_table(centres))


def login_table(centres: list[Centre]) -> str:
    rows = [("admin", "Administrator (Django admin at /admin/)")]
    for centre in centres[:1] + [c for c in centres if c.code.startswith("KOL")][:1]:
        rows.append((operator_username(centre.code, 1), f"Operator, {centre.name_en}"))
    first_kol = next((c for c in centres if c.code.startswith("KOL")), None)
    if first_kol is not None:
        rows.append((f"sup-{first_kol.code.lower()}", f"Supervisor, {first_kol.name_en}"))
    for code in KEY_DEPARTMENTS:
        department = Department.objects.filter(code=code).first()
        if department is not None:
            rows.append((f"officer-{code.lower()}", f"Officer, {department.name_en}"))
    rows += [
        ("district-kol", "District nodal officer, Kolkata"),
        ("finance", "State finance officer (maker or checker)"),
        ("finance2", "Second finance officer (the other side of maker-checker)"),
        ("auditor", "Auditor (read-only)"),
    ]
    width = max(len(username) for username, _ in rows)
    lines = [
        "",
        f"Demo logins (password for all: {DEMO_PASSWORD} -- demo only):",
        *(f"  {username.ljust(width)}  {what}" for username, what in rows),
        "  (every centre has op-<centre code>-1 and -2;"
        " every department officer-<code> and officer-<code>-2)",
        "",
        "finance, finance2 and admin then ask for a two-factor code: add the demo key",
        f"  {DEMO_TOTP_SECRET}",
        "to an authenticator app, or print the current code with",
        "  .venv/bin/python manage.py demo_otp_code finance",
        "",
    ]
    return "\n".join(lines)
