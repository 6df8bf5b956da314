"""A partner's shares are asked in one of two forms (permissions._shared_report): row by
row along the list's index when the partner's groups hold at least half of the shared
reports (shared_probe), else by reading the groups' shares first (shared_pks). Both must
open exactly the same reports; the counts that choose between them only choose."""

import importlib

import pytest
from django.apps import apps
from django.db import connection
from django.db.models.signals import post_migrate
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from guardian.shortcuts import assign_perm

from move.accounts import permissions
from move.accounts.permissions import Role
from tests.factories import CentreFactory, OrganisationFactory, member
from visits import listing
from visits.models import Visit, VisitReport, VisitReportGroupObjectPermission

pytestmark = pytest.mark.django_db

postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the probe is written for PostgreSQL only"
)


def report(author, status="shared", day=1):
    visit = Visit.objects.create(centre=CentreFactory(), date=timezone.localdate().replace(day=day))
    return VisitReport.objects.create(
        visit=visit,
        organisation=author.memberships.first().organisation,
        language="fr",
        status=status,
    )


@pytest.fixture
def shares(visitor_a, partner, partner_org):
    """Reports in every situation a share can be in, and who should read which."""
    other_org = OrganisationFactory(kind="partner")
    other = member(Role.PARTNER, other_org)
    both = member(Role.PARTNER, partner_org)
    both.memberships.create(organisation=other_org, role=Role.PARTNER)
    both.groups.add(other_org.group)
    mine = report(visitor_a, day=1)
    theirs = report(visitor_a, day=2)
    shared_twice = report(visitor_a, day=3)
    back_to_draft = report(visitor_a, day=4)
    revoked = report(visitor_a, day=5)
    report(visitor_a, status="submitted", day=6)
    for item in (mine, shared_twice, back_to_draft, revoked):
        permissions.share(item, partner_org, "view_visitreport")
    for item in (theirs, shared_twice):
        permissions.share(item, other_org, "view_visitreport")
    VisitReport.objects.filter(pk=back_to_draft.pk).update(status="draft")
    permissions.unshare(revoked, partner_org, "view_visitreport")
    # Granted to the group under another permission than "view": opens nothing.
    assign_perm("visits.change_visitreport", partner_org.group, report(visitor_a, day=7))
    return {
        partner: {mine, shared_twice},
        other: {theirs, shared_twice},
        both: {mine, theirs, shared_twice},
    }


def visible(person):
    return set(VisitReport.objects.visible_to(person))


@postgresql
@pytest.mark.parametrize("probe", [True, False])
def test_both_forms_open_the_same_reports(shares, probe, monkeypatch):
    monkeypatch.setattr(listing.ReportShares, "most_are_shared_with", lambda self, g: probe)
    for person, expected in shares.items():
        assert visible(person) == expected
        # Inside a subquery too, where Django renames the reports table (U0).
        inner = VisitReport.objects.visible_to(person).values("pk")
        assert set(VisitReport.objects.filter(pk__in=inner)) == expected


@postgresql
@pytest.mark.parametrize("probe", [True, False])
def test_both_forms_hold_in_combined_queries(shares, probe, monkeypatch):
    """Combined with another query (|, &), or asked from a visit (Exists, OuterRef), as
    the visits list asks whether a visit has a report one may open."""
    from django.db.models import Exists, OuterRef

    monkeypatch.setattr(listing.ReportShares, "most_are_shared_with", lambda self, g: probe)
    for person, expected in shares.items():
        mine = VisitReport.objects.visible_to(person)
        none = VisitReport.objects.none()
        assert set(mine | VisitReport.objects.filter(pk__in=[])) == expected
        assert set(mine & VisitReport.objects.all()) == expected
        assert set(mine.union(none)) == expected
        readable = VisitReport.objects.visible_to(person).filter(visit=OuterRef("pk"))
        visits = Visit.objects.filter(Exists(readable))
        assert set(visits) == {report.visit for report in expected}


@postgresql
def test_the_form_follows_the_share_of_the_shared_reports(shares, partner, monkeypatch):
    counted = listing.report_shares()
    group = partner.memberships.get().organisation.group_id
    assert counted.shared == VisitReport.objects.filter(status="shared").count()
    assert counted.by_group[group] == 3  # mine, shared twice, back to draft (revoked: gone)
    assert counted.permission == _view_report_pk()

    def list_sql():
        with CaptureQueriesContext(connection) as asked:
            list(VisitReport.objects.visible_to(partner))
        (query,) = [q["sql"] for q in asked.captured_queries if '"visits_visitreport"' in q["sql"]]
        return query

    assert counted.most_are_shared_with({group})  # 3 of 5 shared reports
    assert "LIMIT 1) IS NOT NULL" in list_sql()

    monkeypatch.setattr(counted, "by_group", {group: 1})  # 1 of 5: read the shares first
    assert "LIMIT 1) IS NOT NULL" not in list_sql()
    assert visible(partner) == shares[partner]


def test_no_shared_report_or_no_permission_keeps_the_shares_read_first():
    nothing = listing.ReportShares(permission=7, shared=0, by_group={}, read_at=0)
    unknown = listing.ReportShares(permission=None, shared=4, by_group={3: 4}, read_at=0)
    half = listing.ReportShares(permission=7, shared=4, by_group={3: 1, 5: 1}, read_at=0)
    assert not nothing.most_are_shared_with({3})
    assert not unknown.most_are_shared_with({3})
    assert half.most_are_shared_with({3, 5}) and not half.most_are_shared_with({3})


@postgresql
def test_the_counts_are_read_in_one_query_and_kept(shares):
    listing._kept_shares._kept.clear()
    with CaptureQueriesContext(connection) as first:
        listing.report_shares()
    with CaptureQueriesContext(connection) as again:
        listing.report_shares()
    assert (len(first), len(again)) == (1, 0)


def test_tables_made_again_forget_the_permission_kept(db):
    if connection.vendor == "postgresql":
        listing.report_shares()
        assert listing._kept_shares._kept
    listing._kept_shares._kept["xx"] = ("v", object())
    visits = apps.get_app_config("visits")
    post_migrate.send(
        sender=visits, app_config=visits, verbosity=0, interactive=False, using="default", apps=apps
    )
    assert listing._kept_shares._kept == {}


def _view_report_pk():
    from django.contrib.auth.models import Permission

    return Permission.objects.get(codename="view_visitreport", content_type__app_label="visits").pk


# The demo (SQLite) asks in the first form only: the probe is written for PostgreSQL's plans,
# and the shares are counted with its arrays.
def test_sqlite_reads_the_shares_first(shares, partner, monkeypatch):
    if connection.vendor == "postgresql":
        monkeypatch.setattr(connection, "vendor", "sqlite")
        # Only the SQL's form is compared: the query itself runs on PostgreSQL.
        sql = str(VisitReport.objects.visible_to(partner).query)
        monkeypatch.undo()
    else:
        sql = str(VisitReport.objects.visible_to(partner).query)
        assert visible(partner) == shares[partner]
    assert "IS NOT NULL" not in sql


@postgresql
def test_autovacuum_vacuums_the_share_table_after_any_change():
    """The probe is priced as an index-only scan: cheap only while the share table's
    pages are marked all visible, which a vacuum does (migration visits 0011)."""
    migration = importlib.import_module("visits.migrations.0011_share_table_kept_vacuumed")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reloptions FROM pg_class WHERE relname = %s",
            [VisitReportGroupObjectPermission._meta.db_table],
        )
        (options,) = cursor.fetchone()
    assert sorted(options) == sorted(f"{name}=0" for name in migration.SETTINGS)
    assert len(migration.SETTINGS) == 4


@postgresql
def test_a_permission_pk_that_is_not_the_current_one_opens_nothing(visitor_a, partner_org):
    """The kept pk is checked against the permission looked up: a pk kept from another
    database (a restore) that names another permission here opens nothing, even a report
    shared with the group under that other permission."""
    from django.contrib.auth.models import Permission

    item = report(visitor_a)
    assign_perm("visits.change_visitreport", partner_org.group, item)
    other = Permission.objects.get(codename="change_visitreport", content_type__app_label="visits")
    groups = {partner_org.group_id}

    def opened(pk):
        probe = permissions.shared_probe(VisitReport, groups, "view_visitreport", pk)
        return list(VisitReport.objects.filter(probe))

    assert opened(other.pk) == []
    assert opened(_view_report_pk()) == []  # granted under another permission only
    permissions.share(item, partner_org, "view_visitreport")
    assert opened(_view_report_pk()) == [item]
    assert opened(other.pk) == []


@postgresql
def test_postgresql_expects_the_probe_to_keep_nearly_every_shared_report(visitor_a, partner_org):
    """Why the probe is written "(SELECT 1 … LIMIT 1) IS NOT NULL": an EXISTS is
    estimated to keep half of the rows, and the walk along the list's index was then
    priced close to reading every match (chosen or not by ANALYZE's sample). The form is
    only used where the partner holds most of the shared reports."""
    import json

    for day in range(1, 29):
        permissions.share(report(visitor_a, day=day), partner_org, "view_visitreport")
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {VisitReport._meta.db_table}")
    probe = permissions.shared_probe(
        VisitReport, {partner_org.group_id}, "view_visitreport", _view_report_pk()
    )

    def planned(queryset):
        sql, params = queryset.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
            (plan,) = cursor.fetchone()
        plan = plan if isinstance(plan, list) else json.loads(plan)
        return plan[0]["Plan"]["Plan Rows"]

    shared = VisitReport.objects.filter(status="shared")
    assert planned(shared.filter(probe)) >= 0.9 * planned(shared)
