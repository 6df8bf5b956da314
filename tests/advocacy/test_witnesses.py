"""The witness pool's pages (issue 12): who finds a witness, the list and its filters,
creating and changing a witness (the case-file code checked against what the keeper
may open; concurrent edits), the contact on its own page with each read logged."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from advocacy.models import Consent, Testimony, Use, Witness
from move.privacy.models import AccessLogEntry
from tests.detainees.conftest import centre, person_a  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db

KEEPERS = ["witness_pool", "coordinator"]
OTHERS = ["visitor_a", "visitor_b", "legal", "advocacy", "partner"]
SECRET_NAME = "Samira Secret-Name"
SECRET_CONTACT = "+32 470 12 34 56"


def make_witness(n=0, **fields):
    fields.setdefault("relation", Witness.Relation.FORMER_DETAINEE)
    fields.setdefault("languages", "fr nl")
    fields.setdefault("name", f"{SECRET_NAME} {n}")
    fields.setdefault("contact", SECRET_CONTACT)
    return Witness.objects.create(**fields)


def make_consent(witness, given_on=None, expires_on=None, **fields):
    given_on = given_on or timezone.localdate() - timedelta(days=10)
    fields.setdefault("scopes", "website press")
    fields.setdefault("anonymity", "first_name")
    fields.setdefault("how", Consent.How.ORAL)
    fields.setdefault("statement", "Agreed on the phone.")
    return Consent.objects.create(
        witness=witness,
        given_on=given_on,
        expires_on=expires_on or given_on + timedelta(days=730),
        **fields,
    )


@pytest.fixture
def witness(witness_pool):
    witness = make_witness(keeper=witness_pool)
    make_consent(witness)
    return witness


def form_data(witness=None, **overrides):
    data = {
        "relation": "relative",
        "languages": ["fr", "en"],
        "name": "Nadia Relative",
        "contact": "nadia@example.org",
        "case_file": "",
        "keeper": "",
        "notes": "Met at the exchange meeting.",
        "seen": witness.updated_at.isoformat() if witness else "",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


# --- Who finds a witness -----------------------------------------------------------------


@pytest.mark.parametrize("persona", KEEPERS)
def test_keepers_find_the_pool(persona, persona_client, witness):
    client = persona_client(persona)
    assert client.get(reverse("advocacy:witness-list")).status_code == 200
    page = client.get(reverse("advocacy:witness-detail", kwargs={"key": witness.key}))
    assert page.status_code == 200
    assert witness.code in page.content.decode()


@pytest.mark.parametrize("persona", OTHERS)
def test_nobody_else_finds_a_witness(persona, persona_client, witness):
    client = persona_client(persona)
    assert client.get(reverse("advocacy:witness-list")).status_code == 403
    assert client.get(reverse("advocacy:witness-create")).status_code == 403
    for name in ("witness-detail", "witness-update", "witness-contact", "consent-add"):
        url = reverse(f"advocacy:{name}", kwargs={"key": witness.key})
        assert client.get(url).status_code == 404, name
    for name in ("witness-withdraw", "witness-export"):
        url = reverse(f"advocacy:{name}", kwargs={"key": witness.key})
        assert client.post(url).status_code == 404, name
    witness.refresh_from_db()
    assert witness.withdrawn_on is None
    assert not AccessLogEntry.objects.filter(subject=witness.code).exists()


def test_anonymous_is_sent_to_sign_in(client, witness):
    response = client.get(reverse("advocacy:witness-detail", kwargs={"key": witness.key}))
    assert response.status_code == 302
    assert "login" in response["Location"]


# --- The list ----------------------------------------------------------------------------


def test_the_list_never_shows_a_contact(persona_client, witness):
    page = persona_client("witness_pool").get(reverse("advocacy:witness-list")).content.decode()
    assert witness.code in page
    assert SECRET_NAME not in page and SECRET_CONTACT not in page
    assert "Valid until" in page
    assert not AccessLogEntry.objects.filter(subject=witness.code).exists()


def test_the_list_filters_by_consent_state(persona_client, witness_pool):
    today = timezone.localdate()
    valid = make_witness(1)
    make_consent(valid)
    expiring = make_witness(2)
    make_consent(expiring, today - timedelta(days=700), today + timedelta(days=10))
    expired = make_witness(3)
    make_consent(expired, date(2020, 1, 1), date(2022, 1, 1))
    withdrawn = make_witness(4, withdrawn_on=today)
    make_consent(withdrawn, withdrawn_on=today)
    relative = make_witness(5, relation=Witness.Relation.RELATIVE)
    client = persona_client("witness_pool")

    def codes(**query):
        page = client.get(reverse("advocacy:witness-list"), query).content.decode()
        return {w.code for w in (valid, expiring, expired, withdrawn, relative) if w.code in page}

    assert codes(consent="valid") == {valid.code, expiring.code}
    assert codes(consent="expiring") == {expiring.code}
    assert codes(consent="expired") == {expired.code}
    assert codes(consent="withdrawn") == {withdrawn.code}
    assert codes(relation="relative") == {relative.code}
    assert codes() == {valid.code, expiring.code, expired.code, withdrawn.code, relative.code}
    # A value not offered is shown as an error and ignored.
    response = client.get(reverse("advocacy:witness-list"), {"consent": "bogus"})
    assert response.status_code == 200
    assert len(codes(consent="bogus")) == 5


def _list_queries(client):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("advocacy:witness-list")).status_code == 200
    return len(queries)


def test_the_list_costs_the_same_for_2_and_30_witnesses(persona_client):
    client = persona_client("witness_pool")
    for n in range(2):
        make_consent(make_witness(n))
    client.get(reverse("advocacy:witness-list"))  # the session and the menu, once
    few = _list_queries(client)
    for n in range(2, 30):
        make_consent(make_witness(n))
    many = _list_queries(client)
    assert few == many
    assert many <= 8


def test_the_detail_costs_at_most_8_queries(persona_client, witness, django_assert_max_num_queries):
    testimony = Testimony.objects.create(
        witness=witness, title="T", text="x", language="fr", recorded_on=timezone.localdate()
    )
    for n in range(5):
        Use.objects.create(
            testimony=testimony,
            publication=f"P{n}",
            used_on=timezone.localdate(),
            scope="website",
            anonymity="first_name",
        )
    client = persona_client("witness_pool")
    url = reverse("advocacy:witness-detail", kwargs={"key": witness.key})
    client.get(url)
    with django_assert_max_num_queries(8):
        page = client.get(url).content.decode()
    assert "P4" in page and SECRET_CONTACT not in page and SECRET_NAME not in page
    assert reverse("advocacy:witness-contact", kwargs={"key": witness.key}) in page
    assert reverse("advocacy:testimony-detail", kwargs={"key": testimony.key}) in page
    assert reverse("advocacy:testimony-add", kwargs={"key": witness.key}) in page


# --- Creating and changing ---------------------------------------------------------------


def test_a_keeper_adds_a_witness(persona_client, witness_pool):
    client = persona_client("witness_pool")
    form = client.get(reverse("advocacy:witness-create")).context["form"]
    assert form["keeper"].value() == witness_pool.pk  # by default, who fills the form in
    response = client.post(reverse("advocacy:witness-create"), form_data(keeper=witness_pool.pk))
    assert response.status_code == 302
    witness = Witness.objects.get()
    assert witness.code.startswith(f"W-{timezone.localdate().year}-")
    assert witness.languages == "fr en"
    assert witness.keeper == witness_pool
    assert witness.name == "Nadia Relative"
    # Stored encrypted: the clear name is not in the table.
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, contact FROM advocacy_witness")
        stored = cursor.fetchone()
    assert "Nadia" not in stored[0] and "nadia@" not in stored[1]


def test_a_case_file_code_the_keeper_may_not_see_is_as_unknown(
    persona_client,
    person_a,  # noqa: F811 (the fixture)
    coordinator,
):
    client = persona_client("witness_pool")  # the pool's volunteer opens no case file
    unseen = client.post(reverse("advocacy:witness-create"), form_data(case_file=person_a.code))
    unknown = client.post(reverse("advocacy:witness-create"), form_data(case_file="P-1999-9999"))
    assert unseen.status_code == unknown.status_code == 400
    assert unseen.context["form"].errors == unknown.context["form"].errors
    assert "No case file with this code that you may open" in unseen.content.decode()
    assert not Witness.objects.exists()
    # What was typed is shown back.
    assert "Nadia Relative" in unseen.content.decode()


def test_the_case_file_link_only_for_who_may_open_it(
    client,
    person_a,  # noqa: F811 (the fixture)
    coordinator,
    witness_pool,
):
    from tests.conftest import sign_in

    sign_in(client, coordinator)
    response = client.post(
        reverse("advocacy:witness-create"), form_data(case_file=person_a.code.lower())
    )
    assert response.status_code == 302
    witness = Witness.objects.get()
    assert witness.person == person_a
    url = reverse("advocacy:witness-detail", kwargs={"key": witness.key})
    person_url = reverse("detainees:person-detail", kwargs={"key": person_a.key})
    assert person_url in client.get(url).content.decode()
    sign_in(client, witness_pool)
    page = client.get(url).content.decode()
    assert person_url not in page and person_a.code not in page
    assert "Linked to a case file you may not open" in page
    # Saving the form (the code not shown) keeps the link.
    edit = client.get(reverse("advocacy:witness-update", kwargs={"key": witness.key}))
    assert person_a.code not in edit.content.decode()
    client.post(reverse("advocacy:witness-update", kwargs={"key": witness.key}), form_data(witness))
    witness.refresh_from_db()
    assert witness.person == person_a


def test_a_concurrent_edit_is_refused_with_what_was_typed(persona_client, witness):
    client = persona_client("witness_pool")
    url = reverse("advocacy:witness-update", kwargs={"key": witness.key})
    seen = form_data(witness, notes="My change")
    Witness.objects.get(pk=witness.pk).save()  # someone else saves meanwhile
    response = client.post(url, seen)
    assert response.status_code == 400
    assert "Someone else saved this record" in response.content.decode()
    assert "My change" in response.content.decode()
    witness.refresh_from_db()
    assert witness.notes == ""


def test_an_edit_saves(persona_client, witness):
    client = persona_client("coordinator")
    url = reverse("advocacy:witness-update", kwargs={"key": witness.key})
    response = client.post(url, form_data(witness, notes="Updated", contact="new@example.org"))
    assert response.status_code == 302
    witness.refresh_from_db()
    assert witness.notes == "Updated" and witness.contact == "new@example.org"


# --- The contact -------------------------------------------------------------------------


@pytest.mark.parametrize("persona", KEEPERS)
def test_each_read_of_the_contact_is_logged(persona, persona_client, witness, request):
    user = request.getfixturevalue(persona)
    client = persona_client(persona)
    url = reverse("advocacy:witness-contact", kwargs={"key": witness.key})
    for times in (1, 2):
        page = client.get(url)
        assert page.status_code == 200
        assert SECRET_CONTACT in page.content.decode()
        entries = AccessLogEntry.objects.filter(subject=witness.code)
        assert entries.count() == times
    entry = entries.first()
    assert entry.user == user
    assert entry.action == AccessLogEntry.Action.READ_CONTACT
    assert entry.page == url
    assert "no-store" in page["Cache-Control"] or "no-cache" in page["Cache-Control"]


def test_the_edit_form_is_a_logged_read_of_the_contact(persona_client, witness):
    client = persona_client("witness_pool")
    page = client.get(reverse("advocacy:witness-update", kwargs={"key": witness.key}))
    assert SECRET_CONTACT in page.content.decode()
    assert AccessLogEntry.objects.filter(subject=witness.code).count() == 1


def test_who_may_not_read_contacts_gets_no_contact_field(advocacy, witness):
    from advocacy.witness_forms import WitnessForm

    form = WitnessForm(instance=witness, user=advocacy)
    assert "name" not in form.fields and "contact" not in form.fields


# --- The signed consent form -------------------------------------------------------------


def test_each_download_of_a_signed_form_is_logged_as_a_contact_read(
    persona_client, witness, settings, tmp_path
):
    from tests.conftest import close_download

    settings.MEDIA_ROOT = tmp_path
    relative = "advocacy/consents/signed.pdf"
    (tmp_path / "private" / "advocacy" / "consents").mkdir(parents=True)
    (tmp_path / "private" / relative).write_bytes(b"%PDF-1.4 signed")
    consent = make_consent(witness, how=Consent.How.SIGNED_FORM, statement="", form_file=relative)
    url = reverse("advocacy:consent-form", kwargs={"key": consent.key})
    client = persona_client("witness_pool")
    for n in (1, 2):
        download = client.get(url)
        assert download.status_code == 200
        close_download(download)
        entries = AccessLogEntry.objects.filter(
            subject=witness.code, action=AccessLogEntry.Action.READ_CONTACT
        )
        assert entries.count() == n
    assert entries.first().detail == "signed consent form"


def test_a_signed_form_needs_the_right_to_read_contacts(
    persona_client, witness, witness_pool, settings, tmp_path, monkeypatch
):
    from move.accounts import permissions

    settings.MEDIA_ROOT = tmp_path
    relative = "advocacy/consents/signed.pdf"
    (tmp_path / "private" / "advocacy" / "consents").mkdir(parents=True)
    (tmp_path / "private" / relative).write_bytes(b"%PDF-1.4 signed")
    consent = make_consent(witness, how=Consent.How.SIGNED_FORM, statement="", form_file=relative)
    has_perm = permissions.has_perm
    monkeypatch.setattr(
        permissions,
        "has_perm",
        lambda user, perm, *a, **k: (
            perm != "advocacy.view_witness_contact" and has_perm(user, perm, *a, **k)
        ),
    )
    url = reverse("advocacy:consent-form", kwargs={"key": consent.key})
    assert persona_client("witness_pool").get(url).status_code == 403
    assert not AccessLogEntry.objects.filter(subject=witness.code).exists()


# --- The keeper's choices ----------------------------------------------------------------


def test_the_witness_forms_cost_the_same_for_2_and_12_pool_members(persona_client, witness):
    from move.accounts.permissions import Role
    from tests.factories import member

    client = persona_client("witness_pool")  # the first member
    urls = [
        reverse("advocacy:witness-create"),
        reverse("advocacy:witness-update", kwargs={"key": witness.key}),
    ]

    def counts():
        measured = []
        for url in urls:
            with CaptureQueriesContext(connection) as queries:
                response = client.get(url)
            assert response.status_code == 200
            measured.append(len(queries))
        return measured, response.content.decode()

    member(Role.WITNESS_POOL, email="second@example.org")
    counts()  # the first request of the session reads it in
    with_two, page = counts()
    assert "second@example.org" in page or "Second" in page or page.count("<option") >= 2
    for n in range(10):
        member(Role.WITNESS_POOL, email=f"more{n}@example.org")
    with_twelve, _page = counts()
    assert with_two == with_twelve, (with_two, with_twelve)
    assert max(with_twelve) <= 8, with_twelve


def test_keepers_and_volunteers_leave_out_switched_off_people_and_organisations(witness_pool):
    from advocacy import witnesses
    from move.accounts.permissions import Role
    from tests.factories import member

    gone = member(Role.WITNESS_POOL, email="gone@example.org", is_active=False)
    closed = member(Role.WITNESS_POOL, email="closed@example.org")
    organisation = closed.memberships.get().organisation
    organisation.active = False
    organisation.save()
    volunteers = list(witnesses.pool_volunteers())
    assert witness_pool in volunteers
    assert gone not in volunteers and closed not in volunteers
    assert gone not in witnesses.keepers() and closed not in witnesses.keepers()


# --- Renewal reminders when nobody keeps the pool ----------------------------------------


def _expiring_consent():
    today = timezone.localdate()
    witness = make_witness()  # no keeper
    consent = make_consent(witness, today - timedelta(days=700), today + timedelta(days=20))
    return today, witness, consent


def test_without_keeper_nor_pool_member_the_coordinators_are_reminded(coordinator):
    from django.core import mail

    from advocacy import witnesses

    today, witness, consent = _expiring_consent()
    assert witnesses.remind_expiring_consents(today) == 1
    assert [message.to for message in mail.outbox] == [[coordinator.email]]
    assert witness.code in mail.outbox[0].subject + mail.outbox[0].body
    consent.refresh_from_db()
    assert consent.renewal_reminded_on == today


def test_with_nobody_to_tell_the_consent_is_not_marked_reminded(db):
    from django.core import mail

    from advocacy import witnesses

    today, _witness, consent = _expiring_consent()
    assert witnesses.remind_expiring_consents(today) == 0
    assert mail.outbox == []
    consent.refresh_from_db()
    assert consent.renewal_reminded_on is None
