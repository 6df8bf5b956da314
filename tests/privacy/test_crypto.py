"""Encryption at rest (DESIGN.md §4): the database holds tokens only, a wrong key reads
nothing (it raises instead of showing or saving anything), equal names are found through
a keyed digest."""

import pytest
from django.db import connection
from django.test import override_settings

from detainees import services
from detainees.models import Identity, Person
from move.privacy import crypto

pytestmark = pytest.mark.django_db

OTHER_KEY = "another-key-that-never-encrypted-anything-here-0123456789"


@pytest.fixture
def identity(visitor_a, org_a):
    person = services.create_person(
        visitor_a,
        Person(organisation=org_a, birth_year=1990),
        identity={
            "surname": "Benali",
            "given_names": "Amina",
            "notes": "Sister lives in Schaerbeek",
            "office_number": "8123456",
        },
    )
    return person.identity


def raw_row(identity) -> tuple:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT surname, given_names, notes, office_number, name_index "
            "FROM detainees_identity WHERE id = %s",
            [identity.pk],
        )
        return cursor.fetchone()


def test_the_database_holds_no_plaintext_of_the_identity(identity):
    row = raw_row(identity)

    stored = " ".join(row)
    for plaintext in ("Benali", "Amina", "Schaerbeek", "8123456"):
        assert plaintext not in stored
    assert all(crypto.decrypt(token) for token in row[:4])


def test_the_orm_reads_the_identity_back_in_clear(identity):
    fresh = Identity.objects.get(pk=identity.pk)

    assert (fresh.surname, fresh.notes) == ("Benali", "Sister lives in Schaerbeek")


def test_equal_values_are_not_equal_tokens():
    assert crypto.encrypt("Benali") != crypto.encrypt("Benali")


def test_an_empty_value_is_stored_empty(identity):
    with connection.cursor() as cursor:
        cursor.execute("SELECT contacts FROM detainees_identity WHERE id = %s", [identity.pk])
        assert cursor.fetchone() == ("",)


def test_decrypting_with_a_wrong_key_raises(identity):
    token = raw_row(identity)[0]

    with override_settings(ENCRYPTION_KEY=OTHER_KEY, ENCRYPTION_OLD_KEYS=[]):
        with pytest.raises(crypto.UnreadableData, match="MOVE_ENCRYPTION_KEY"):
            crypto.decrypt(token)
        with pytest.raises(crypto.UnreadableData):
            Identity.objects.get(pk=identity.pk)


def test_a_wrong_key_does_not_turn_a_token_into_text(identity):
    """A token nobody can open is never handed out as if it were the value."""
    token = raw_row(identity)[0]
    with (
        override_settings(ENCRYPTION_KEY=OTHER_KEY, ENCRYPTION_OLD_KEYS=[]),
        pytest.raises(crypto.UnreadableData),
    ):
        crypto.rotate(token)


def test_the_name_index_finds_the_same_name_without_storing_it(identity):
    name_index = raw_row(identity)[4]

    assert name_index == crypto.blind_index("amina  BENALI")
    assert name_index != crypto.blind_index("Amina Benalli")
    assert "benali" not in name_index.lower()


def test_the_name_index_depends_on_the_key():
    with override_settings(ENCRYPTION_KEY=OTHER_KEY):
        other = crypto.blind_index("Amina Benali")
    assert other != crypto.blind_index("Amina Benali")
