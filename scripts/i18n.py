"""Bengali and English messages, one catalogue per app.

    python scripts/i18n.py            compile every app's locale/bn .po into .mo (Babel)
    python scripts/i18n.py --update   run makemessages in every app first
    python scripts/i18n.py --check    update, then fail on any untranslated or fuzzy string
    python scripts/i18n.py --fill F   fill empty translations from F (lines "msgid<TAB>msgstr")

Each app under sahayata/ keeps its own ``locale/bn/LC_MESSAGES/django.po``, so that a
change to one part of the domain touches only that part's catalogue. ``--update`` and
``--check`` need GNU gettext (xgettext); compiling needs only Babel.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
APPS = sorted(p.parent for p in (ROOT / "sahayata").glob("*/apps.py"))


def update(app: Path) -> None:
    (app / "locale").mkdir(exist_ok=True)
    # makemessages is a development tool: development settings unless told otherwise.
    env = {"DEBUG": "1", **os.environ}
    env.update(DJANGO_SETTINGS_MODULE="sahayata.settings", PYTHONPATH=str(ROOT))
    subprocess.run(  # noqa: S603 - fixed argv, our own manage.py
        [
            sys.executable,
            str(ROOT / "manage.py"),
            "makemessages",
            "-l",
            "bn",
            "--no-location",
            "--no-obsolete",
            "--ignore=migrations/*",
            "--ignore=tests/*",
        ],
        cwd=app,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )


def problems(po_path: Path) -> list[str]:
    with po_path.open("rb") as handle:
        catalog = read_po(handle, locale="bn")
    found = []
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        msgid = message.id[0] if isinstance(message.id, tuple) else message.id
        if message.fuzzy:
            found.append(f"fuzzy: {msgid!r}")
        elif not all(strings):
            found.append(f"untranslated: {msgid!r}")
    return found


def compile_po(po_path: Path) -> None:
    with po_path.open("rb") as handle:
        catalog = read_po(handle, locale="bn")
    with po_path.with_suffix(".mo").open("wb") as handle:
        write_mo(handle, catalog)


def fill(po_path: Path, translations: dict[str, str]) -> int:
    with po_path.open("rb") as handle:
        catalog = read_po(handle, locale="bn")
    filled = 0
    for message in catalog:
        msgid = message.id
        if isinstance(msgid, str) and msgid in translations and not message.string:
            message.string = translations[msgid]
            filled += 1
    if filled:
        with po_path.open("wb") as handle:
            write_po(handle, catalog, width=0, omit_header=False)
    return filled


def read_tsv(path: Path) -> dict[str, str]:
    pairs = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if "\t" in line and not line.startswith("#"):
            msgid, msgstr = line.split("\t", 1)
            pairs[msgid] = msgstr
    return pairs


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--update", action="store_true")
    parser.add_argument("--check", action="store_true")
    parser.add_argument("--fill", type=Path)
    args = parser.parse_args()
    translations = read_tsv(args.fill) if args.fill else {}
    if (args.update or args.check) and shutil.which("xgettext") is None:
        print("GNU gettext is needed: apt-get install -y gettext", file=sys.stderr)
        return 2
    failures: list[str] = []
    for app in APPS:
        if args.update or args.check:
            update(app)
        po_path = app / "locale" / "bn" / "LC_MESSAGES" / "django.po"
        if not po_path.exists():
            continue
        if translations:
            fill(po_path, translations)
        if args.check:
            failures += [f"{po_path.relative_to(ROOT)}: {p}" for p in problems(po_path)]
        compile_po(po_path)
    if failures:
        print(f"{len(failures)} message(s) lack a Bengali translation:", file=sys.stderr)
        print("\n".join(failures), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
