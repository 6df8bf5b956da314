"""Case files through their pages: who sees what, bad input, the access log."""

import datetime

import pytest
from django.db import connection
from django.urls import reverse

from detainees import services
from detainees.models import Accompaniment, DetentionSpell, Identity, Person
from move.privacy.models import AccessLogEntry
from tests.conftest import sign_in
from tests.detainees.conftest import held_since, new_person, spell
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


def detail(person):
    return reverse("detainees:person-detail", kwargs={"key": person.key})


def url(name, person):
    return reverse(f"detainees:{name}", kwargs={"key": person.key})


# --- Who sees a case file ---------------------------------------------------------------


def test_the_owning_organisation_reads_its_case_file(client, visitor_a, person_a):
    response = sign_in(client, visitor_a).get(detail(person_a))
    assert response.status_code == 200
    assert person_a.code in response.content.decode()


def test_another_organisation_does_not_find_the_case_file(client, visitor_b, person_a):
    sign_in(client, visitor_b)
    assert client.get(detail(person_a)).status_code == 404
    assert client.get(url("identity-detail", person_a)).status_code == 404
    assert client.get(reverse("detainees:person-list")).context["people"] == []


def test_guessing_a_code_or_a_key_finds_nothing(client, visitor_b, person_a):
    sign_in(client, visitor_b)
    listing = client.get(reverse("detainees:person-list"), {"code": person_a.code})
    assert listing.context["people"] == []
    assert "No case file matches" in listing.content.decode()
    assert client.get(f"/people/{person_a.pk}/").status_code == 404
    assert client.get("/people/00000000-0000-0000-0000-000000000000/").status_code == 404


def test_a_coordinator_sees_the_pseudonymised_file_but_never_the_identity(
    client, coordinator, person_a
):
    sign_in(client, coordinator)
    page = client.get(detail(person_a)).content.decode()
    assert person_a.code in page and "Benali" not in page
    assert "identity" not in page.split("<main", 1)[1].lower().replace("identity-", "")
    assert client.get(url("identity-detail", person_a)).status_code == 403
    assert client.get(url("person-update", person_a)).status_code == 403
    assert not AccessLogEntry.objects.filter(subject=person_a.code, user=coordinator).exists()


@pytest.mark.parametrize("persona", ["partner", "advocacy", "witness_pool"])
def test_other_roles_see_no_case_file_at_all(persona, persona_client, person_a):
    client = persona_client(persona)
    assert client.get(reverse("detainees:person-list")).status_code == 403
    assert client.get(detail(person_a)).status_code == 404


def test_the_lawyer_sees_no_case_file_that_no_help_request_links(persona_client, person_a):
    """The lawyer reads the files linked to a help request (tests/legal); none here."""
    client = persona_client("legal")
    response = client.get(reverse("detainees:person-list"))
    assert response.status_code == 200
    assert person_a.code not in response.content.decode()
    assert client.get(detail(person_a)).status_code == 404


def test_a_share_opens_the_file_to_the_other_organisation_and_is_logged(
    client, visitor_a, visitor_b, org_b, person_a
):
    sign_in(client, visitor_a)
    response = client.post(url("person-share", person_a), {"organisation": org_b.pk})
    assert response.status_code == 302
    entry = AccessLogEntry.objects.get(subject=person_a.code, action="share")
    assert entry.user == visitor_a and org_b.short_name in entry.detail
    client.logout()
    sign_in(client, visitor_b)
    assert client.get(detail(person_a)).status_code == 200
    # The case file, not the identity (not shared), and not the right to change it.
    assert client.get(url("identity-detail", person_a)).status_code == 403
    assert client.get(url("person-update", person_a)).status_code == 403


def test_sharing_the_identity_lets_the_other_organisation_read_it_logged(
    client, visitor_a, visitor_b, org_b, person_a
):
    services.share_person(visitor_a, person_a, org_b, True, "/test")
    sign_in(client, visitor_b)
    response = client.get(url("identity-detail", person_a))
    assert response.status_code == 200 and "Benali" in response.content.decode()
    assert AccessLogEntry.objects.filter(
        subject=person_a.code, action="read_identity", user=visitor_b
    ).exists()


def test_a_withdrawn_share_closes_the_file_again(client, visitor_a, visitor_b, org_b, person_a):
    services.share_person(visitor_a, person_a, org_b, True, "/test")
    sign_in(client, visitor_a).post(url("person-share", person_a), {"withdraw": org_b.pk})
    assert AccessLogEntry.objects.filter(subject=person_a.code, action="unshare").exists()
    client.logout()
    assert sign_in(client, visitor_b).get(detail(person_a)).status_code == 404


def test_a_share_to_an_organisation_that_does_not_exist_is_refused(client, visitor_a, person_a):
    sign_in(client, visitor_a)
    response = client.post(url("person-share", person_a), {"organisation": 999999})
    assert response.status_code == 400
    assert "Choose one of the coalition" in response.content.decode()
    assert not AccessLogEntry.objects.filter(action="share").exists()


def test_a_case_file_is_never_shared_with_a_partner(client, visitor_a, partner_org, person_a):
    sign_in(client, visitor_a)
    response = client.post(url("person-share", person_a), {"organisation": partner_org.pk})
    assert response.status_code == 400


# --- Identity ---------------------------------------------------------------------------


def test_every_reading_of_an_identity_is_in_the_access_log(client, visitor_a, person_a):
    sign_in(client, visitor_a)
    for _ in range(2):
        response = client.get(url("identity-detail", person_a))
        assert "Benali" in response.content.decode()
    entries = AccessLogEntry.objects.filter(subject=person_a.code, action="read_identity")
    assert entries.count() == 2
    assert entries.first().page == url("identity-detail", person_a)
    assert entries.first().user_label == visitor_a.email


def test_the_identity_is_stored_encrypted(person_a):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT surname, given_names FROM detainees_identity WHERE person_id = %s",
            [person_a.pk],
        )
        stored = cursor.fetchone()
    assert "Benali" not in "".join(stored) and "Amina" not in "".join(stored)
    assert Identity.objects.get(person=person_a).surname == "Benali"


def test_changing_the_identity_is_logged_and_a_future_birth_date_refused(
    client, visitor_a, person_a
):
    sign_in(client, visitor_a)
    future = (datetime.date.today() + datetime.timedelta(days=3)).isoformat()
    bad = client.post(url("identity-update", person_a), {"surname": "X", "date_of_birth": future})
    assert bad.status_code == 400
    assert Identity.objects.get(person=person_a).surname == "Benali"
    seen = client.get(url("identity-update", person_a)).context["form"].initial["seen"]
    good = client.post(
        url("identity-update", person_a), {"surname": "Benali-Idrissi", "seen": seen}
    )
    assert good.status_code == 302
    assert Identity.objects.get(person=person_a).surname == "Benali-Idrissi"
    assert AccessLogEntry.objects.filter(subject=person_a.code, action="change_identity").exists()


# --- Creating a case file ---------------------------------------------------------------


def form_data(org, centre, **extra):
    return {
        "organisation": org.pk,
        "sex": "m",
        "birth_year": 1995,
        "nationality": "GN",
        "legal_basis": "legitimate_interest",
        "centre": centre.pk,
        "since": held_since(10).isoformat(),
        "ground": "irregular_stay",
        **extra,
    }


def test_a_visitor_creates_a_case_file_with_a_code_a_spell_and_an_identity(
    client, visitor_a, org_a, centre
):
    sign_in(client, visitor_a)
    data = form_data(org_a, centre, given_names="Mamadou", surname="Diallo")
    response = client.post(reverse("detainees:person-create"), data)
    person = Person.objects.get()
    assert response.status_code == 302 and response.url == detail(person)
    assert person.code.startswith(f"P-{datetime.date.today().year}-")
    assert person.organisation == org_a and person.created_by == visitor_a
    assert person.spells.get().centre == centre
    assert person.identity.full_name() == "Mamadou Diallo"


def test_a_new_person_met_during_a_visit_gets_the_meeting_recorded(
    client, visitor_a, org_a, centre, visit_a
):
    sign_in(client, visitor_a)
    page = client.get(reverse("detainees:person-create"), {"visit": visit_a.code})
    assert page.status_code == 200
    data = form_data(org_a, centre, visit=visit_a.code, since=held_since(20).isoformat())
    client.post(reverse("detainees:person-create"), data)
    person = Person.objects.get()
    assert person.accompaniments.get().visit == visit_a
    visit_page = client.get(reverse("visits:visit-update", kwargs={"code": visit_a.code}))
    assert person.code in visit_page.content.decode()


def test_a_year_of_birth_in_the_future_is_refused_and_nothing_saved(
    client, visitor_a, org_a, centre
):
    sign_in(client, visitor_a)
    data = form_data(org_a, centre, birth_year=datetime.date.today().year + 1)
    response = client.post(reverse("detainees:person-create"), data)
    assert response.status_code == 400
    assert "cannot be in the future" in response.content.decode()
    assert not Person.objects.exists()


def test_likely_duplicates_are_shown_before_creating(client, visitor_a, org_a, centre, person_a):
    sign_in(client, visitor_a)
    same = form_data(org_a, centre, birth_year=1990, nationality="MA")
    response = client.post(reverse("detainees:person-create"), same)
    assert response.status_code == 200
    assert person_a.code in response.content.decode()
    assert Person.objects.count() == 1
    confirmed = client.post(reverse("detainees:person-create"), {**same, "different_person": "on"})
    assert confirmed.status_code == 302 and Person.objects.count() == 2


def test_the_same_name_is_a_likely_duplicate_whatever_the_case(visitor_a, org_a, person_a):
    found = services.likely_duplicates(visitor_a, full_name="amina  BENALI")
    assert found == [person_a]


def test_duplicates_are_looked_for_in_ones_own_organisation_only(visitor_b, person_a, centre):
    found = services.likely_duplicates(
        visitor_b, birth_year=1990, nationality="MA", centre=centre, full_name="Amina Benali"
    )
    assert found == []


def test_a_spell_in_a_centre_that_was_not_open_then_is_refused(client, visitor_a, org_a, centre):
    centre.opened_on = held_since(5)
    centre.save()
    sign_in(client, visitor_a)
    response = client.post(reverse("detainees:person-create"), form_data(org_a, centre))
    assert response.status_code == 400
    assert "was not open" in response.content.decode()
    assert not Person.objects.exists()


# --- Spells, transfer, release ------------------------------------------------------------


def test_a_spell_ending_before_it_starts_is_refused(client, visitor_a, person_a, other_centre):
    person_a.spells.update(end=held_since(20), outcome="released")
    sign_in(client, visitor_a)
    data = {
        "centre": other_centre.pk,
        "start": held_since(5).isoformat(),
        "end": held_since(8).isoformat(),
        "ground": "irregular_stay",
        "new_order": "on",
        "outcome": "released",
    }
    response = client.post(url("spell-create", person_a), data)
    assert response.status_code == 400
    assert "cannot end before it starts" in response.content.decode()
    assert person_a.spells.count() == 1


def test_overlapping_spells_are_refused(client, visitor_a, person_a, other_centre):
    sign_in(client, visitor_a)
    data = {
        "centre": other_centre.pk,
        "start": held_since(15).isoformat(),
        "ground": "irregular_stay",
        "new_order": "on",
    }
    response = client.post(url("spell-create", person_a), data)
    assert response.status_code == 400
    assert "overlaps" in response.content.decode()
    assert person_a.spells.count() == 1


def test_a_transfer_then_a_release(client, visitor_a, person_a, centre, other_centre):
    sign_in(client, visitor_a)
    day = held_since(5).isoformat()
    response = client.post(url("person-transfer", person_a), {"centre": other_centre.pk, "on": day})
    assert response.status_code == 302
    first, second = person_a.spells.order_by("start")
    assert (first.centre, first.end, first.outcome) == (centre, held_since(5), "transferred")
    assert (second.centre, second.end, second.new_order) == (other_centre, None, False)
    page = client.get(detail(person_a)).content.decode()
    assert "30 days in detention" in page  # the transfer did not restart the count
    response = client.post(
        url("person-release", person_a), {"outcome": "released", "on": held_since(1).isoformat()}
    )
    assert response.status_code == 302
    person_a.refresh_from_db()
    assert person_a.status == "released"
    assert person_a.spells.get(pk=second.pk).end == held_since(1)


def test_a_transfer_before_the_detention_started_changes_nothing(
    client, visitor_a, person_a, other_centre
):
    sign_in(client, visitor_a)
    day = held_since(40).isoformat()
    response = client.post(url("person-transfer", person_a), {"centre": other_centre.pk, "on": day})
    assert response.status_code == 400
    assert person_a.spells.get().end is None


def test_releasing_someone_not_detained_is_refused(client, visitor_a, person_a):
    person_a.spells.update(end=held_since(3), outcome="released")
    sign_in(client, visitor_a)
    response = client.post(
        url("person-release", person_a), {"outcome": "released", "on": held_since(1).isoformat()}
    )
    assert response.status_code == 400
    assert "not detained now" in response.content.decode()


def test_the_case_file_warns_before_the_two_month_limit(client, visitor_a, org_a, centre):
    person = new_person(visitor_a, org_a, centre, since=55, name=None)
    page = sign_in(client, visitor_a).get(detail(person)).content.decode()
    assert 'role="alert"' in page and "2 months" in page


# --- Meetings ----------------------------------------------------------------------------


def test_a_meeting_during_a_visit_of_another_organisation_is_refused(
    client, visitor_a, person_a, visit_b
):
    sign_in(client, visitor_a)
    response = client.post(url("accompaniment-create", person_a), {"visit": visit_b.pk})
    assert response.status_code == 400
    assert "another organisation" in response.content.decode()
    assert not Accompaniment.objects.exists()


def test_a_meeting_is_recorded_with_its_topics(client, visitor_a, person_a, visit_a):
    from visits.models import Theme

    theme = Theme.objects.create(code="legal-aid-t", name_fr="Aide", name_nl="Hulp")
    sign_in(client, visitor_a)
    response = client.post(
        url("accompaniment-create", person_a),
        {"visit": visit_a.pk, "topics": [theme.pk], "actions": "Call the lawyer"},
    )
    assert response.status_code == 302
    meeting = Accompaniment.objects.get()
    assert meeting.met_by == visitor_a and list(meeting.topics.all()) == [theme]
    again = client.post(url("accompaniment-create", person_a), {"visit": visit_a.pk})
    assert again.status_code == 400 and Accompaniment.objects.count() == 1


def test_a_referral_is_recorded_and_updated(client, visitor_a, person_a):
    sign_in(client, visitor_a)
    today = datetime.date.today().isoformat()
    client.post(
        url("referral-create", person_a),
        {"kind": "outside", "to_whom": "Medimmigrant", "on": today, "outcome": "pending"},
    )
    referral = person_a.referrals.get()
    update = reverse("detainees:referral-update", kwargs={"key": referral.key})
    data = {"kind": "outside", "to_whom": "Medimmigrant", "on": today, "outcome": "taken_up"}
    assert client.post(update, {**data, "version": 1}).status_code == 302
    referral.refresh_from_db()
    assert referral.outcome == "taken_up"
    # A form opened before that save does not write over it.
    stale = client.post(update, {**data, "outcome": "declined", "version": 1})
    assert stale.status_code == 400 and "Someone else saved" in stale.content.decode()
    referral.refresh_from_db()
    assert referral.outcome == "taken_up"


def test_another_organisation_cannot_reach_a_referral(client, visitor_a, visitor_b, person_a):
    referral = person_a.referrals.create(kind="help_desk", created_by=visitor_a)
    sign_in(client, visitor_b)
    update = reverse("detainees:referral-update", kwargs={"key": referral.key})
    assert client.get(update).status_code == 404


# --- Lists and query counts ----------------------------------------------------------------


def test_the_list_shows_the_organisations_files_in_one_constant_number_of_queries(
    client, visitor_a, org_a, centre, django_assert_max_num_queries
):
    for number in range(3):
        new_person(visitor_a, org_a, centre, name=None, birth_year=1980 + number)
    sign_in(client, visitor_a)
    client.get(reverse("home"))
    with django_assert_max_num_queries(8) as few:
        client.get(reverse("detainees:person-list"))
    for number in range(20):
        new_person(visitor_a, org_a, centre, name=None, birth_year=1960 + number)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("detainees:person-list"))
    assert response.content.decode().count("/people/") >= 23


def test_the_list_pages_by_the_last_row_seen(client, visitor_a, org_a, centre):
    for number in range(55):
        Person.objects.create(code=f"P-2020-{number:04d}", organisation=org_a)
    sign_in(client, visitor_a)
    first = client.get(reverse("detainees:person-list"))
    following = first.context["following"]
    assert following and len(first.context["people"]) == 50
    second = client.get(reverse("detainees:person-list") + "?" + following)
    codes = {p.code for p in first.context["people"]} | {p.code for p in second.context["people"]}
    assert len(codes) == 55


def test_the_case_file_page_does_not_grow_with_its_meetings(
    client, visitor_a, person_a, centre, django_assert_max_num_queries
):
    from visits.models import Theme, Visit

    theme = Theme.objects.create(code="t-q", name_fr="T", name_nl="T")
    for days in range(8, 20):
        visit = Visit.objects.create(centre=centre, date=held_since(days), status="done")
        visit.visitors.add(visitor_a)
        meeting = Accompaniment.objects.create(person=person_a, visit=visit, met_by=visitor_a)
        meeting.topics.add(theme)
        person_a.referrals.create(kind="lawyer", created_by=visitor_a)
    sign_in(client, visitor_a)
    # The first page after the theme was created reads the reference rows (centres,
    # themes, organisations: visits/listing.py) again, as any list would; then they are kept.
    client.get(detail(person_a))
    with django_assert_max_num_queries(8):
        response = client.get(detail(person_a))
    assert response.content.decode().count("Topics:") == 12


def test_visible_to_is_one_query_for_a_visitor_with_shares(visitor_b, org_a, org_b, person_a):
    other = Person.objects.create(code="P-2020-0099", organisation=OrganisationFactory())
    services.share_person(
        type(visitor_b).objects.get(memberships__organisation=org_a), person_a, org_b, False, ""
    )
    from django.test.utils import CaptureQueriesContext

    from move.accounts import permissions

    permissions.memberships_of(visitor_b)
    with CaptureQueriesContext(connection) as queries:
        seen = list(Person.objects.visible_to(visitor_b))
    assert seen == [person_a] and other not in seen
    assert len(queries) == 1


def test_spells_keep_their_order_constraint_in_the_database(person_a, centre):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        spell(person_a, centre, held_since(2), held_since(4))
    assert DetentionSpell.objects.filter(person=person_a).count() == 1


def test_names_from_the_organisations_identities_are_flagged_in_its_reports(
    visitor_a, org_a, person_a, visit_a
):
    from visits.models import VisitReport
    from visits.reports import unresolved_findings

    report = VisitReport.objects.create(
        visit=visit_a,
        organisation=org_a,
        language="fr",
        general_conditions="Nous avons revu Mme Benali, toujours sans avocat.",
    )
    found = unresolved_findings(report)
    assert [(item.finding.kind, item.finding.text) for item in found] == [("known_name", "Benali")]
    report.general_conditions = f"Nous avons revu {person_a.code}, toujours sans avocat."
    assert unresolved_findings(report) == []


def test_the_list_filters_by_the_centre_where_people_are_held_now(
    client, visitor_a, org_a, centre, other_centre, person_a
):
    elsewhere = new_person(visitor_a, org_a, other_centre, name=None)
    sign_in(client, visitor_a)
    here = client.get(reverse("detainees:person-list"), {"centre": centre.pk}).context["people"]
    there = client.get(reverse("detainees:person-list"), {"centre": other_centre.pk})
    assert [p.code for p in here] == [person_a.code]
    assert [p.code for p in there.context["people"]] == [elsewhere.code]
    assert here[0].current_centre == centre


def test_an_empty_identity_form_keeps_no_empty_identity(visitor_a, org_a, centre):
    person = new_person(visitor_a, org_a, centre, name=None)
    assert services.save_identity(visitor_a, person, {"surname": ""}, "/test") is None
    assert not Identity.objects.filter(person=person).exists()


def test_from_a_visit_a_known_person_is_found_and_the_meeting_recorded(
    client, visitor_a, person_a, visit_a
):
    sign_in(client, visitor_a)
    visit_page = client.get(reverse("visits:visit-update", kwargs={"code": visit_a.code}))
    assert f"?visit={visit_a.code}" in visit_page.content.decode()
    listing = client.get(reverse("detainees:person-list"), {"visit": str(visit_a.code)})
    record = f"{url('accompaniment-create', person_a)}?visit={visit_a.code}"
    assert record in listing.content.decode()
    form = client.get(record)
    assert form.context["form"].initial["visit"] == visit_a.pk
    assert client.post(record, {"visit": visit_a.pk}).status_code == 302
    assert person_a.accompaniments.get().visit == visit_a


def test_the_names_the_scanner_looks_for_are_cached_encrypted_and_follow_the_identities(
    visitor_a, org_a, person_a, django_assert_num_queries, django_capture_on_commit_callbacks
):
    from django.core.cache import cache

    from move.privacy.registry import known_names

    assert known_names(org_a) == ["Amina Benali"]
    with django_assert_num_queries(0):
        assert known_names(org_a) == ["Amina Benali"]
    assert "Benali" not in cache.get(services._names_key(org_a.pk))
    with django_capture_on_commit_callbacks(execute=True):
        services.save_identity(visitor_a, person_a, {"surname": "Idrissi"}, "/test")
    with django_assert_num_queries(0):  # rebuilt when the change was committed
        assert known_names(org_a) == ["Amina Idrissi"]
    Identity.objects.filter(person=person_a).delete()
    assert known_names(org_a) == []


def test_a_coordinators_correction_cannot_probe_the_names_of_the_identities(
    client, coordinator, visitor_a, org_a, person_a, visit_a
):
    """A correction containing a case file's name is refused to the organisation's
    visitors (they know the names); to a coordinator, who may not read identities, the
    refusal would reveal that the name is in them, so names are not looked for."""
    from tests.visits.test_report_editor import typed
    from visits.models import VisitReport

    report = VisitReport.objects.create(
        visit=visit_a, organisation=org_a, language="fr", status="submitted"
    )
    report.authors.add(visitor_a)
    update = reverse("visits:report-update", kwargs={"code": report.code})
    sign_in(client, visitor_a)
    refused = client.post(update, typed(report, atmosphere="Revu Amina Benali."))
    assert refused.status_code == 409
    client.logout()
    sign_in(client, coordinator)
    response = client.post(update, typed(report, atmosphere="Revu Amina Benali."))
    assert response.status_code == 302  # no answer tells the name apart from any other
    # Sharing still looks for every name: the report cannot leave the coalition with it.
    from visits.reports import unresolved_findings

    report.refresh_from_db()
    assert [item.finding.kind for item in unresolved_findings(report)] == ["known_name"]


def test_an_erased_persons_code_is_never_given_again(visitor_a, visitor_b, org_a, org_b):
    from detainees.erasure import erase_person

    first = new_person(visitor_a, org_a, name=None)
    last = new_person(visitor_a, org_a, name=None)
    erase_person(visitor_a, last, "/test")
    following = new_person(visitor_b, org_b, name=None)
    assert following.code != last.code
    assert int(following.code.rsplit("-", 1)[1]) == int(first.code.rsplit("-", 1)[1]) + 2


def test_codes_go_past_9999_in_numeric_order(visitor_a, org_a):
    from detainees.models import CodeSequence

    year = datetime.date.today().year
    Person.objects.create(code=f"P-{year}-9999", organisation=org_a)
    assert new_person(visitor_a, org_a, name=None).code == f"P-{year}-10000"
    assert new_person(visitor_a, org_a, name=None).code == f"P-{year}-10001"
    assert CodeSequence.objects.get(prefix="P", year=year).last == 10001


def test_two_people_editing_an_identity_at_once_do_not_overwrite_each_other(
    client, visitor_a, person_a
):
    sign_in(client, visitor_a)
    form = client.get(url("identity-update", person_a)).context["form"]
    opened = form.initial["seen"]
    # Meanwhile a colleague adds the lawyer's contacts.
    services.save_identity(visitor_a, person_a, {"contacts": "Me Dubois"}, "/elsewhere")
    typed = {"given_names": "Amina", "surname": "Benali", "seen": opened}
    refused = client.post(url("identity-update", person_a), typed)
    assert refused.status_code == 400
    assert "Someone else saved" in refused.content.decode()
    assert Identity.objects.get(person=person_a).contacts == "Me Dubois"
    # The form shown again carries the new version: saving again is a choice.
    again = refused.context["form"].data["seen"]
    assert again != opened
    assert (
        client.post(url("identity-update", person_a), {**typed, "seen": again}).status_code == 302
    )


# --- Found in review ---------------------------------------------------------------------


def test_a_new_detention_order_restarts_the_count_in_the_same_centre(
    client, visitor_a, person_a, centre
):
    sign_in(client, visitor_a)
    day = held_since(4).isoformat()
    data = {"centre": centre.pk, "on": day, "new_order": "on"}
    assert client.post(url("person-transfer", person_a), data).status_code == 302
    first, second = person_a.spells.order_by("start")
    assert (first.outcome, second.new_order, second.centre) == ("new_order", True, centre)
    person_a.refresh_from_db()
    assert person_a.status == "detained"
    assert "4 days in detention" in client.get(detail(person_a)).content.decode()


def test_an_ended_spell_recorded_later_sets_the_status(client, visitor_a, org_a, centre):
    person = new_person(visitor_a, org_a, name=None)
    sign_in(client, visitor_a)
    data = {
        "centre": centre.pk,
        "start": held_since(20).isoformat(),
        "end": held_since(2).isoformat(),
        "ground": "irregular_stay",
        "new_order": "on",
        "outcome": "removed",
    }
    assert client.post(url("spell-create", person), data).status_code == 302
    person.refresh_from_db()
    assert person.status == "removed"


def test_a_release_recorded_while_the_file_is_open_elsewhere_is_not_undone(
    client, visitor_a, person_a
):
    sign_in(client, visitor_a)
    form = client.get(url("person-update", person_a)).context["form"]
    typed = {name: value for name, value in form.initial.items() if value not in (None, [])}
    typed |= {"status": "detained", "notes": "Seen twice", "version": form["version"].value()}
    # Saved as opened, the form goes through.
    assert client.post(url("person-update", person_a), typed).status_code == 302
    form = client.get(url("person-update", person_a)).context["form"]
    typed["version"] = form["version"].value()
    services.end_detention(visitor_a, person_a, held_since(1), "released")
    response = client.post(url("person-update", person_a), {**typed, "notes": "Seen again"})
    assert response.status_code == 400
    person_a.refresh_from_db()
    assert person_a.status == "released" and person_a.notes == "Seen twice"


def test_a_meeting_cannot_be_recorded_for_a_visit_to_come_or_cancelled(
    client, visitor_a, person_a, centre
):
    from visits.models import Visit

    sign_in(client, visitor_a)
    for date, status in ((held_since(-3), "planned"), (held_since(2), "cancelled")):
        visit = Visit.objects.create(centre=centre, date=date, status=status)
        visit.visitors.add(visitor_a)
        response = client.post(url("accompaniment-create", person_a), {"visit": visit.pk})
        assert response.status_code == 400
        assert "took place" in response.content.decode()
    assert not Accompaniment.objects.exists()


def test_a_spell_still_running_in_a_centre_that_closed_is_refused(
    client, visitor_a, person_a, other_centre
):
    other_centre.closed_on = held_since(3)
    other_centre.save()
    sign_in(client, visitor_a)
    data = {"centre": other_centre.pk, "on": held_since(5).isoformat()}
    response = client.post(url("person-transfer", person_a), data)
    assert response.status_code == 400
    assert "was not open" in response.content.decode()
    assert person_a.spells.get().end is None


@pytest.mark.parametrize(
    ("path", "query"),
    [("detainees:person-list", {"after": "²"}), ("detainees:person-list", {"centre": "²"})],
)
def test_digits_that_are_not_numbers_are_ignored_not_a_crash(client, visitor_a, path, query):
    sign_in(client, visitor_a)
    assert client.get(reverse(path), query).status_code == 200


def test_withdrawing_a_share_with_something_else_than_a_number_finds_nothing(
    client, visitor_a, person_a
):
    sign_in(client, visitor_a)
    assert client.post(url("person-share", person_a), {"withdraw": "²"}).status_code == 404


def test_a_share_is_withdrawn_even_after_the_organisation_was_switched_off(
    client, visitor_a, visitor_b, org_b, person_a
):
    services.share_person(visitor_a, person_a, org_b, False, "/test")
    org_b.active = False
    org_b.save()
    sign_in(client, visitor_a)
    assert client.post(url("person-share", person_a), {"withdraw": org_b.pk}).status_code == 302
    assert services.shares_of(person_a) == []


def test_identity_pages_are_not_kept_in_the_browsers_cache(client, visitor_a, person_a):
    sign_in(client, visitor_a)
    for name in ("identity-detail", "identity-update"):
        assert "no-store" in client.get(url(name, person_a))["Cache-Control"]


def test_a_visitor_of_two_organisations_chooses_which_keeps_a_new_family(
    client, visitor_a, org_a, org_b
):
    from detainees.models import Family
    from move.accounts.models import Membership

    Membership.objects.create(user=visitor_a, organisation=org_b, role="visitor")
    sign_in(client, visitor_a)
    data = {"organisation": org_b.pk, "adults": 2, "children_ages": "4, 9"}
    assert client.post(reverse("detainees:family-create"), data).status_code == 302
    family = Family.objects.get()
    assert (family.organisation, family.children_ages) == (org_b, [4, 9])


def test_the_identity_of_someone_recorded_as_detained_is_kept(visitor_a, org_a):
    from detainees import retention

    person = new_person(visitor_a, org_a)  # no spell, status detained
    Person.objects.filter(pk=person.pk).update(
        created_at=datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)
    )
    assert person not in list(retention.identity_due(datetime.date.today()))


def test_only_an_organisations_visitors_read_the_identities_it_keeps(
    visitor_a, visitor_b, coordinator, legal, org_a
):
    from move.accounts import permissions

    assert permissions.reads_identities_of(visitor_a, org_a.pk)
    for someone in (visitor_b, coordinator, legal):
        assert not permissions.reads_identities_of(someone, org_a.pk)


def test_a_case_file_is_shared_only_with_the_other_active_members_of_the_coalition(
    person_a, org_a, org_b, partner_org, coalition
):
    from move.accounts import permissions

    switched_off = OrganisationFactory(active=False)
    targets = set(permissions.case_file_share_targets(person_a))
    assert org_b in targets
    assert not targets & {org_a, partner_org, switched_off, coalition}


def test_the_list_shows_the_latest_visit_even_when_an_older_meeting_is_written_up_later(
    client, visitor_a, person_a, centre
):
    from visits.models import Visit

    for days in (3, 20):  # the older meeting is recorded last
        visit = Visit.objects.create(centre=centre, date=held_since(days), status="done")
        visit.visitors.add(visitor_a)
        services.record_accompaniment(visitor_a, person_a, Accompaniment(visit=visit))
    sign_in(client, visitor_a)
    (row,) = client.get(reverse("detainees:person-list")).context["people"]
    assert row.last_met == held_since(3)
