"""The layers: ``core`` and ``api`` are libraries that know no domain app.

What wires the apps together lives in ``sahayata.site``. Every import in the two library
packages is read with ``ast`` (top-level, inside functions, relative, and module paths
handed to ``importlib.import_module``), so a lazy import cannot slip through.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "sahayata"
LIBRARIES = {"core": {"core"}, "api": {"core", "api"}}
# The domain apps: every app package under sahayata/ except the libraries and the root.
DOMAIN_APPS = sorted(
    path.parent.name
    for path in PACKAGE.glob("*/apps.py")
    if path.parent.name not in {*LIBRARIES, "site"}
)


def imported_modules(source: str, *, module: str) -> list[tuple[int, str]]:
    """``(line, dotted name)`` of every module that ``source`` (the module ``module``) imports."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = module.split(".")[: -node.level]
                base = ".".join([*parent, base] if base else parent)
            found += [(node.lineno, f"{base}.{alias.name}") for alias in node.names]
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute | ast.Name)
            and getattr(node.func, "attr", getattr(node.func, "id", None)) == "import_module"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            found.append((node.lineno, node.args[0].value))
    return found


def upward_imports(library: str) -> list[str]:
    allowed = LIBRARIES[library]
    problems = []
    for path in sorted((PACKAGE / library).rglob("*.py")):
        relative = path.relative_to(PACKAGE.parent)
        module = ".".join(relative.with_suffix("").parts)
        for line, name in imported_modules(path.read_text(), module=module):
            parts = name.split(".")
            if parts[0] == "sahayata" and len(parts) > 1 and parts[1] not in allowed:
                problems.append(f"{relative}:{line} imports {name}")
    return problems


def test_the_domain_apps_are_found() -> None:
    # Guards the test itself: an empty list would let every import through.
    assert {"applications", "wallet", "people", "places", "transparency"} <= set(DOMAIN_APPS)


@pytest.mark.parametrize("library", sorted(LIBRARIES))
def test_library_imports_no_domain_app(library: str) -> None:
    assert upward_imports(library) == []


@pytest.mark.parametrize(
    "source",
    [
        "from sahayata.wallet.models import Wallet",
        "import sahayata.places.models",
        "def job():\n    from sahayata.applications import services\n",
        "from ...people import models",  # relative, from sahayata/core/x/y.py
        "import importlib\nimportlib.import_module('sahayata.transparency.demo')",
        "from sahayata import catalogue",
    ],
)
def test_the_reader_sees_each_kind_of_import(source: str) -> None:
    names = [name for _, name in imported_modules(source, module="sahayata.core.x.y")]
    assert any(name.split(".")[:2][-1] in DOMAIN_APPS for name in names), names


def test_the_reader_allows_the_libraries_and_django() -> None:
    source = (
        "from django.db import models\nfrom sahayata.core.money import rupees\nfrom . import ids\n"
    )
    names = [name for _, name in imported_modules(source, module="sahayata.core.errors")]
    assert names == ["django.db.models", "sahayata.core.money.rupees", "sahayata.core.ids"]


# Where code may ask which database it is on.
VENDOR_ALLOWED = {"sahayata/core/dialect.py"}


def vendor_questions(source: str) -> list[int]:
    """Lines of ``source`` that read a connection's ``vendor`` (``connection.vendor``,
    ``db.vendor``, ``getattr(x, "vendor")``)."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        reads_attribute = isinstance(node, ast.Attribute) and node.attr == "vendor"
        if reads_attribute or (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "getattr"
            and len(node.args) >= 2
            and isinstance(node.args[1], ast.Constant)
            and node.args[1].value == "vendor"
        ):
            lines.append(node.lineno)
    return lines


def test_only_the_dialect_module_branches_on_the_database() -> None:
    problems = [
        f"{path.relative_to(PACKAGE.parent)}:{line}"
        for path in sorted(PACKAGE.rglob("*.py"))
        if str(path.relative_to(PACKAGE.parent)) not in VENDOR_ALLOWED
        for line in vendor_questions(path.read_text())
    ]
    assert problems == []


@pytest.mark.parametrize(
    "source",
    [
        "if connection.vendor == 'postgresql':\n    pass\n",
        "x = connections['default'].vendor != 'sqlite'\n",
        "getattr(db, 'vendor')\n",
    ],
)
def test_the_reader_sees_each_vendor_question(source: str) -> None:
    assert vendor_questions(source) == [1]
