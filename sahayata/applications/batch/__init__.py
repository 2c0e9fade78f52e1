"""The batch path of applications, for the network simulator: bulk writing only.

What a submission or a workflow step produces is decided by ``plans``, the rules the
counter (``services.application_submit``, ``services.application_act``) asks too; numbers
come from ``numbering.numbers_take``, the counter's own. This module only writes those
plans for many applications in one transaction: bulk inserts, grouped updates, and the
wallet's batch path with the same transfer ids.

Left out on purpose (``tests/applications/test_equivalence.py`` names each): notices (a
simulated citizen receives no SMS) and certificates (a signed certificate for a person
who does not exist would verify as genuine on /verify/). The adapter call of a bill or a
challan is recorded, and settled by the simulated decision, as the dispatcher would.
"""

from sahayata.applications.batch.decide import applications_decide_batch
from sahayata.applications.batch.items import (
    APPROVE,
    EXPIRE,
    FAIL,
    REJECT,
    BatchError,
    Decision,
    NewApplication,
    ServicePlan,
    Submitted,
    service_plan,
    workflow_path,
)
from sahayata.applications.batch.submit import applications_submit_batch

__all__ = [
    "APPROVE",
    "EXPIRE",
    "FAIL",
    "REJECT",
    "BatchError",
    "Decision",
    "NewApplication",
    "ServicePlan",
    "Submitted",
    "applications_decide_batch",
    "applications_submit_batch",
    "service_plan",
    "workflow_path",
]
