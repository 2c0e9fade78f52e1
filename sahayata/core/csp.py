"""The Content-Security-Policy's exceptions, each made by the one response that needs it.

The policy itself is ``CONTENT_SECURITY_POLICY`` in the settings: our own origin only, no
inline script or style. A response that must carry an inline style (a standalone SVG, which
cannot link a stylesheet and still render alone) allows exactly that style by its hash.
"""

from __future__ import annotations

import base64
import hashlib

from django.http import HttpResponseBase


def source_hash(text: str) -> str:
    """The CSP hash-source of an inline ``<style>`` or ``<script>`` element's text."""
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"


def policy_replace(response: HttpResponseBase, directives: dict[str, list[str]]) -> None:
    """Replace these directives of the policy for this response only (django-csp reads
    what its ``csp_replace`` decorator would set; here the values are known only once the
    response is made)."""
    response._csp_replace = directives  # type: ignore[attr-defined]
