"""The report list's theme filters do not find a report through a correction that
awaits the authors' check (issue 9 §2): its readers other than its editors read the
version last checked, so the observations they cannot see must not select it."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.conftest import sign_in
from tests.factories import CentreFactory
from visits import editing, reports
from visits.models import Observation, Theme, Visit, VisitReport

pytestmark = pytest.mark.django_db


@pytest.fixture
def corrected(visitor_a, org_a, coordinator, partner_org):
    """A shared report whose observation a coordinator moved to another theme."""
    centre = CentreFactory()
    visit = Visit.objects.create(
        centre=centre, date=timezone.localdate() - timedelta(days=1), status="done"
    )
    report = VisitReport.objects.create(
        visit=visit, organisation=org_a, language="fr", general_conditions="Journée calme."
    )
    report.authors.add(visitor_a)
    medical = Theme.objects.create(code="medical", name_fr="Soins", name_nl="Zorg")
    isolation = Theme.objects.create(code="isolation", name_fr="Isolement", name_nl="Isolatie")
    observation = Observation.objects.create(
        report=report, theme=medical, centre=centre, text="Pas de médecin le week-end."
    )
    reports.submit(report, by=visitor_a)
    reports.share(report, by=visitor_a, organisations=[partner_org])
    report.refresh_from_db()
    changes = editing.Changes({}, {observation: {"theme": isolation}})
    editing.save(report, changes, by=coordinator, seen_version=report.version)
    report.refresh_from_db()
    assert report.awaiting_check
    return report, medical, isolation


def codes_found(client, theme, report) -> bool:
    page = client.get(reverse("visits:report-list"), {"theme": theme.pk}).content.decode()
    return reverse("visits:report-detail", kwargs={"code": report.code}) in page


def test_a_partner_does_not_find_the_report_through_the_unchecked_theme(client, corrected, partner):
    report, _medical, isolation = corrected
    sign_in(client, partner)

    assert not codes_found(client, isolation, report)
    # Unfiltered, the report is still in the partner's list (as last checked).
    page = client.get(reverse("visits:report-list")).content.decode()
    assert reverse("visits:report-detail", kwargs={"code": report.code}) in page


def test_the_coordinator_who_reads_the_correction_finds_it_by_its_new_theme(
    client, corrected, coordinator
):
    report, medical, isolation = corrected
    sign_in(client, coordinator)

    assert codes_found(client, isolation, report)
    assert not codes_found(client, medical, report)


def test_once_the_authors_confirm_the_partner_finds_it_by_its_new_theme(
    client, corrected, visitor_a, partner
):
    report, _medical, isolation = corrected
    reports.confirm(report, by=visitor_a)  # the authors' check
    report.refresh_from_db()
    assert not report.awaiting_check
    sign_in(client, partner)

    assert codes_found(client, isolation, report)
