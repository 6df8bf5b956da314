"""Issue 9 §2, from review: no name reaches a partner unchecked, whoever shares and
whenever the case file holding it was opened; a correction waits for the authors'
check even when the page that sent it was loaded before their last check; a report
awaiting that check without a version last checked shows its readers no text; and
every share made outside a request names who made it."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from detainees import services as people
from detainees.models import Person
from move.accounts import access_changes
from tests.conftest import sign_in
from tests.factories import CentreFactory
from visits import editing, reports
from visits.models import Observation, Theme, Visit, VisitReport

pytestmark = pytest.mark.django_db

NAME = "Petrenko"
WRITTEN = f"{NAME} vroeg om een tolk."
OBSERVED = "Isolatie verlengd zonder uitleg."
HELD = "This report awaits its authors' check: it can be shared once they have confirmed it."


def url(name, report):
    return reverse(f"visits:{name}", kwargs={"code": report.code})


@pytest.fixture
def submitted(visitor_a, org_a):
    """A report of org_a submitted by visitor_a while no case file knows NAME."""
    theme = Theme.objects.create(code="other", name_fr="Autre", name_nl="Andere")
    visit = Visit.objects.create(
        centre=CentreFactory(), date=timezone.localdate() - timedelta(days=2), status="done"
    )
    visit.visitors.add(visitor_a)
    report = VisitReport.objects.create(
        visit=visit, organisation=org_a, language="nl", general_conditions=WRITTEN
    )
    report.authors.add(visitor_a)
    Observation.objects.create(report=report, theme=theme, centre=visit.centre, text=OBSERVED)
    reports.submit(report, by=visitor_a)
    report.refresh_from_db()
    return report


def open_case_file(visitor_a, org_a):
    """A case file holding NAME, opened after the report was submitted."""
    return people.create_person(
        visitor_a, Person(organisation=org_a), identity={"surname": NAME, "given_names": "Oksana"}
    )


# --- 1. A coordinator's share runs the full check -------------------------------------------


def test_a_name_known_since_submission_stops_the_coordinators_share_and_awaits_the_authors(
    client, submitted, visitor_a, org_a, coordinator, partner, partner_org
):
    """The coordinator may not be told that a name is found (that would tell them the
    word is in the identities): the report is held for its authors' check and the
    share is refused with the words said of any report awaiting that check. That this
    differs from a clean report's "shared" tells them nothing they could probe: the
    words are the authors' (a coordinator's own correction holds the report before any
    name is looked for)."""
    open_case_file(visitor_a, org_a)
    with pytest.raises(ValidationError, match="personal data remain"):
        reports.share(submitted, by=visitor_a, organisations=[partner_org])

    sign_in(client, coordinator)
    share_page = client.get(url("report-share", submitted)).content.decode()
    assert "personal data remain" not in share_page  # not counted for a coordinator
    response = client.post(url("report-share", submitted), {"organisations": [partner_org.pk]})

    assert response.status_code == 200
    page = response.content.decode()
    assert HELD in page  # the report now awaits the check: the page says so, once
    assert page.count("awaits its authors") == 1
    assert "Report shared." not in page
    assert "personal data" not in page and "Name of a person" not in page
    # Kept so although the share was refused.
    submitted.refresh_from_db()
    assert (submitted.status, submitted.awaiting_check) == ("submitted", True)
    assert submitted.checked_content["general_conditions"] == WRITTEN
    assert not submitted.shares.exists()

    sign_in(client, partner)
    for name in ("report-detail", "report-pdf"):
        assert client.get(url(name, submitted)).status_code == 404

    sign_in(client, visitor_a)
    detail = client.get(url("report-detail", submitted)).content.decode()
    assert "A correction awaits your check." in detail
    editor = client.get(url("report-update", submitted)).content.decode()
    assert f"<mark>{NAME}</mark>" in editor
    assert "Confirm the checked report" in editor


def test_the_refusal_of_a_held_share_is_not_undone_with_its_transaction(
    submitted, visitor_a, org_a, coordinator, partner_org
):
    open_case_file(visitor_a, org_a)
    version = submitted.version

    with pytest.raises(ValidationError) as refused:
        reports.share(submitted, by=coordinator, organisations=[partner_org])

    assert refused.value.messages == [HELD]
    with translation.override("nl"):
        assert refused.value.messages != [HELD]  # said in the reader's language
    saved = VisitReport.objects.get(pk=submitted.pk)
    assert (saved.awaiting_check, saved.version) == (True, version + 1)
    assert (submitted.awaiting_check, submitted.version) == (True, version + 1)
    # Shared once an author has replaced the name and confirmed.
    editing.save(
        submitted,
        editing.Changes({"general_conditions": "Hij vroeg om een tolk."}, {}),
        by=visitor_a,
        seen_version=submitted.version,
    )
    reports.confirm(submitted, by=visitor_a)
    reports.share(submitted, by=coordinator, organisations=[partner_org])
    submitted.refresh_from_db()
    assert (submitted.status, submitted.awaiting_check) == ("shared", False)


def test_findings_the_coordinator_may_see_are_still_counted_and_hold_nothing(
    submitted, coordinator, partner_org
):
    VisitReport.objects.filter(pk=submitted.pk).update(atmosphere="Mail: jan@example.org")
    submitted.refresh_from_db()

    with pytest.raises(ValidationError, match="One piece of personal data remains"):
        reports.share(submitted, by=coordinator, organisations=[partner_org])

    submitted.refresh_from_db()
    assert (submitted.status, submitted.awaiting_check) == ("submitted", False)


def test_a_partner_reading_a_report_held_at_a_later_share_keeps_what_they_read(
    client, submitted, visitor_a, org_a, coordinator, partner, partner_org
):
    from tests.factories import OrganisationFactory

    reports.share(submitted, by=visitor_a, organisations=[partner_org])
    open_case_file(visitor_a, org_a)

    with pytest.raises(ValidationError):
        reports.share(
            submitted, by=coordinator, organisations=[OrganisationFactory(kind="partner")]
        )

    submitted.refresh_from_db()
    assert (submitted.status, submitted.awaiting_check) == ("shared", True)
    sign_in(client, partner)
    assert OBSERVED in client.get(url("report-detail", submitted)).content.decode()


# --- 2. The decision to hold is taken on the saved row ---------------------------------------


def test_a_correction_from_a_page_loaded_before_the_authors_check_waits_again(
    submitted, visitor_a, coordinator, partner, partner_org
):
    reports.share(submitted, by=visitor_a, organisations=[partner_org])
    submitted.refresh_from_db()
    editing.save(
        submitted,
        editing.Changes({"atmosphere": "Kalm."}, {}),
        by=coordinator,
        seen_version=submitted.version,
    )
    stale = VisitReport.objects.get(pk=submitted.pk)  # as the coordinator's page loaded it
    assert stale.awaiting_check

    author_copy = VisitReport.objects.get(pk=submitted.pk)
    reports.confirm(author_copy, by=visitor_a)
    assert not VisitReport.objects.get(pk=submitted.pk).awaiting_check

    unchecked = "Nieuwe zin die niemand nakeek."
    editing.save(
        stale,
        editing.Changes({"general_conditions": unchecked}, {}),
        by=coordinator,
        seen_version=author_copy.version,
    )

    saved = VisitReport.objects.get(pk=submitted.pk)
    assert (saved.awaiting_check, saved.general_conditions) == (True, unchecked)
    assert saved.checked_content["general_conditions"] == WRITTEN
    assert saved.checked_content["atmosphere"] == "Kalm."  # as the author confirmed it
    shown, observations = reports.readable_version(saved, partner)
    assert shown.general_conditions == WRITTEN
    assert unchecked not in shown.general_conditions


# --- 3. Awaiting a check with no version last checked: no text -------------------------------


def test_a_report_awaiting_a_check_without_a_checked_version_shows_readers_no_text(
    client, submitted, visitor_a, coordinator, partner, partner_org, monkeypatch
):
    from visits import pdf

    reports.share(submitted, by=visitor_a, organisations=[partner_org])
    VisitReport.objects.filter(pk=submitted.pk).update(awaiting_check=True, checked_content=None)
    submitted.refresh_from_db()

    shown, observations = reports.readable_version(submitted, partner)
    assert (shown.general_conditions, shown.atmosphere, observations) == ("", "", [])
    assert shown.language == "nl"

    monkeypatch.setattr(pdf, "html_to_pdf", lambda html: html.encode())
    sign_in(client, partner)
    for name in ("report-detail", "report-pdf"):
        response = client.get(url(name, submitted))
        assert response.status_code == 200
        assert NAME not in response.content.decode() and OBSERVED not in response.content.decode()

    # Its editors still read it as it is, to check it.
    shown, observations = reports.readable_version(submitted, coordinator)
    assert shown.general_conditions == WRITTEN and len(observations) == 1


# --- 4. Shares made outside a request name who made them -------------------------------------


def recorded_since(after: int) -> list[str]:
    with translation.override("en"):
        return [
            access_changes.sentence(entry)
            for entry in access_changes.entries().filter(pk__gt=after)
        ]


def last_entry() -> int:
    return access_changes.entries().values_list("pk", flat=True).first() or 0


def test_report_shares_made_on_the_server_name_their_sharer(
    submitted, visitor_a, coordinator, partner_org
):
    after = last_entry()

    reports.share(submitted, by=visitor_a, organisations=[partner_org])
    reports.revoke_share(submitted, partner_org, by=coordinator)

    said = recorded_since(after)
    assert said == [
        f"{coordinator} (coordinator) stopped sharing the report of the visit "
        f"{submitted.visit} with {partner_org.short_name}",
        f"{visitor_a} (visitor) shared the report of the visit {submitted.visit} "
        f"with {partner_org.short_name}",
    ]
    assert not any("Someone on the server" in sentence for sentence in said)


def test_case_file_shares_made_on_the_server_name_their_sharer(visitor_a, org_a, org_b):
    person = open_case_file(visitor_a, org_a)
    after = last_entry()

    people.share_person(visitor_a, person, org_b, True, "/test/")

    said = recorded_since(after)
    assert len(said) == 2
    assert all(sentence.startswith(f"{visitor_a} (visitor) shared") for sentence in said)
