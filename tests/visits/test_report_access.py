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
from visits import listing
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
    listing.report_shares()  # kept in the process: which form a partner's shares take
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


# --- Case codes in a report's texts link to the case file (issue 9 §6) --------------------


@pytest.fixture
def case_files(visitor_a, visitor_b, org_a, org_b):
    from detainees import services
    from detainees.models import Person

    own = services.create_person(visitor_a, Person(organisation=org_a))
    other = services.create_person(visitor_b, Person(organisation=org_b))
    return own, other


def page_of(client, person, item):
    from django.urls import reverse

    from tests.conftest import sign_in

    sign_in(client, person)
    return client.get(reverse("visits:report-detail", args=[item.code])).content.decode()


def test_case_codes_link_to_the_files_the_reader_may_open(
    client, visitor_a, visitor_b, coordinator, case_files
):
    from django.urls import reverse

    own, other = case_files
    item = report(visitor_a, "submitted")
    item.general_conditions = f"Gesprek met {own.code} en {other.code}.\nGeen {other.code}9."
    item.save()
    link_own = f'<a href="{reverse("detainees:person-detail", args=[own.key])}">{own.code}</a>'
    link_other = (
        f'<a href="{reverse("detainees:person-detail", args=[other.key])}">{other.code}</a>'
    )

    mine = page_of(client, visitor_a, item)
    assert link_own in mine and link_other not in mine
    assert f"en {other.code}." in mine  # someone else's file: plain text
    assert f"Geen {other.code}9." in mine  # a longer code is another code
    theirs = page_of(client, visitor_b, item)
    assert link_other in theirs and link_own not in theirs
    coordinating = page_of(client, coordinator, item)  # pseudonymised files: all open
    assert link_own in coordinating and link_other in coordinating


def test_a_partner_gets_no_link_and_cannot_tell_a_real_code_from_an_invented_one(
    client, visitor_a, partner, partner_org, case_files
):
    own, _other = case_files
    real, invented = report(visitor_a, "shared"), report(visitor_a, "shared")
    real.general_conditions = f"Gesprek met {own.code}."
    invented.general_conditions = "Gesprek met P-1999-0042."
    for item in (real, invented):
        item.save()
        permissions.share(item, partner_org, "view_visitreport")

    pages = [page_of(client, partner, item) for item in (real, invented)]

    assert "/people/" not in pages[0] + pages[1]  # partners have no "People" page either
    assert f"Gesprek met {own.code}." in pages[0]
    assert "Gesprek met P-1999-0042." in pages[1]


@pytest.mark.parametrize("count", [1, 6])
def test_linking_the_codes_is_one_query_whatever_their_number(
    client, visitor_a, org_a, count, django_assert_max_num_queries
):
    from django.urls import reverse

    from detainees import services
    from detainees.models import Person
    from tests.conftest import sign_in

    codes = [
        services.create_person(visitor_a, Person(organisation=org_a)).code for _ in range(count)
    ]
    item = report(visitor_a, "submitted")
    item.general_conditions = " ".join(codes)
    item.save()
    sign_in(client, visitor_a)
    client.get("/")

    with django_assert_max_num_queries(8):
        page = client.get(reverse("visits:report-detail", args=[item.code])).content.decode()
    import re

    assert len(re.findall(r'href="/people/[0-9a-f-]{36}/"', page)) == count
