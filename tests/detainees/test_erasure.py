"""Erasing a person on request of the owning organisation (DESIGN.md §4): a confirmation
by typing the code, everything held deleted (history and generated files included), the
access log keeping one line."""

import uuid

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from detainees import erasure, services
from detainees.models import (
    Accompaniment,
    DetentionSpell,
    Family,
    Identity,
    Person,
    PersonGroupObjectPermission,
    Referral,
)
from move.accounts.permissions import Role
from move.privacy.models import AccessLogEntry, Job
from tests.conftest import sign_in
from tests.detainees.conftest import new_person
from tests.factories import member, with_totp
from visits.models import Theme

pytestmark = pytest.mark.django_db


@pytest.fixture
def private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT / "private"


@pytest.fixture
def full_file(person_a, visitor_a, visit_a, org_b, private_media):
    """person_a with everything a case file can hold: identity, detention, a meeting, a
    referral, a share, history, an export file, access-log lines."""
    services.read_identity(visitor_a, person_a, "/people/x/identity/")
    meeting = services.record_accompaniment(
        visitor_a,
        person_a,
        Accompaniment(visit=visit_a, actions="Call the lawyer"),
        topics=[Theme.objects.create(code="health-e", name_fr="Santé", name_nl="Gezondheid")],
    )
    Referral.objects.create(person=person_a, kind=Referral.Kind.LAWYER, to_whom="Maître Dupont")
    services.share_person(visitor_a, person_a, org_b, with_identity=True, page="/people/x/sharing/")
    person_a.notes = "Speaks with her sister on Sundays"
    person_a.save()
    path = private_media / "exports" / f"{person_a.code}.zip"
    path.parent.mkdir(parents=True)
    path.write_bytes(b"everything")
    Job.objects.create(
        owner=visitor_a,
        kind="person_export",
        subject=person_a.code,
        status=Job.Status.READY,
        file=f"exports/{person_a.code}.zip",
    )
    return {"person": person_a, "meeting": meeting, "export": path}


def erase_url(person):
    return reverse("detainees:person-erase", kwargs={"key": person.key})


def history_of(model, pks):
    return LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(model),
        object_pk__in=[str(pk) for pk in pks],
    )


def colleague_of(organisation):
    return with_totp(member(Role.VISITOR, organisation, email="colleague@example.org"))


# --- The confirmation page ----------------------------------------------------------------


def test_the_owner_sees_what_will_be_erased(client, visitor_a, full_file):
    person = full_file["person"]
    sign_in(client, visitor_a)

    response = client.get(erase_url(person))

    assert response.status_code == 200
    page = response.content.decode()
    assert f"Erase {person.code}" in page
    assert "The identity" in page
    assert "1 detention" in page
    assert "1 meeting" in page
    assert "1 referral" in page
    assert "Its share with 1 organisation" in page
    assert "1 generated file (export)" in page
    assert Person.objects.filter(pk=person.pk).exists()


def test_the_confirmation_page_needs_a_few_queries(
    client, visitor_a, full_file, django_assert_max_num_queries
):
    sign_in(client, visitor_a)
    url = erase_url(full_file["person"])
    client.get(url)  # the first request after signing in records the session

    with django_assert_max_num_queries(8):
        assert client.get(url).status_code == 200


# --- Erasing ------------------------------------------------------------------------------


def test_a_wrong_code_is_refused_and_nothing_is_erased(client, visitor_a, full_file):
    person = full_file["person"]
    sign_in(client, visitor_a)

    response = client.post(erase_url(person), {"code": "P-1999-0001"})

    assert response.status_code == 400
    assert (
        f"This is not the code of this person ({person.code}): nothing was erased."
        in response.content.decode()
    )
    assert Person.objects.filter(pk=person.pk).exists()
    assert Identity.objects.filter(person=person).exists()
    assert full_file["export"].exists()
    assert not AccessLogEntry.objects.filter(action=AccessLogEntry.Action.ERASE).exists()


def test_an_empty_code_is_refused_too(client, visitor_a, person_a):
    sign_in(client, visitor_a)

    response = client.post(erase_url(person_a), {"code": ""})

    assert response.status_code == 400
    assert Person.objects.filter(pk=person_a.pk).exists()


def test_typing_the_code_erases_everything_held_on_the_person(client, visitor_a, full_file):
    person, meeting = full_file["person"], full_file["meeting"]
    spell_pks = list(person.spells.values_list("pk", flat=True))
    assert history_of(Person, [person.pk]).exists()
    assert history_of(DetentionSpell, spell_pks).exists()
    sign_in(client, visitor_a)

    response = client.post(erase_url(person), {"code": person.code.lower()})

    assert response.status_code == 302
    assert response.url == reverse("detainees:person-list")
    assert not Person.objects.filter(pk=person.pk).exists()
    assert not Identity.objects.exists()
    assert not DetentionSpell.objects.filter(pk__in=spell_pks).exists()
    assert not Accompaniment.objects.filter(pk=meeting.pk).exists()
    assert not Referral.objects.exists()
    assert not PersonGroupObjectPermission.objects.exists()
    # History: neither the old entries nor entries of the deletion itself.
    assert not history_of(Person, [person.pk]).exists()
    assert not history_of(DetentionSpell, spell_pks).exists()
    assert not LogEntry.objects.filter(changes_text__contains="Sundays").exists()
    assert not LogEntry.objects.filter(changes__icontains="Sundays").exists()
    # Generated files.
    assert not full_file["export"].exists()
    assert not Job.objects.exists()


def test_the_access_log_keeps_its_lines_and_records_the_erasure(client, visitor_a, full_file):
    person = full_file["person"]
    before = AccessLogEntry.objects.filter(subject=person.code).count()
    sign_in(client, visitor_a)

    client.post(erase_url(person), {"code": person.code})

    entries = AccessLogEntry.objects.filter(subject=person.code)
    assert entries.count() == before + 1
    erased = entries.get(action=AccessLogEntry.Action.ERASE)
    assert (erased.user, erased.page) == (visitor_a, erase_url(person))


def test_the_person_list_says_the_person_was_erased(client, visitor_a, person_a):
    sign_in(client, visitor_a)

    response = client.post(erase_url(person_a), {"code": person_a.code}, follow=True)

    assert f"{person_a.code} and everything held on this person were erased." in (
        response.content.decode()
    )


def test_a_colleague_of_the_same_organisation_may_erase(client, org_a, person_a):
    sign_in(client, colleague_of(org_a))

    response = client.post(erase_url(person_a), {"code": person_a.code})

    assert response.status_code == 302
    assert not Person.objects.filter(pk=person_a.pk).exists()


def test_a_family_left_without_members_goes_with_its_last_member(visitor_a, org_a, person_a):
    family = Family.objects.create(code="F-2026-0001", organisation=org_a, children_ages=[3])
    sibling = new_person(visitor_a, org_a, name=None, family=family)
    Person.objects.filter(pk=person_a.pk).update(family=family)
    person_a.refresh_from_db()

    erasure.erase_person(visitor_a, person_a, "/test/")
    assert Family.objects.filter(pk=family.pk).exists()
    erasure.erase_person(visitor_a, sibling, "/test/")

    assert not Family.objects.filter(pk=family.pk).exists()


# --- Who may -----------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["visitor_b", "legal", "advocacy", "witness_pool", "partner"])
def test_those_who_cannot_see_the_file_get_404(persona_client, person_a, persona):
    client = persona_client(persona)

    assert client.get(erase_url(person_a)).status_code == 404
    assert client.post(erase_url(person_a), {"code": person_a.code}).status_code == 404
    assert Person.objects.filter(pk=person_a.pk).exists()


def test_an_organisation_the_file_is_shared_with_may_not_erase_it(
    persona_client, visitor_a, person_a, org_b
):
    services.share_person(visitor_a, person_a, org_b, with_identity=True, page="/x/")
    client = persona_client("visitor_b")

    assert client.get(erase_url(person_a)).status_code == 403
    assert client.post(erase_url(person_a), {"code": person_a.code}).status_code == 403
    assert Person.objects.filter(pk=person_a.pk).exists()


def test_a_coordinator_sees_the_file_but_may_not_erase_it(persona_client, person_a):
    client = persona_client("coordinator")

    assert client.get(erase_url(person_a)).status_code == 403
    assert client.post(erase_url(person_a), {"code": person_a.code}).status_code == 403
    assert Person.objects.filter(pk=person_a.pk).exists()


def test_the_erasure_service_refuses_a_coordinator(coordinator, person_a):
    with pytest.raises(PermissionDenied):
        erasure.erase_person(coordinator, person_a, "/test/")

    assert Person.objects.filter(pk=person_a.pk).exists()


def test_someone_signed_out_is_sent_to_sign_in(client, person_a):
    response = client.post(erase_url(person_a), {"code": person_a.code})

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))
    assert Person.objects.filter(pk=person_a.pk).exists()


def test_a_guessed_key_finds_nothing(client, visitor_a, person_a):
    sign_in(client, visitor_a)

    response = client.get(reverse("detainees:person-erase", kwargs={"key": uuid.uuid4()}))

    assert response.status_code == 404
