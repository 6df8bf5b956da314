"""The load test's own logic (scripts/load/browser.py): the form sent as the browser
sends it, the version followed from the answers, and the lost-edit check that closes
`make load`. (The run itself needs gunicorn and minutes: CI does not run it;
test_demo_parallel.py runs the seed and the check against a real server.)"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts" / "load"))

from browser import csrf_token, form_fields, lost_edits, version_in  # noqa: E402

EDITOR = """
<form id="other"><input name="q" value="no"></form>
<form id="report-form" method="post">
  <input type="hidden" name="csrfmiddlewaretoken" value="tok3n">
  <input type="hidden" name="version" id="id_version" value="7">
  <select name="language">
    <option value="fr">FR</option><option value="nl" selected>NL</option>
  </select>
  <input type="number" name="people_met" value="3">
  <textarea name="general_conditions">
Calme &amp; propre.</textarea>
  <input type="checkbox" name="obs-0-raise_with_authorities" checked>
  <input type="checkbox" name="obs-1-raise_with_authorities">
  <input type="hidden" name="obs-TOTAL_FORMS" value="2">
  <button type="submit" name="action" value="add">Add</button>
  <input type="submit" name="submit" value="Submit">
</form>"""


def test_the_editor_form_is_read_as_the_browser_sends_it():
    assert form_fields(EDITOR, "report-form") == {
        "csrfmiddlewaretoken": "tok3n",
        "version": "7",
        "language": "nl",
        "people_met": "3",
        "general_conditions": "Calme & propre.",
        "obs-0-raise_with_authorities": "on",
        "obs-TOTAL_FORMS": "2",
    }
    assert csrf_token(EDITOR) == "tok3n"


def test_the_version_is_followed_from_the_autosave_answer():
    answer = (
        '<div id="save-status">Saved.</div>\n'
        '<input type="hidden" name="version" id="id_version" value="12" hx-swap-oob="true">'
    )
    assert version_in(answer) == 12
    assert version_in('<div id="save-status">Not saved.</div>') is None


def test_no_lost_edit_when_every_last_text_is_stored():
    typed = {"a": "round 19", "b": "round 20"}
    assert lost_edits(typed, {"a": "round 19", "b": "round 20", "c": "other"}) == []


def test_a_text_sent_after_the_last_acknowledged_one_may_be_stored():
    # The run stopped while "round 21" was on its way: either text may be there.
    typed = {"a": ["round 20", "round 21"], "b": ["round 20", "round 21"]}
    assert lost_edits(typed, {"a": "round 20", "b": "round 21"}) == []
    # Anything older than the last acknowledged text is a lost edit.
    assert lost_edits(typed, {"a": "round 19", "b": "round 21"}) == ["a"]


def test_a_text_older_than_the_last_typed_or_missing_is_a_lost_edit():
    typed = {"b": "round 20", "a": "round 19", "c": "round 3"}
    stored = {"a": "round 18", "b": "round 20"}  # a: the last save lost; c: no such draft
    assert lost_edits(typed, stored) == ["a", "c"]
