"""Every check of the money in one call, for ``manage.py ledger_check`` and the auditor's
console: the ledger's invariants and top-ups (wallet), every application's fee against its
holds (applications), and the transparency log with the heads published outside the
database (ledgerlog)."""

from __future__ import annotations

from sahayata.applications.checks import fees_check
from sahayata.ledgerlog.checks import log_check
from sahayata.wallet.ledger import Violation, ledger_check


def ledger_checks(*, seal: bool = True) -> list[Violation]:
    return ledger_check(seal=seal) + fees_check() + log_check()
