"""`permissions.shared_pks`, the shares as a subquery written out (what the lists and
is_shared_with_user filter by), selects what the guardian rows say: for one group,
several, none, another permission, on PostgreSQL's array parameter and on the list
written for SQLite."""

import pytest
from django.db import connection

from move.accounts import permissions
from tests.factories import OrganisationFactory
from tests.sharing.models import Note, NoteGroupObjectPermission

pytestmark = pytest.mark.django_db


@pytest.fixture
def notes(org_a, org_b):
    third = OrganisationFactory(short_name="Vluchtelingenwerk")
    made = [Note.objects.create(organisation=org_a, title=f"Note {n}") for n in range(6)]
    permissions.share(made[0], org_b, "view_note")
    permissions.share(made[1], org_b, "view_note")
    permissions.share(made[1], third, "view_note")
    permissions.share(made[2], third, "view_note")
    permissions.share(made[3], third, "change_note")  # another permission
    return {"made": made, "b": org_b.group_id, "third": third.group_id}


def both(groups, perm="view_note"):
    """The notes the subquery selects, and those the guardian rows name (read in Python)."""
    written = Note.objects.filter(pk__in=permissions.shared_pks(Note, groups, perm))
    rows = NoteGroupObjectPermission.objects.select_related("permission")
    named = {
        row.content_object.title
        for row in rows
        if row.group_id in groups and row.permission.codename == perm
    }
    return {note.title for note in written}, named


@pytest.mark.parametrize("vendor", ["as it is", "sqlite"])
def test_the_written_subquery_selects_what_the_shares_say(notes, vendor, monkeypatch):
    if vendor == "sqlite":
        # The IN list SQLite is given reads the same on PostgreSQL.
        monkeypatch.setattr(connection, "vendor", "sqlite")
    cases = {
        (notes["b"],): {"Note 0", "Note 1"},
        (notes["third"],): {"Note 1", "Note 2"},
        (notes["b"], notes["third"]): {"Note 0", "Note 1", "Note 2"},
        (): set(),
    }
    for groups, expected in cases.items():
        written, orm = both(frozenset(groups))
        assert written == orm == expected
    written, orm = both(frozenset([notes["third"]]), "change_note")
    assert written == orm == {"Note 3"}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the array parameter")
def test_on_postgresql_the_sql_is_the_same_whatever_the_groups(notes):
    one = permissions.shared_pks(Note, {notes["b"]}, "view_note")
    two = permissions.shared_pks(Note, {notes["b"], notes["third"]}, "view_note")
    assert one.sql == two.sql
    assert one.params[0] == [notes["b"]] and two.params[0] == sorted([notes["b"], notes["third"]])
