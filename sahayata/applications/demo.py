"""Demo applications across every state, made through the real services. Idempotent.

Each demo application has a fixed submission token (``demo:<centre>:<n>``), so a second
run finds it instead of creating another; each scenario's later steps are taken only when
the application is still in the state they start from. Adapter-confirmed payments go to
the *simulated* back ends.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from sahayata.applications.dispatch import application_dispatch
from sahayata.applications.models import Application
from sahayata.applications.services import (
    application_act,
    application_submit,
    citizen_find_or_register,
)
from sahayata.applications.workflows import workflow_get
from sahayata.catalogue.models import Service
from sahayata.core.errors import DomainError
from sahayata.people.models import Role, User
from sahayata.places.models import Centre

DEMO_PREFIX = "demo:"

CITIZENS = (
    ("Mita Roy", "মিতা রায়", "9830012345"),
    ("Abdul Karim", "আবদুল করিম", "9433023456"),
    ("Sunita Mahato", "সুনীতা মাহাতো", "9734034567"),
    ("Prasenjit Ghosh", "প্রসেনজিৎ ঘোষ", "9051045678"),
    ("Rina Tudu", "রিনা টুডু", "8017056789"),
    ("Farida Begum", "ফরিদা বেগম", "9875067890"),
    ("Tapas Mondal", "তাপস মণ্ডল", "7908078901"),
    ("Ananya Sen", "অনন্যা সেন", "9007089012"),
)

# (workflow code, officer steps after submission)
SCENARIOS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("single_approval", ()),
    ("single_approval", ()),
    ("single_approval", ("approve",)),
    ("single_approval", ("reject",)),
    ("verify_approve", ()),
    ("verify_approve", ("verify",)),
    ("verify_approve", ("verify", "approve")),
    ("verify_approve", ("return",)),
    ("verify_approve", ("verify", "reject")),
    ("bill_payment", ()),
    ("bill_payment", ()),
    ("treasury_challan", ()),
)

COMMENTS = {
    "reject": "Documents do not show eligibility (demo).",
    "return": "Please attach a clearer copy of the identity proof (demo).",
}


def _services(workflow_code: str) -> list[Service]:
    services: QuerySet[Service] = Service.objects.filter(
        workflow_code=workflow_code, is_active=True, current_version__gt=0
    ).order_by("code")
    return list(services)


def _fields(service: Service) -> dict[str, Any]:
    return {
        field.name: int(field.example) if field.type == "paise" else field.example
        for field in service.form_fields.all()
    }


def _fee_of(service: Service) -> int:
    fields = _fields(service)
    total = 0
    for head in service.fee_heads.all():
        if head.amount_from_field:
            value = fields.get(head.amount_from_field)
            total += value if isinstance(value, int) else 0
        else:
            total += head.amount_paise
    return total


def _fund(centre: Centre, operator: User, needed_paise: int) -> None:
    """Top the wallet up through the maker-checker services when it is short."""
    from sahayata.wallet.selectors import centre_wallet, wallet_balance
    from sahayata.wallet.services import topup_approve, topup_request, wallet_open

    wallet = centre_wallet(centre=centre) or wallet_open(centre=centre)
    if wallet_balance(account=wallet).available_paise >= needed_paise:
        return
    finance = User.objects.filter(role=Role.FINANCE, is_active=True).order_by("username").first()
    if finance is None:
        return
    try:
        topup = topup_request(
            centre=centre,
            amount_paise=needed_paise + 50_000_00,
            bank_reference=f"DEMO-APP-{centre.code}",
            requested_by=operator,
        )
    except DomainError:
        return  # already requested by an earlier run
    topup_approve(topup_id=topup.pk, approved_by=finance)


def _step(application: Application, action: str, officer: User | None) -> None:
    workflow = workflow_get(application.workflow_code, application.workflow_version)
    if officer is None or workflow.action(application.status, action) is None:
        return
    application_act(
        application=application, action=action, actor=officer, comment=COMMENTS.get(action, "")
    )
    application.refresh_from_db()


def seed_demo(*, stdout: Any, quiet: bool = False) -> None:
    centres = list(Centre.objects.filter(is_active=True).order_by("code")[:3])
    by_workflow = {code: _services(code) for code, _steps in SCENARIOS}
    created = before = Application.objects.filter(client_token__startswith=DEMO_PREFIX).count()
    for centre_no, centre in enumerate(centres):
        operator = (
            User.objects.filter(role=Role.OPERATOR, centre=centre, is_active=True)
            .order_by("username")
            .first()
        )
        if operator is None:
            continue
        plan = []
        for n, (workflow_code, steps) in enumerate(SCENARIOS):
            services = by_workflow.get(workflow_code) or []
            if services:
                plan.append((n, services[(n + centre_no) % len(services)], steps))
        if not Application.objects.filter(
            client_token__startswith=f"{DEMO_PREFIX}{centre.code}:"
        ).exists():
            _fund(centre, operator, sum(_fee_of(service) for _n, service, _s in plan))
        for n, service, steps in plan:
            name_en, name_bn, mobile = CITIZENS[(n + centre_no * 3) % len(CITIZENS)]
            try:
                citizen = citizen_find_or_register(name=name_en, name_bn=name_bn, mobile=mobile)
                application = application_submit(
                    operator=operator,
                    centre=centre,
                    service=service,
                    citizen=citizen,
                    fields=_fields(service),
                    client_token=f"{DEMO_PREFIX}{centre.code}:{n}",
                )
            except DomainError as error:
                if not quiet:
                    stdout.write(f"  demo application skipped ({service.code}): {error.code}")
                continue
            if application.adapter_code:
                application_dispatch(application_no=application.number)
            officers = list(
                User.objects.filter(
                    role=Role.OFFICER, department_id=application.department_id, is_active=True
                ).order_by("username")[:2]
            )
            for action in steps:
                # The verifier never approves: the department's second officer does.
                second = action == "approve" and "verify" in steps and len(officers) > 1
                _step(application, action, officers[1 if second else 0] if officers else None)
    created = Application.objects.filter(client_token__startswith=DEMO_PREFIX).count() - before
    if not quiet:
        stdout.write(f"Applications: {created} demo applications created")
