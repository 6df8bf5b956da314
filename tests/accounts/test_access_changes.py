"""Every change of access (memberships, roles, invitations, organisations, shares of case
files and reports) is recorded by django-auditlog with who and when, listed on the
"Access changes" page that every coordinator reads, and told by e-mail to the
organisation concerned: its coordinators, or all its members when it has none."""

import datetime

import pytest
from auditlog.context import set_actor
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from detainees import services as case_files
from move.accounts import access_changes, emails, permissions, services
from move.accounts.models import Membership, Organisation
from move.accounts.permissions import Role
from tests.conftest import sign_in
from tests.detainees.conftest import new_person
from tests.factories import CentreFactory, OrganisationFactory, member, with_totp
from visits.models import Visit, VisitReport

pytestmark = pytest.mark.django_db

PAGE = reverse("accounts:accesschange-list")


@pytest.fixture
def anne(coalition):
    return with_totp(
        member(
            Role.COORDINATOR,
            coalition,
            email="anne@example.org",
            first_name="Anne",
            last_name="Coord",
        )
    )


@pytest.fixture
def bob(db):
    from tests.factories import UserFactory

    return UserFactory(email="bob@example.org", first_name="Bob", last_name="Martin", language="nl")


class Recorded:
    """The changes recorded since `start()` (the fixtures' own are left out)."""

    def start(self):
        self.after = access_changes.entries().values_list("pk", flat=True).first() or 0

    def entries(self):
        return list(access_changes.entries().filter(pk__gt=self.after))

    def sentences(self):
        with translation.override("en"):
            return [access_changes.sentence(entry) for entry in self.entries()]


@pytest.fixture
def recorded(db):
    return Recorded()


def add(client, organisation, email, role=Role.VISITOR):
    url = reverse("accounts:membership-create", args=[organisation.code])
    return client.post(url, {"email": email, "role": role})


# --- What is recorded ---------------------------------------------------------------------


def test_a_membership_given_on_a_page_is_recorded_with_who_and_when(
    client, anne, bob, org_a, recorded
):
    sign_in(client, anne)
    recorded.start()
    before = timezone.now()

    add(client, org_a, bob.email)

    [entry] = recorded.entries()
    assert entry.actor == anne
    assert before <= entry.timestamp <= timezone.now()
    assert recorded.sentences() == ["Anne Coord (coordinator) added Bob Martin as visitor of JRS"]


def test_an_ended_membership_is_recorded(client, anne, visitor_a, org_a, recorded):
    visitor_a.first_name, visitor_a.last_name = "Vera", "Visit"
    visitor_a.save()
    sign_in(client, anne)
    recorded.start()

    client.post(
        reverse("accounts:membership-delete", args=[Membership.objects.get(user=visitor_a).code])
    )

    assert recorded.sentences() == ["Anne Coord (coordinator) removed Vera Visit as visitor of JRS"]
    assert recorded.entries()[0].actor == anne


def test_invitations_sent_withdrawn_and_accepted_are_recorded(anne, org_a, org_b, recorded):
    recorded.start()
    sent = services.invite(
        email="new@example.org",
        organisation=org_a,
        role=Role.VISITOR,
        language="fr",
        by=anne,
        site_url="http://testserver/",
    )
    services.revoke_invitation(sent, by=anne)
    other = services.invite(
        email="other@example.org",
        organisation=org_b,
        role=Role.LEGAL,
        language="fr",
        by=anne,
        site_url="http://testserver/",
    )
    token = other.new_token()
    other.save(update_fields=["token_hash", "expires_at"])  # a new token: not a change
    services.accept_invitation(token, first_name="Olga", last_name="New", password="a-long-pass-42")

    assert recorded.sentences() == [
        "other@example.org accepted the invitation to join Caritas as lawyer",
        # The access is given by whoever invited.
        "Anne Coord (coordinator) added Olga New as lawyer of Caritas",
        "Anne Coord (coordinator) invited other@example.org to join Caritas as lawyer",
        "Anne Coord (coordinator) withdrew the invitation of new@example.org to join JRS "
        "as visitor",
        "Anne Coord (coordinator) invited new@example.org to join JRS as visitor",
    ]


def test_organisations_created_and_switched_off_are_recorded(client, anne, org_a, recorded):
    sign_in(client, anne)
    recorded.start()

    client.post(
        reverse("accounts:organisation-create"),
        {"name_fr": "Point d'Appui", "name_nl": "Steunpunt", "short_name": "PDA", "kind": "member"},
    )
    client.post(
        reverse("accounts:organisation-update", args=[org_a.code]),
        {
            "name_fr": org_a.name_fr,
            "name_nl": org_a.name_nl,
            "short_name": org_a.short_name,
            "kind": org_a.kind,
            "version": org_a.version,
        },
    )

    assert recorded.sentences() == [
        "Anne Coord (coordinator) switched JRS off: its members lose their access",
        "Anne Coord (coordinator) created the organisation PDA",
    ]


def test_case_file_shares_are_recorded(visitor_a, org_a, org_b, recorded):
    person = new_person(visitor_a, org_a)
    name = str(visitor_a)
    recorded.start()

    with set_actor(visitor_a):
        case_files.share_person(visitor_a, person, org_b, True, "/test/")
        case_files.unshare_person(visitor_a, person, org_b, "/test/")

    assert set(recorded.sentences()[:2]) == {
        f"{name} (visitor) stopped sharing case file {person.code} with Caritas",
        f"{name} (visitor) stopped sharing the identity of case file {person.code} with Caritas",
    }
    assert set(recorded.sentences()[2:]) == {
        f"{name} (visitor) shared case file {person.code} with Caritas",
        f"{name} (visitor) shared the identity of case file {person.code} with Caritas",
    }
    # Both the owner and the organisation it was shared with are concerned.
    for entry in recorded.entries():
        assert access_changes.organisation_names(entry) == ["Caritas", "JRS"]


def test_report_shares_are_recorded(coordinator, org_a, partner_org, recorded):
    centre = CentreFactory(name_fr="Caricole", name_nl="Caricole")
    visit = Visit.objects.create(centre=centre, date=datetime.date(2026, 3, 2))
    report = VisitReport.objects.create(
        visit=visit, organisation=org_a, language="fr", status="submitted"
    )
    recorded.start()

    with access_changes.acting(coordinator):
        permissions.share(report, partner_org, "view_visitreport")
        permissions.unshare(report, partner_org, "view_visitreport")

    assert [entry.actor for entry in recorded.entries()] == [coordinator, coordinator]
    assert recorded.sentences() == [
        f"{coordinator} (coordinator) stopped sharing the report of the visit {visit} with Myria",
        f"{coordinator} (coordinator) shared the report of the visit {visit} with Myria",
    ]
    # Its organisation and the partner are concerned.
    assert access_changes.organisation_names(recorded.entries()[0]) == ["JRS", "Myria"]


def test_acting_puts_the_surrounding_actor_back(coordinator, second_coordinator, recorded):
    recorded.start()
    with set_actor(coordinator):
        with access_changes.acting(second_coordinator):
            OrganisationFactory(short_name="Inner")
        OrganisationFactory(short_name="Outer")

    actors = {entry.additional_data["organisation"]: entry.actor for entry in recorded.entries()}
    assert actors == {"Inner": second_coordinator, "Outer": coordinator}


def test_a_change_made_on_the_server_says_so(org_a, bob, recorded):
    recorded.start()
    Membership.objects.create(user=bob, organisation=org_a, role=Role.PARTNER)

    assert recorded.sentences() == [
        "Someone on the server (nobody signed in) added Bob Martin as partner of JRS"
    ]


# --- Who is told --------------------------------------------------------------------------


def test_an_organisation_without_coordinator_has_all_its_members_told_in_their_language(
    client, anne, bob, org_a, visitor_a, monkeypatch, django_capture_on_commit_callbacks
):
    rendered = []
    render = emails.render_to_string

    def recording(template_name, context):
        rendered.append((template_name, translation.get_language(), context.get("sentence")))
        return render(template_name, context)

    monkeypatch.setattr(emails, "render_to_string", recording)
    visitor_a.language = "fr"
    visitor_a.save()
    member(Role.VISITOR, org_a, email="gone@example.org", is_active=False)
    sign_in(client, anne)

    with django_capture_on_commit_callbacks(execute=True):
        add(client, org_a, bob.email)

    # Bob (now a member) and visitor_a; not the closed account, not the coalition.
    assert sorted(message.to[0] for message in mail.outbox) == [
        "bob@example.org",
        "visitor.a@example.org",
    ]
    languages = {(name, language) for name, language, _sentence in rendered}
    assert languages == {
        ("emails/access-change-subject.txt", "fr"),
        ("emails/access-change-body.txt", "fr"),
        ("emails/access-change-subject.txt", "nl"),
        ("emails/access-change-body.txt", "nl"),
    }
    [to_bob] = [message for message in mail.outbox if message.to == ["bob@example.org"]]
    assert "JRS" in to_bob.subject
    assert "INVALID_TEMPLATE_VARIABLE" not in to_bob.subject + to_bob.body
    assert translation.get_language() == "en"


def test_an_organisation_with_coordinators_has_them_told(
    anne, second_coordinator, visitor_b, org_b, bob, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.add_membership(email=bob.email, organisation=org_b, role=Role.VISITOR, by=anne)

    [message] = mail.outbox
    assert message.to == [second_coordinator.email]
    assert "Anne Coord (coordinator) added Bob Martin as visitor of Caritas" in message.body


def test_the_person_who_made_the_change_is_told_too_when_in_the_organisation(
    anne, coordinator, bob, coalition, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.add_membership(
            email=bob.email, organisation=coalition, role=Role.ADVOCACY, by=anne
        )

    assert sorted(message.to[0] for message in mail.outbox) == [
        "anne@example.org",
        "coordinator@example.org",
    ]


def test_nothing_is_told_when_nothing_was_committed(anne, bob, org_a):
    services.add_membership(email=bob.email, organisation=org_a, role=Role.VISITOR, by=anne)

    assert mail.outbox == []  # queued on commit, and this test's transaction never commits


def test_the_demo_data_is_recorded_without_e_mails(
    org_a, bob, recorded, django_capture_on_commit_callbacks
):
    recorded.start()
    with django_capture_on_commit_callbacks(execute=True), access_changes.without_notifications():
        Membership.objects.create(user=bob, organisation=org_a, role=Role.VISITOR)

    assert len(recorded.sentences()) == 1
    assert mail.outbox == []


# --- The page -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("coordinator", 200),
        ("second_coordinator", 200),
        ("visitor_a", 403),
        ("legal", 403),
        ("advocacy", 403),
        ("partner", 403),
    ],
)
def test_every_coordinator_reads_the_page_and_nobody_else(client, request, persona, status):
    sign_in(client, request.getfixturevalue(persona))

    assert client.get(PAGE).status_code == status


def test_an_anonymous_visitor_is_sent_to_sign_in(client):
    response = client.get(PAGE)

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_the_page_lists_the_changes_newest_first(client, anne, second_coordinator, bob, org_a):
    services.add_membership(email=bob.email, organisation=org_a, role=Role.VISITOR, by=anne)
    services.add_membership(
        email=anne.email, organisation=org_a, role=Role.VISITOR, by=second_coordinator
    )
    sign_in(client, anne)

    text = client.get(PAGE).content.decode()

    newer = f"{second_coordinator} (coordinator) added Anne Coord as visitor of JRS"
    older = "Anne Coord (coordinator) added Bob Martin as visitor of JRS"
    assert newer in text and older in text
    assert text.index(newer) < text.index(older)


def test_the_page_filters_by_organisation_and_period(client, anne, bob, org_a, org_b):
    services.add_membership(email=bob.email, organisation=org_a, role=Role.VISITOR, by=anne)
    services.add_membership(email=bob.email, organisation=org_b, role=Role.LEGAL, by=anne)
    access_changes.entries().filter(additional_data__organisation="Caritas").update(
        timestamp=timezone.now() - datetime.timedelta(days=40)
    )
    sign_in(client, anne)
    of_jrs = "added Bob Martin as visitor of JRS"
    of_caritas = "added Bob Martin as lawyer of Caritas"

    by_organisation = client.get(PAGE, {"organisation": str(org_b.code)}).content.decode()
    last_month = (timezone.localdate() - datetime.timedelta(days=30)).isoformat()
    by_period = client.get(PAGE, {"date_from": last_month}).content.decode()
    earlier = client.get(
        PAGE, {"date_to": (timezone.localdate() - datetime.timedelta(days=35)).isoformat()}
    ).content.decode()

    assert of_caritas in by_organisation and of_jrs not in by_organisation
    assert of_jrs in by_period and of_caritas not in by_period
    assert of_caritas in earlier and of_jrs not in earlier


def test_an_unreadable_filter_is_left_out_with_a_message(client, anne, bob, org_a):
    services.add_membership(email=bob.email, organisation=org_a, role=Role.VISITOR, by=anne)
    sign_in(client, anne)

    response = client.get(PAGE, {"date_from": "2026-02-31", "organisation": "nope"})

    assert response.status_code == 200
    assert "Some filters could not be read; they are left out." in response.content.decode()
    assert "added Bob Martin as visitor of JRS" in response.content.decode()


def test_the_page_costs_the_same_few_queries_whatever_the_rows(client, anne, org_a, org_b):
    def grow(count):
        for number in range(count):
            person = member(
                Role.VISITOR, email=f"grown{number}-{Organisation.objects.count()}@x.org"
            )
            services.add_membership(
                email=person.email, organisation=org_a, role=Role.LEGAL, by=anne
            )

    sign_in(client, anne)
    client.get("/")  # the session's first request writes it
    counts = []
    for count in (1, 30):
        grow(count)
        for query in ({}, {"organisation": str(org_a.code), "date_from": "2026-01-01"}):
            with CaptureQueriesContext(connection) as queries:
                response = client.get(PAGE, query)
            assert response.status_code == 200
            counts.append(len(queries))

    assert max(counts) <= 8, counts
    assert counts[:2] == counts[2:], counts


# --- Navigation ---------------------------------------------------------------------------


def test_coordinators_find_the_access_changes_and_the_access_log_in_the_navigation(
    client, coordinator
):
    sign_in(client, coordinator)

    text = client.get(reverse("home")).content.decode()

    assert f'href="{PAGE}"' in text
    assert f'href="{reverse("privacy:accesslog-list")}"' in text


@pytest.mark.parametrize("persona", ["visitor_a", "legal", "advocacy", "partner"])
def test_other_roles_do_not(client, request, persona):
    sign_in(client, request.getfixturevalue(persona))

    text = client.get(reverse("home")).content.decode()

    assert f'href="{PAGE}"' not in text
    assert f'href="{reverse("privacy:accesslog-list")}"' not in text


# --- Partners never learn who made a change (DESIGN.md §3: names hidden from them) --------


@pytest.fixture
def anneke(org_a):
    return with_totp(
        member(
            Role.VISITOR,
            org_a,
            email="anneke.visitor@example.org",
            first_name="Anneke",
            last_name="Visitorname",
        )
    )


@pytest.fixture
def report_a(org_a):
    centre = CentreFactory(name_fr="Caricole", name_nl="Caricole")
    visit = Visit.objects.create(centre=centre, date=datetime.date(2026, 3, 2))
    return VisitReport.objects.create(
        visit=visit, organisation=org_a, language="fr", status="submitted"
    )


def mailbox_of(address):
    messages = [message for message in mail.outbox if message.to == [address]]
    return " ".join(message.subject + "\n" + message.body for message in messages), messages


def test_a_partner_is_told_of_a_share_and_its_end_without_who_made_them(
    anneke, report_a, partner, org_a, django_capture_on_commit_callbacks
):
    coordinator_of_jrs = member(Role.COORDINATOR, org_a, email="coord.jrs@example.org")
    with django_capture_on_commit_callbacks(execute=True), access_changes.acting(anneke):
        permissions.share(report_a, partner.memberships.get().organisation, "view_visitreport")
    with django_capture_on_commit_callbacks(execute=True), access_changes.acting(anneke):
        permissions.unshare(report_a, partner.memberships.get().organisation, "view_visitreport")

    text, messages = mailbox_of(partner.email)
    assert len(messages) == 2
    assert "Anneke" not in text and "Visitorname" not in text
    assert "anneke.visitor@example.org" not in text
    visit = report_a.visit
    assert f"A member of JRS shared the report of the visit {visit} with Myria" in text
    assert f"A member of JRS stopped sharing the report of the visit {visit} with Myria" in text
    # The organisation that owns the report is told who did it.
    text, messages = mailbox_of(coordinator_of_jrs.email)
    assert len(messages) == 2
    assert f"Anneke Visitorname (visitor) shared the report of the visit {visit}" in text


def test_a_partner_told_of_a_coordinators_change_reads_a_member_of_the_coalition(
    coordinator, report_a, partner, partner_org, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True), access_changes.acting(coordinator):
        permissions.share(report_a, partner_org, "view_visitreport")

    text, _messages = mailbox_of(partner.email)
    assert str(coordinator) not in text and coordinator.email not in text
    assert "A member of the coalition shared the report of the visit" in text


def test_a_partner_is_told_of_its_own_memberships_without_who_made_them(
    anne, partner, partner_org, bob, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.add_membership(
            email=bob.email, organisation=partner_org, role=Role.PARTNER, by=anne
        )

    text, _messages = mailbox_of(partner.email)
    assert "Anne" not in text and "anne@example.org" not in text
    assert "A member of the coalition added Bob Martin as partner of Myria" in text


def test_the_page_still_names_who_made_a_share(client, anneke, report_a, partner_org, coordinator):
    with access_changes.acting(anneke):
        permissions.share(report_a, partner_org, "view_visitreport")
    sign_in(client, coordinator)

    text = client.get(PAGE).content.decode()

    assert "Anneke Visitorname (visitor) shared the report of the visit" in text
