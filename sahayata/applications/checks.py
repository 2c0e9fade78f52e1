"""Every application's fee against the wallet, for ``ledger_check``.

An application's fee lines must add up to its fee, and its holds in the wallet (pending
``service_fee`` transfers whose reference is its number) must be those lines: as many, the
same total, the same smallest and largest amount, all from its centre's wallet. Its hold
state must be what the transfers say: ``held`` none resolved, ``posted`` every hold posted
in full, ``voided`` every hold voided (or expired), ``none`` no hold at all. One set-based
query; only the disagreeing applications come back to Python.
"""

from __future__ import annotations

from sahayata.applications.models import Application, ApplicationFee, HoldState
from sahayata.core import dialect
from sahayata.wallet.ledger import Violation
from sahayata.wallet.models import Account, Transfer, TransferCode, TransferKind

CHECK = "application_fees_match_holds"
MAX_REPORTED = 200

_DISAGREEING = """
SELECT a.number, a.hold, a.fee_paise,
       COALESCE(f.n, 0), COALESCE(f.total, 0), COALESCE(h.n, 0), COALESCE(h.total, 0),
       COALESCE(h.posts, 0), COALESCE(h.posted, 0), COALESCE(h.voids, 0),
       h.debit_low, h.debit_high, w.id
FROM {application} a
LEFT JOIN (
    SELECT application_id, COUNT(*) AS n, SUM(amount_paise) AS total,
           MIN(amount_paise) AS low, MAX(amount_paise) AS high
    FROM {fee} GROUP BY application_id
) f ON f.application_id = a.id
LEFT JOIN (
    SELECT p.reference, COUNT(*) AS n, SUM(p.amount_paise) AS total,
           MIN(p.amount_paise) AS low, MAX(p.amount_paise) AS high,
           MIN(p.debit_account_id) AS debit_low, MAX(p.debit_account_id) AS debit_high,
           SUM(CASE WHEN r.kind = %(post)s THEN 1 ELSE 0 END) AS posts,
           SUM(CASE WHEN r.kind = %(post)s AND r.amount_paise = p.amount_paise
                    THEN r.amount_paise ELSE 0 END) AS posted,
           SUM(CASE WHEN r.kind = %(void)s THEN 1 ELSE 0 END) AS voids
    FROM {transfer} p LEFT JOIN {transfer} r ON r.pending_id = p.id
    WHERE p.kind = %(pending)s AND p.code = %(fee_code)s
    GROUP BY p.reference
) h ON h.reference = a.number
LEFT JOIN {account} w ON w.centre_id = a.centre_id
WHERE NOT (
    COALESCE(f.total, 0) = a.fee_paise
    AND COALESCE(h.n, 0) = COALESCE(f.n, 0)
    AND COALESCE(h.total, 0) = COALESCE(f.total, 0)
    AND COALESCE(h.low, 0) = COALESCE(f.low, 0)
    AND COALESCE(h.high, 0) = COALESCE(f.high, 0)
    AND (h.n IS NULL OR (h.debit_low = COALESCE(w.id, -1) AND h.debit_high = h.debit_low))
    AND CASE a.hold
        WHEN %(held)s THEN COALESCE(h.posts, 0) + COALESCE(h.voids, 0) = 0
        WHEN %(posted)s THEN COALESCE(h.posts, 0) = COALESCE(h.n, 0)
                             AND COALESCE(h.posted, 0) = COALESCE(h.total, 0)
        WHEN %(voided)s THEN COALESCE(h.voids, 0) = COALESCE(h.n, 0)
        WHEN %(none)s THEN h.n IS NULL
        ELSE 1 = 0 END
)
ORDER BY a.number
"""


def _problem(row: tuple) -> str:
    (_number, hold, fee, lines, lines_total, holds, held, posts, posted, voids,
     debit_low, debit_high, wallet) = row  # fmt: skip
    if lines_total != fee:
        return f"fee {fee} paise, its fee lines add up to {lines_total}"
    if holds != lines or held != lines_total:
        return f"{lines} fee lines of {lines_total} paise, {holds} holds of {held} in the wallet"
    if holds and (debit_low != wallet or debit_high != wallet):
        return f"its holds are not all from its centre's wallet {wallet}"
    if hold == HoldState.POSTED:
        return f"says posted; {posts} of {holds} holds posted, {posted} of {held} paise in full"
    if hold == HoldState.VOIDED:
        return f"says voided; {voids} of {holds} holds voided"
    if hold == HoldState.HELD:
        return f"says held; {posts} holds posted and {voids} voided"
    return f"hold state {hold!r} with {holds} holds"


def fees_check() -> list[Violation]:
    """Every application whose fee, fee lines, holds and hold state disagree."""
    sql = dialect.statement(
        _DISAGREEING,
        application=Application,
        fee=ApplicationFee,
        transfer=Transfer,
        account=Account,
    )
    params = {
        "post": TransferKind.POST_PENDING.value,
        "void": TransferKind.VOID_PENDING.value,
        "pending": TransferKind.PENDING.value,
        "fee_code": TransferCode.SERVICE_FEE.value,
        "held": HoldState.HELD.value,
        "posted": HoldState.POSTED.value,
        "voided": HoldState.VOIDED.value,
        "none": HoldState.NONE.value,
    }
    violations: list[Violation] = []
    count = 0
    for row in dialect.rows_fetch(sql, params, hash_joins=True):  # type: ignore[arg-type]
        count += 1
        if count <= MAX_REPORTED:
            violations.append(Violation(CHECK, f"application {row[0]}: {_problem(row)}"))
    if count > MAX_REPORTED:
        violations.append(Violation(CHECK, f"… {count - MAX_REPORTED} more applications"))
    return violations
