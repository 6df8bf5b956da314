"""Who reads a visit report (DESIGN.md §3): drafts their authors and the coordinators;
submitted ones every visitor, lawyer, coordinator and advocacy member; shared ones also
the partner organisations they were shared with, and only those."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from move.accounts import permissions
from move.accounts.permissions import Role
from tests.factories import CentreFactory, OrganisationFactory, member
from visits.models import Visit, VisitReport

pytestmark = pytest.mark.django_db


def report(author, status="draft"):
    visit = Visit.objects.create(centre=CentreFactory(), date=timezone.localdate())
    created = VisitReport.objects.create(
        visit=visit,
        organisation=author.memberships.first().organisation,
        language="fr",
        status=status,
    )
    created.authors.add(author)
    return created


def readers_of(item, *people):
    return [
        person
        for person in people
        if VisitReport.objects.visible_to(person).filter(pk=item.pk).exists()
    ]


def test_a_draft_is_read_by_its_authors_and_the_coordinators_only(
    visitor_a, visitor_b, legal, coordinator, advocacy, witness_pool, partner
):
    draft = report(visitor_a)

    assert readers_of(
        draft, visitor_a, visitor_b, legal, coordinator, advocacy, witness_pool, partner
    ) == [visitor_a, coordinator]


def test_a_submitted_report_is_read_inside_the_coalition_not_by_partners(
    visitor_a, visitor_b, legal, coordinator, advocacy, witness_pool, partner
):
    submitted = report(visitor_a, "submitted")

    assert readers_of(
        submitted, visitor_a, visitor_b, legal, coordinator, advocacy, witness_pool, partner
    ) == [visitor_a, visitor_b, legal, coordinator, advocacy]


def test_a_shared_report_is_read_by_the_partner_it_was_shared_with_only(
    visitor_a, partner, partner_org
):
    other_partner = member(Role.PARTNER, OrganisationFactory(kind="partner"))
    shared = report(visitor_a, "shared")
    permissions.share(shared, partner_org, "view_visitreport")

    assert readers_of(shared, partner, other_partner) == [partner]


def test_a_share_does_not_open_a_report_that_went_back_to_draft(visitor_a, partner, partner_org):
    item = report(visitor_a, "shared")
    permissions.share(item, partner_org, "view_visitreport")
    VisitReport.objects.filter(pk=item.pk).update(status="draft")

    assert readers_of(item, partner) == []


def test_the_visible_reports_are_one_query_whatever_their_number(visitor_a, partner, partner_org):
    for number in range(12):
        item = report(visitor_a, "shared" if number % 2 else "submitted")
        if number % 4 == 1:
            permissions.share(item, partner_org, "view_visitreport")
    for person in (visitor_a, partner):
        permissions.memberships_of(person)  # the roles are read once per request

        with CaptureQueriesContext(connection) as queries:
            seen = list(VisitReport.objects.visible_to(person))

        assert len(queries) == 1
    assert len(seen) == 3  # the partner: shared with its organisation


def test_new_people_are_among_the_people_met(visitor_a):
    item = report(visitor_a)
    item.people_met, item.people_new = 3, 5

    with pytest.raises(ValidationError, match="among the people met"):
        item.full_clean()


def test_an_author_who_is_no_longer_a_visitor_no_longer_reads_their_draft(visitor_a, org_a):
    draft = report(visitor_a)
    org_a.active = False
    org_a.save()
    permissions.forget(visitor_a)

    assert readers_of(draft, visitor_a) == []
