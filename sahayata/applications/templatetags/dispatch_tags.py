"""``waiting_for_back_end``: the fee is held while the worker asks the department's back end.

A request only records the back-end call; the worker makes it within seconds and then
posts or refunds the fee. Until then the acknowledgement and the tracking page say so.
"""

from __future__ import annotations

from django import template

from sahayata.applications.models import Application, HoldState
from sahayata.applications.workflows import workflow_get

register = template.Library()


@register.filter
def waiting_for_back_end(application: Application) -> bool:
    if application.hold != HoldState.HELD or not application.is_open:
        return False
    workflow = workflow_get(application.workflow_code, application.workflow_version)
    return bool(workflow.state(application.status).dispatch)
