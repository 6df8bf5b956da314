"""Draft → submitted → shared, guarded by the PII scanner."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from move.accounts import permissions
from move.accounts.models import Organisation
from move.privacy import registry
from tests.factories import CentreFactory, OrganisationFactory
from visits import reports
from visits.models import FindingDismissal, Observation, Theme, Visit, VisitReport

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(visitor_a):
    visit = Visit.objects.create(centre=CentreFactory(), date=timezone.localdate())
    report = VisitReport.objects.create(
        visit=visit,
        organisation=visitor_a.memberships.get().organisation,
        language="nl",
        general_conditions="Rustige dag, de bezoekzaal was open.",
    )
    report.authors.add(visitor_a)
    return report


def observe(report, text):
    theme, _ = Theme.objects.get_or_create(
        code="medical-care", defaults={"name_fr": "Soins", "name_nl": "Zorg"}
    )
    return Observation.objects.create(
        report=report, theme=theme, centre=report.visit.centre, text=text
    )


def test_a_report_with_a_phone_number_cannot_be_submitted(draft, visitor_a):
    observe(draft, "Zijn broer is bereikbaar op 0470 12 34 56.")

    with pytest.raises(ValidationError, match="personal data remain"):
        reports.submit(draft, by=visitor_a)

    draft.refresh_from_db()
    assert draft.status == "draft"
    [found] = reports.unresolved_findings(draft)
    assert (found.finding.kind, found.part) == (
        "phone",
        f"observation-{draft.observations.get().pk}",
    )


def test_once_the_number_is_removed_the_report_is_submitted(draft, visitor_a):
    observation = observe(draft, "Zijn broer is bereikbaar op 0470 12 34 56.")
    observation.text = "Zijn broer is telefonisch bereikbaar (nummer in het dossier)."
    observation.save()

    reports.submit(draft, by=visitor_a)

    draft.refresh_from_db()
    assert draft.status == "submitted"
    assert draft.submitted_at is not None


def test_a_finding_dismissed_with_a_reason_no_longer_blocks_and_is_recorded(draft, visitor_a):
    observe(draft, "Het centrum belt naar het algemene nummer 02 793 80 00.")
    [found] = reports.unresolved_findings(draft)

    with pytest.raises(ValidationError, match="Say why"):
        reports.dismiss(
            draft, kind=found.finding.kind, text=found.finding.text, reason=" ", by=visitor_a
        )
    reports.dismiss(
        draft,
        kind=found.finding.kind,
        text=found.finding.text,
        reason="Het nummer van het centrum zelf, geen persoonsgegeven.",
        by=visitor_a,
    )
    reports.submit(draft, by=visitor_a)

    dismissal = FindingDismissal.objects.get()
    assert (dismissal.dismissed_by, dismissal.kind) == (visitor_a, "phone")


def test_the_names_of_the_organisations_case_files_are_looked_for(draft, visitor_a, monkeypatch):
    monkeypatch.setattr(registry, "_providers", [lambda organisation: ["Amadou Diallo"]])
    draft.atmosphere = "Monsieur Diallo was erg ongerust."
    draft.save()

    [found] = reports.unresolved_findings(draft)

    assert (found.part, found.finding.kind, found.finding.text) == (
        "atmosphere",
        "known_name",
        "Diallo",
    )


def test_only_an_author_submits_a_draft(draft, visitor_b, coordinator):
    for other in (visitor_b, coordinator):
        with pytest.raises(PermissionDenied):
            reports.submit(draft, by=other)


def test_a_draft_cannot_be_shared(draft, visitor_a):
    with pytest.raises(ValidationError, match="Submit the report"):
        reports.share(draft, by=visitor_a)


def test_a_coordinator_shares_a_submitted_report_with_every_partner(
    draft, visitor_a, coordinator, partner, partner_org
):
    nansen = OrganisationFactory(short_name="Nansen", kind="partner")
    OrganisationFactory(short_name="Ancien", kind="partner", active=False)
    reports.submit(draft, by=visitor_a)

    reports.share(draft, by=coordinator)

    draft.refresh_from_db()
    assert draft.status == "shared"
    assert VisitReport.objects.visible_to(partner).filter(pk=draft.pk).exists()
    readers = [
        organisation.short_name
        for organisation in Organisation.objects.filter(kind="partner")
        if organisation.group.visitreportgroupobjectpermission_set.filter(
            content_object=draft
        ).exists()
    ]
    assert sorted(readers) == sorted([partner_org.short_name, nansen.short_name])


def test_a_visitor_who_did_not_write_it_cannot_share_it(draft, visitor_a, visitor_b):
    reports.submit(draft, by=visitor_a)

    with pytest.raises(PermissionDenied):
        reports.share(draft, by=visitor_b)


def test_sharing_with_an_empty_choice_is_refused_not_sent_to_everyone(
    draft, visitor_a, partner, partner_org
):
    reports.submit(draft, by=visitor_a)

    with pytest.raises(ValidationError, match="at least one active partner"):
        reports.share(draft, by=visitor_a, organisations=[])

    draft.refresh_from_db()
    assert draft.status == "submitted"
    assert not VisitReport.objects.visible_to(partner).filter(pk=draft.pk).exists()


def test_only_active_partner_organisations_receive_a_report(draft, visitor_a, org_b, partner_org):
    gone = OrganisationFactory(short_name="Gone", kind="partner", active=False)
    reports.submit(draft, by=visitor_a)

    with pytest.raises(ValidationError):
        reports.share(draft, by=visitor_a, organisations=[org_b, gone])

    reports.share(draft, by=visitor_a, organisations=[org_b, partner_org])
    groups = set(
        draft.visitreportgroupobjectpermission_set.values_list("group__organisation", flat=True)
    )
    assert groups == {partner_org.pk}


def test_an_author_who_left_has_no_more_say_over_the_report(draft, visitor_a):
    reports.submit(draft, by=visitor_a)
    organisation = visitor_a.memberships.get().organisation
    organisation.active = False
    organisation.save()
    permissions.forget(visitor_a)

    with pytest.raises(PermissionDenied):
        reports.share(draft, by=visitor_a)


def test_a_long_reason_is_refused_with_a_message(draft, visitor_a):
    with pytest.raises(ValidationError, match="too long"):
        reports.dismiss(draft, kind="phone", text="02 793 80 00", reason="x" * 501, by=visitor_a)
