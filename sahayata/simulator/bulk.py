"""The simulator's bulk load: which tables it loads without their secondary indexes.

A simulation into an empty database (no application and no transfer yet) may drop the
secondary indexes, foreign keys and checks of the tables it fills by the million, load, and
build them again at the end (``sahayata.core.bulkload``), ending in the schema the
migrations create. ``manage.py simulate`` does so by default (``--keep-indexes`` not to);
``simulation_run(defer_indexes=True)`` is the same from code.
"""

from __future__ import annotations

from django.db.models import Model

from sahayata.applications.models import Application, ApplicationFee, ApplicationHistory
from sahayata.audit.models import AuditEvent
from sahayata.core.bulkload import Deferrable, deferrables
from sahayata.integrations.models import AdapterCall
from sahayata.transparency.models import RollupEvent
from sahayata.wallet.models import Transfer

# The tables with rows per application, payment or decision (the 300 × 20 benchmark
# history: 0.14 M transfers, 0.1 M applications, 0.2 M audit events…). The others (centres,
# accounts, top-ups, rollup cells, hold timeouts) stay small or are read by key as they grow.
BIG_MODELS: tuple[type[Model], ...] = (
    Application,
    ApplicationFee,
    ApplicationHistory,
    AdapterCall,
    AuditEvent,
    RollupEvent,
    Transfer,
)

# Secondary indexes the load itself reads, kept through it (found by the query plans of a
# simulated run with every other index dropped: tests/simulator/test_deferred_schema.py).
KEEP: tuple[str, ...] = ()


def deferred_items() -> list[Deferrable]:
    """The indexes and constraints a simulation into an empty database builds at the end."""
    return deferrables(BIG_MODELS, keep=KEEP)
