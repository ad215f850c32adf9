"""The project's catalogs are complete in Vietnamese and compiled.

Policy: msgids are English, so the English catalogs (``*/locale/en``) keep their msgstr
empty and gettext falls back to the msgid; only the Vietnamese catalogs must translate
every entry. A Vietnamese entry that is missing, empty or fuzzy fails here, and so does a
string in the code or templates that ``makemessages`` would add but nobody translated.
"""

import shutil
import subprocess
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.management import call_command

BASE = Path(settings.BASE_DIR)
LOCALE_DIRS = [Path(path) for path in settings.LOCALE_PATHS]
VI_CATALOGS = sorted(path for locale in LOCALE_DIRS for path in (locale / "vi" / "LC_MESSAGES").glob("*.po"))
ALL_CATALOGS = sorted(path for locale in LOCALE_DIRS for path in locale.glob("*/LC_MESSAGES/*.po"))
SOURCE_DIRS = ("elearning", "courses", "quizzes", "templates")


def _label(path):
    return str(path.relative_to(BASE))


def _untranslated(po):
    return [entry.msgid for entry in po if not entry.obsolete and ("fuzzy" in entry.flags or not entry.translated())]


def _messages(catalog):
    """{(context, msgid): translation} of the usable entries of a .po or .mo file."""
    found = {}
    for entry in catalog:
        if entry.obsolete or "fuzzy" in entry.flags or not entry.msgid:
            continue
        if entry.msgid_plural:
            forms = tuple(entry.msgstr_plural[index] for index in sorted(entry.msgstr_plural))
            if all(forms):
                found[(entry.msgctxt, entry.msgid)] = forms
        elif entry.msgstr:
            found[(entry.msgctxt, entry.msgid)] = entry.msgstr
    return found


def test_the_project_has_vietnamese_catalogs():
    names = {_label(path) for path in VI_CATALOGS}
    for app in ("elearning", "courses", "quizzes"):
        assert f"{app}/locale/vi/LC_MESSAGES/django.po" in names
    assert "locale/vi/LC_MESSAGES/django.po" in names


@pytest.mark.parametrize("path", VI_CATALOGS, ids=_label)
def test_every_vietnamese_entry_is_translated(path):
    missing = _untranslated(polib.pofile(str(path)))
    assert not missing, f"{_label(path)}: {len(missing)} entries without Vietnamese: {missing[:20]}"


@pytest.mark.parametrize("path", ALL_CATALOGS, ids=_label)
def test_compiled_catalog_is_current(path):
    mo_path = path.with_suffix(".mo")
    assert mo_path.exists(), f"{_label(mo_path)} missing: run manage.py compilemessages"
    compiled = _messages(polib.mofile(str(mo_path)))
    assert compiled == _messages(polib.pofile(str(path))), (
        f"{_label(mo_path)} is older than its .po: run manage.py compilemessages --ignore=.venv"
    )


@pytest.mark.skipif(not shutil.which("msgfmt"), reason="gettext tools not installed")
@pytest.mark.parametrize("path", ALL_CATALOGS, ids=_label)
def test_catalog_passes_msgfmt_check(path, tmp_path):
    # --check-format catches a %(name)s placeholder dropped or misspelt in the translation.
    result = subprocess.run(  # noqa: S603 - fixed arguments
        ["msgfmt", "--check-format", "--check-header", "-o", str(tmp_path / "out.mo"), str(path)],  # noqa: S607
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.skipif(not shutil.which("xgettext") or not shutil.which("msgmerge"), reason="gettext tools not installed")
def test_no_string_in_the_code_lacks_vietnamese(tmp_path):
    """makemessages over a copy of the sources adds nothing that is left untranslated."""
    copy = tmp_path / "src"
    copy.mkdir()
    for name in SOURCE_DIRS:
        shutil.copytree(BASE / name, copy / name, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
    shutil.copytree(BASE / "locale", copy / "locale")
    settings_paths = [copy / Path(path).relative_to(BASE) for path in settings.LOCALE_PATHS]
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(copy)
        patch.setattr(settings, "LOCALE_PATHS", settings_paths)
        call_command("makemessages", locale=["vi"], no_obsolete=True, verbosity=0)
    missing = {}
    for locale in settings_paths:
        for po_path in (locale / "vi" / "LC_MESSAGES").glob("django.po"):
            untranslated = _untranslated(polib.pofile(str(po_path)))
            if untranslated:
                missing[str(po_path.relative_to(copy))] = untranslated
    assert not missing, (
        "strings without Vietnamese (run makemessages -l vi -l en --no-obsolete, translate, compilemessages): "
        f"{missing}"
    )
