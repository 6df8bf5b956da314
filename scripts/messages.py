"""Compile and check the translation catalogues without GNU gettext.

python scripts/messages.py compile   # locale/*/LC_MESSAGES/django.po -> .mo
python scripts/messages.py check     # fails on untranslated or fuzzy entries
"""

import sys
from pathlib import Path

import polib

LOCALE = Path(__file__).resolve().parent.parent / "locale"
LANGUAGES = ("fr", "nl")


def catalogues():
    for language in LANGUAGES:
        path = LOCALE / language / "LC_MESSAGES" / "django.po"
        if not path.is_file():
            sys.exit(f"{path} is missing: run `make messages` and translate it.")
        yield path, polib.pofile(str(path))


def compile_all() -> None:
    for path, po in catalogues():
        po.save_as_mofile(str(path.with_suffix(".mo")))


def check_all() -> int:
    problems = 0
    for path, po in catalogues():
        untranslated = [entry.msgid for entry in po.untranslated_entries()]
        fuzzy = [entry.msgid for entry in po.fuzzy_entries()]
        for msgid in untranslated:
            print(f"{path}: untranslated: {msgid!r}")
        for msgid in fuzzy:
            print(f"{path}: fuzzy: {msgid!r}")
        problems += len(untranslated) + len(fuzzy)
        print(
            f"{path}: {len(po.translated_entries())} translated, "
            f"{len(untranslated)} untranslated, {len(fuzzy)} fuzzy"
        )
    return 1 if problems else 0


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else "check"
    if command == "compile":
        compile_all()
    elif command == "check":
        sys.exit(check_all())
    else:
        sys.exit(__doc__)
