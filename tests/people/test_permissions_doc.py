"""PERMISSIONS.md is the policy table rendered: the committed file equals the command's
output (as ``makemigrations --check`` holds the migrations to the models)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from sahayata.people import policy
from sahayata.people.management.commands.permissions_doc import default_path


def test_the_committed_permissions_md_is_the_table() -> None:
    assert default_path().read_text(encoding="utf-8") == policy.markdown(), (
        "PERMISSIONS.md is out of date: run manage.py permissions_doc"
    )
    call_command("permissions_doc", "--check", verbosity=0)


def test_the_check_fails_on_a_file_that_differs(tmp_path: Path) -> None:
    stale = tmp_path / "PERMISSIONS.md"
    call_command("permissions_doc", "--output", str(stale), verbosity=0)
    call_command("permissions_doc", "--check", "--output", str(stale), verbosity=0)
    stale.write_text(stale.read_text(encoding="utf-8").replace("own centre", "all", 1))
    with pytest.raises(CommandError, match="permissions_doc"):
        call_command("permissions_doc", "--check", "--output", str(stale), verbosity=0)


def test_every_action_and_endpoint_is_in_the_document() -> None:
    text = policy.markdown()
    for code in policy.ACTIONS:
        assert f"| `{code}` |" in text
    for endpoint in policy.ENDPOINTS:
        assert f"| `{endpoint}` |" in text
