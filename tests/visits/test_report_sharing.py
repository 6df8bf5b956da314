"""Sharing a report with partners (issue 9 §4): nothing ticked by default, who has it
and since when on the report, the sharing page and the history, and a share stopped at
once (the partner's next request is a 404), each grant and revocation recorded."""

from datetime import timedelta

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone

from tests.conftest import sign_in
from tests.factories import CentreFactory, OrganisationFactory
from visits import reports
from visits.models import ReportShare, Visit, VisitReport, VisitReportGroupObjectPermission

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted(visitor_a, org_a):
    visit = Visit.objects.create(
        centre=CentreFactory(), date=timezone.localdate() - timedelta(days=1), status="done"
    )
    report = VisitReport.objects.create(
        visit=visit, organisation=org_a, language="fr", general_conditions="Journée calme."
    )
    report.authors.add(visitor_a)
    reports.submit(report, by=visitor_a)
    return report


@pytest.fixture
def nansen(db):
    return OrganisationFactory(short_name="Nansen", name="Nansen vzw", kind="partner")


def url(name, report):
    return reverse(f"visits:{name}", kwargs={"code": report.code})


def revoke(client, report, organisation, **extra):
    return client.post(
        url("report-share-revoke", report), {"organisation": organisation.pk}, **extra
    )


def test_the_share_form_ticks_nobody(client, submitted, coordinator, partner_org, nansen):
    sign_in(client, coordinator)

    page = client.get(url("report-share", submitted)).content.decode()

    assert partner_org.name in page and nansen.name in page
    assert "checked" not in page
    # Sending it untouched shares with nobody: a choice is asked for.
    response = client.post(url("report-share", submitted), {})
    assert "Choose at least one active partner organisation." in response.content.decode()
    submitted.refresh_from_db()
    assert submitted.status == "submitted"


def test_who_shared_and_when_is_shown_on_the_report_the_sharing_page_and_the_history(
    client, submitted, coordinator, partner_org, nansen
):
    coordinator.first_name, coordinator.last_name = "Carla", "Coördinator"
    coordinator.save()
    sign_in(client, coordinator)

    response = client.post(url("report-share", submitted), {"organisations": [partner_org.pk]})

    assert response.url == url("report-detail", submitted)
    record = ReportShare.objects.get()
    assert (record.organisation, record.shared_by, record.revoked_at) == (
        partner_org,
        coordinator,
        None,
    )
    today = timezone.localdate().strftime("%-d %B %Y")
    said = f"{partner_org.name}, since {today}, by Carla Coördinator"
    for name in ("report-detail", "report-share"):
        assert said in client.get(url(name, submitted)).content.decode(), name
    history = client.get(url("report-history", submitted)).content.decode()
    assert f"Shared with {partner_org.name} on {today}" in history
    assert "by Carla Coördinator" in history
    # The sharing page offers only the partners that do not read it yet.
    share_page = client.get(url("report-share", submitted)).content.decode()
    assert f'value="{nansen.pk}"' in share_page
    assert f'name="organisations" value="{partner_org.pk}"' not in share_page


def test_a_partner_reads_no_sharing_details(client, submitted, visitor_a, partner, partner_org):
    reports.share(submitted, by=visitor_a, organisations=[partner_org])
    sign_in(client, partner)

    page = client.get(url("report-detail", submitted)).content.decode()

    assert 'id="shares-title"' not in page
    assert visitor_a.email not in page


def test_a_revoked_share_closes_the_report_to_the_partner_at_once(
    client, submitted, visitor_a, coordinator, partner, partner_org, nansen
):
    reports.share(submitted, by=visitor_a, organisations=[partner_org, nansen])
    sign_in(client, partner)
    assert client.get(url("report-detail", submitted)).status_code == 200

    sign_in(client, coordinator)
    response = revoke(client, submitted, partner_org, follow=True)

    assert response.redirect_chain == [(url("report-share", submitted), 302)]
    assert f"{partner_org.name} no longer reads this report." in response.content.decode()
    sign_in(client, partner)
    for name in ("report-detail", "report-pdf"):
        assert client.get(url(name, submitted)).status_code == 404
    submitted.refresh_from_db()
    assert submitted.status == "shared"  # Nansen still reads it
    record = ReportShare.objects.get(organisation=partner_org)
    assert (record.revoked_by, record.revoked_at is not None) == (coordinator, True)
    sign_in(client, coordinator)
    history = client.get(url("report-history", submitted)).content.decode()
    assert "stopped on" in history and "coordinator@example.org" in history


def test_a_report_shared_with_nobody_any_more_is_submitted_again(
    client, submitted, visitor_a, partner_org
):
    reports.share(submitted, by=visitor_a, organisations=[partner_org])
    sign_in(client, visitor_a)  # an author stops sharing too

    revoke(client, submitted, partner_org)

    submitted.refresh_from_db()
    assert submitted.status == "submitted"
    assert not VisitReportGroupObjectPermission.objects.exists()
    # Shared again later: a new record, the old one kept.
    reports.share(submitted, by=visitor_a, organisations=[partner_org])
    assert ReportShare.objects.filter(revoked_at__isnull=True).count() == 1
    assert ReportShare.objects.count() == 2


def test_only_those_who_share_may_stop_a_share(
    client, submitted, visitor_a, visitor_b, legal, partner, witness_pool, partner_org
):
    reports.share(submitted, by=visitor_a, organisations=[partner_org])
    for person, status in ((visitor_b, 403), (legal, 403), (partner, 403), (witness_pool, 404)):
        sign_in(client, person)
        assert revoke(client, submitted, partner_org).status_code == status
    assert client.get(url("report-share-revoke", submitted)).status_code == 404

    assert VisitReportGroupObjectPermission.objects.count() == 1
    assert not ReportShare.objects.filter(revoked_at__isnull=False).exists()


def test_stopping_a_share_that_does_not_exist_is_said_and_changes_nothing(
    client, submitted, coordinator, partner_org, nansen, visitor_a
):
    reports.share(submitted, by=visitor_a, organisations=[partner_org])
    sign_in(client, coordinator)

    response = revoke(client, submitted, nansen, follow=True)

    assert f"not shared with {nansen.name}" in response.content.decode()
    assert VisitReportGroupObjectPermission.objects.count() == 1


def test_each_grant_and_revocation_is_in_the_audit_log(client, submitted, coordinator, partner_org):
    sign_in(client, coordinator)
    kind = ContentType.objects.get_for_model(VisitReportGroupObjectPermission)

    client.post(url("report-share", submitted), {"organisations": [partner_org.pk]})
    revoke(client, submitted, partner_org)

    entries = LogEntry.objects.filter(content_type=kind).order_by("timestamp", "pk")
    assert [(entry.action, entry.actor) for entry in entries] == [
        (LogEntry.Action.CREATE, coordinator),
        (LogEntry.Action.DELETE, coordinator),
    ]


@pytest.mark.parametrize("count", [1, 5])
def test_the_sharing_page_costs_the_same_queries_whatever_the_shares(
    client, submitted, visitor_a, coordinator, count, django_assert_max_num_queries
):
    partners = [OrganisationFactory(kind="partner") for _ in range(count)]
    reports.share(submitted, by=visitor_a, organisations=partners)
    sign_in(client, coordinator)
    client.get(url("report-share", submitted))

    for name in ("report-share", "report-detail", "report-history"):
        with django_assert_max_num_queries(8):
            assert client.get(url(name, submitted)).status_code == 200
