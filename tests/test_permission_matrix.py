"""Every URL of the project, for every persona, with the answer it must give.

A URL pattern without a row here fails `test_every_url_has_expectations`: a new page
cannot be forgotten. Statuses: 200 shown, 302 redirected (to sign in, or onwards),
403 refused action on a visible object, 404 refused or missing object, 405 wrong method.
"""

import datetime
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from advocacy.models import (
    AgendaItem,
    AuthorityMeeting,
    Consent,
    ExchangeMeeting,
    PointOfAttention,
    Situation,
    Testimony,
    Use,
    Witness,
)
from detainees.models import Family, Identity, Person, Referral
from legal import services as legal_services
from legal.models import (
    Attachment,
    Bar,
    Deadline,
    DeadlineRule,
    Decision,
    Hearing,
    Lawyer,
    LitigationCase,
    Newsletter,
    NewsletterDecision,
    Resource,
    Topic,
    Training,
    TrainingMaterial,
)
from move.accounts.models import Invitation, Membership
from move.accounts.permissions import Role
from move.privacy.models import Job
from tests.conftest import PERSONAS, close_download
from tests.factories import CentreYearFactory, OrganisationFactory, UserFactory, member
from visits.models import Observation, Theme, Visit, VisitReport

ANON = "anonymous"
SIGNED_IN = [p for p in PERSONAS if p != ANON]
INTERNAL = ["visitor_a", "visitor_b", "legal", "coordinator", "advocacy", "witness_pool"]


# DESIGN.md §9: a page costs at most 8 queries. allauth's own security pages
# (re-authentication, MFA set-up, e-mail addresses) run their internal checks twice
# over; measured at 9-12, they are held to 12 so that they cannot grow unseen.
QUERY_BUDGET = 8
THIRD_PARTY_QUERY_BUDGET = 12


# The figures are aggregates: one query per table of counts, not per row. Their pages
# are held to the number measured (figures/yearly.py says which query makes which table).
AGGREGATE_BUDGET = {"figures:dashboard": 60, "figures:export": 60}


def query_budget(name):
    if name in AGGREGATE_BUDGET:
        return AGGREGATE_BUDGET[name]
    ours = ":" in name and not name.startswith("admin:") or name == "home"
    return QUERY_BUDGET if ours else THIRD_PARTY_QUERY_BUDGET


def expect(anonymous=302, default=200, **overrides):
    """{persona: status}: `default` for every signed-in persona unless overridden."""
    table = {ANON: anonymous} | {persona: default for persona in SIGNED_IN}
    table.update(overrides)
    return table


def coordinator_only(ok=200, refused=403, anonymous=302):
    return expect(anonymous, refused, coordinator=ok)


def internal_only(ok=200, partner=403, anonymous=302):
    return expect(anonymous, ok, partner=partner)


def centre_editing(ok=200):
    # Internal roles see the centre (the action is refused: 403); partners do not (404).
    return expect(302, 403, coordinator=ok, partner=404)


def editing_report(ok=200):
    return expect(302, 403, coordinator=ok, witness_pool=404, partner=404)


def case_file(ok=200, coordinator=403):
    """A case file of visitor_a's organisation: visitor_b (another organisation) and the
    roles without case files do not find it (404); coordinators see it pseudonymised,
    so a page that changes it or shows the identity is a refused action (403)."""
    return expect(302, 404, visitor_a=ok, coordinator=coordinator)


def library_keeping(ok=200, **overrides):
    """Keeping the directory, the jurisprudence, trainings and documents: legal and
    coordinators; the other roles are refused the action (403)."""
    return expect(302, 403, **({"legal": ok, "coordinator": ok} | overrides))


def library_item(ok=200):
    """A lawyer, decision, case, training or document: every internal role reads it;
    a partner does not find it (404)."""
    return expect(302, ok, partner=404)


def newsletter_draft(ok=200, **overrides):
    """A newsletter not yet published: legal and coordinators find it, nobody else."""
    return expect(302, 404, **({"legal": ok, "coordinator": ok} | overrides))


def points(ok=200, refused=404):
    """Points of attention and meetings with the authorities: read by visitors, legal,
    coordinators and advocacy; the witness pool and partners do not find them."""
    return expect(302, ok, witness_pool=refused, partner=refused)


def points_kept(ok=200):
    """Keeping them: coordinators and legal; the other readers are refused (403)."""
    return expect(302, 403, legal=ok, coordinator=ok, witness_pool=404, partner=404)


def pool(ok=200):
    """A witness: its volunteer and coordinators find it, nobody else (404)."""
    return expect(302, 404, witness_pool=ok, coordinator=ok)


def reads_testimonies(ok=200):
    return {"witness_pool": ok, "coordinator": ok, "advocacy": ok}


def help_request(ok=200, **overrides):
    """visitor_a's request: read by its asker, legal and coordinators, found by nobody
    else (404)."""
    table = {"visitor_a": ok, "legal": ok, "coordinator": ok} | overrides
    return expect(302, 404, **table)


VISITORS_ONLY = {"default": 403, "visitor_a": 200, "visitor_b": 200}


# name → {method: {persona: status}}
MATRIX = {
    "home": {"GET": expect()},
    "set_language": {"POST": expect(anonymous=302, default=302)},
    # --- accounts (ours)
    "accounts:organisation-list": {"GET": coordinator_only()},
    "accounts:organisation-create": {"GET": coordinator_only()},
    "accounts:organisation-detail": {"GET": coordinator_only(refused=404)},
    "accounts:organisation-update": {"GET": coordinator_only(refused=404)},
    # An empty form is bad input: 400 for the coordinator, with the errors shown.
    "accounts:membership-create": {"GET": expect(default=405), "POST": coordinator_only(400, 404)},
    "accounts:membership-delete": {"GET": expect(default=405), "POST": coordinator_only(302, 404)},
    "accounts:invitation-list": {"GET": coordinator_only()},
    "accounts:invitation-create": {"GET": coordinator_only()},
    "accounts:invitation-revoke": {"GET": expect(default=405), "POST": coordinator_only(302, 404)},
    "accounts:accesschange-list": {"GET": coordinator_only()},
    # Public: the link from the e-mail. Signed-in people are sent home.
    "accounts:invitation-accept": {"GET": expect(anonymous=200, default=302)},
    # --- centres
    "centres:centre-list": {"GET": internal_only()},
    "centres:centre-detail": {"GET": internal_only(partner=404)},
    "centres:centre-create": {"GET": coordinator_only()},
    "centres:centre-update": {"GET": centre_editing()},
    "centres:centreyear-create": {"GET": centre_editing()},
    "centres:centreyear-update": {"GET": centre_editing()},
    # --- visits: readers are visitors, legal, coordinators, advocacy; planners visitors
    # and coordinators. Others do not see a visit (404) nor the lists (403).
    "visits:visit-list": {"GET": expect(witness_pool=403, partner=403)},
    "visits:coverage": {"GET": expect(witness_pool=403, partner=403)},
    "visits:visit-create": {
        "GET": expect(default=403, visitor_a=200, visitor_b=200, coordinator=200)
    },
    # Only the visit's own visitors (none here) and coordinators change it (issue 9 §4).
    "visits:visit-update": {
        "GET": expect(default=403, coordinator=200, witness_pool=404, partner=404)
    },
    # Reports: the list opens to every reader; a submitted report is read inside the
    # coalition, not by the witness pool nor by a partner it was not shared with.
    "visits:report-list": {"GET": expect(witness_pool=403)},
    "visits:report-detail": {"GET": expect(witness_pool=404, partner=404)},
    "visits:report-pdf": {"GET": expect(witness_pool=404, partner=404)},
    # Writing: the visitors who went start the report (none went on the world's visit).
    "visits:report-start": {
        "GET": expect(default=403, witness_pool=404, partner=404),
        "POST": expect(default=403, witness_pool=404, partner=404),
    },
    # The world's report is submitted and has no author: among its readers only the
    # coordinator may change it (403 for the others); witness pool and partners do not
    # see it (404). Empty POSTs are bad input: the editor answers with its message.
    "visits:report-update": {
        "GET": editing_report(),
        "POST": editing_report(ok=400),
    },
    "visits:report-autosave": {"GET": editing_report(ok=405), "POST": editing_report()},
    "visits:report-observations": {"GET": editing_report(ok=405), "POST": editing_report()},
    "visits:finding-dismiss": {"GET": editing_report(ok=405), "POST": editing_report()},
    "visits:report-submit": {"GET": editing_report(ok=405), "POST": editing_report(ok=400)},
    "visits:report-share": {"GET": editing_report(), "POST": editing_report()},
    "visits:report-share-revoke": {"GET": editing_report(ok=405), "POST": editing_report(ok=302)},
    "visits:report-history": {"GET": editing_report()},
    # --- detainees: case files are read by their organisation's visitors and, without
    # the identity, by coordinators; the other roles see nothing (404 / list 403).
    # The lawyer's list holds the files linked to a help request (none here).
    "detainees:person-list": {
        "GET": expect(default=403, visitor_a=200, visitor_b=200, coordinator=200, legal=200)
    },
    "detainees:person-create": {
        "GET": expect(**VISITORS_ONLY),
        "POST": expect(default=403, visitor_a=400, visitor_b=400),
    },
    "detainees:person-detail": {"GET": case_file(coordinator=200)},
    "detainees:person-update": {"GET": case_file(), "POST": case_file(400)},
    "detainees:identity-detail": {"GET": case_file()},
    # An empty POST names no version of the identity: refused as a conflict (400).
    "detainees:identity-update": {"GET": case_file(), "POST": case_file(400)},
    "detainees:spell-create": {"GET": case_file(), "POST": case_file(400)},
    "detainees:person-transfer": {"GET": case_file(), "POST": case_file(400)},
    "detainees:person-release": {"GET": case_file(), "POST": case_file(400)},
    "detainees:accompaniment-create": {"GET": case_file(), "POST": case_file(400)},
    "detainees:referral-create": {"GET": case_file(), "POST": case_file(400)},
    "detainees:referral-update": {"GET": case_file(), "POST": case_file(400)},
    "detainees:person-share": {"GET": case_file(), "POST": case_file(400)},
    "detainees:person-export": {"GET": case_file(), "POST": case_file(302)},
    "detainees:person-erase": {"GET": case_file(), "POST": case_file(400)},
    "detainees:family-create": {
        "GET": expect(**VISITORS_ONLY),
        "POST": expect(default=403, visitor_a=400, visitor_b=400),
    },
    "detainees:family-detail": {"GET": case_file(coordinator=200)},
    # --- legal: the help desk. The world's request was asked by visitor_a (org_a), not
    # shared: its asker, legal and coordinators read it; nobody else finds it (404). Only
    # legal works on it (403 for the asker and the coordinator); visitors ask, legal records.
    "legal:request-list": {"GET": expect(advocacy=403, witness_pool=403, partner=403)},
    "legal:request-ask": {
        "GET": expect(**VISITORS_ONLY),
        "POST": expect(default=403, visitor_a=400, visitor_b=400),
    },
    "legal:request-record": {
        "GET": expect(default=403, legal=200),
        "POST": expect(default=403, legal=400),
    },
    "legal:request-detail": {"GET": help_request()},
    "legal:request-update": {
        "GET": help_request(visitor_a=403, coordinator=403),
        "POST": help_request(legal=400, visitor_a=403, coordinator=403),
    },
    # The asker adds information; an empty message is bad input (400).
    "legal:request-message": {
        "GET": help_request(405),
        "POST": help_request(400, coordinator=403),
    },
    "legal:request-status": {
        "GET": help_request(legal=405, visitor_a=403, coordinator=403),
        "POST": help_request(legal=400, visitor_a=403, coordinator=403),
    },
    "legal:request-share": {
        "GET": help_request(legal=405, visitor_a=403, coordinator=403),
        "POST": help_request(legal=400, visitor_a=403, coordinator=403),
    },
    "legal:attachment-add": {
        "GET": expect(default=405),
        "POST": help_request(400, coordinator=403),
    },
    "legal:attachment-download": {"GET": help_request()},
    "legal:deadline-add": {
        "GET": expect(default=405),
        "POST": help_request(legal=400, visitor_a=403, coordinator=403),
    },
    "legal:deadline-done": {
        "GET": expect(default=405),
        "POST": help_request(legal=302, visitor_a=403, coordinator=403),
    },
    # The calculator and the rules: every internal role; only legal edits a rule.
    "legal:calculator": {"GET": internal_only()},
    "legal:rule-list": {"GET": internal_only()},
    "legal:rule-update": {
        "GET": expect(302, 403, legal=200, partner=404),
        "POST": expect(302, 403, legal=400, partner=404),
    },
    # --- legal: the directory, jurisprudence, litigation, trainings and documents.
    # Every internal role reads; legal and coordinators keep (litigation: legal alone).
    # The world's decision is published (drafts: legal and coordinators, tests/legal).
    "legal:lawyer-list": {"GET": internal_only()},
    "legal:lawyer-create": {"GET": library_keeping(), "POST": library_keeping()},
    "legal:lawyer-import": {"GET": library_keeping()},
    "legal:lawyer-import-confirm": {"POST": library_keeping(ok=400)},
    "legal:lawyer-export": {"GET": library_keeping()},
    "legal:lawyer-detail": {"GET": library_item()},
    "legal:lawyer-update": {"GET": library_keeping(partner=404)},
    "legal:decision-list": {"GET": internal_only()},
    "legal:decision-create": {"GET": library_keeping()},
    "legal:decision-detail": {"GET": library_item()},
    "legal:decision-update": {"GET": library_keeping(partner=404)},
    "legal:decision-publish": {"POST": library_keeping(ok=302, partner=404)},
    "legal:decision-dismiss": {"POST": library_keeping(ok=400, partner=404)},
    "legal:decision-pdf": {"GET": library_item()},
    "legal:litigation-list": {"GET": internal_only()},
    "legal:litigation-create": {"GET": expect(302, 403, legal=200)},
    "legal:litigation-detail": {"GET": library_item()},
    "legal:litigation-update": {"GET": expect(302, 403, legal=200, partner=404)},
    "legal:hearing-add": {"GET": expect(302, 403, legal=200, partner=404)},
    "legal:hearing-update": {"GET": expect(302, 403, legal=200, partner=404)},
    "legal:training-list": {"GET": internal_only()},
    "legal:training-create": {"GET": library_keeping()},
    "legal:training-detail": {"GET": library_item()},
    "legal:training-update": {"GET": library_keeping(partner=404)},
    "legal:material-add": {"GET": library_keeping(partner=404)},
    "legal:material-download": {"GET": library_item()},
    "legal:resource-list": {"GET": internal_only()},
    "legal:resource-create": {"GET": library_keeping()},
    "legal:resource-update": {"GET": library_keeping(partner=404)},
    # The world's document is internal (a public one is read by anyone, tests/legal).
    "legal:resource-file": {"GET": library_item()},
    # --- legal: the newsletter as it is written: legal writes, coordinators read; the
    # world's newsletter is an empty draft (publishing it is refused with the reasons).
    "legal:newsletter-list": {"GET": expect(302, 403, legal=200, coordinator=200)},
    "legal:newsletter-create": {"GET": expect(302, 403, legal=200)},
    "legal:newsletter-update": {"GET": newsletter_draft(coordinator=403)},
    "legal:newsletter-preview": {"GET": newsletter_draft()},
    "legal:newsletter-preview-pdf": {"GET": newsletter_draft()},
    "legal:newsletter-publish": {"POST": newsletter_draft(ok=400, coordinator=403)},
    "legal:newsletter-deliveries": {"GET": newsletter_draft()},
    "legal:newsletter-retry": {"POST": newsletter_draft(ok=302, coordinator=403)},
    # --- the newsletter's public side: everybody, signed in or not (a published one).
    "newsletter:archive": {"GET": expect(anonymous=200)},
    "newsletter:feed": {"GET": expect(anonymous=200)},
    "newsletter:detail": {"GET": expect(anonymous=200)},
    "newsletter:pdf": {"GET": expect(anonymous=200)},
    # One click in a mail client posts without a session or a CSRF token (RFC 8058).
    "newsletter:unsubscribe": {"GET": expect(anonymous=200), "POST": expect(anonymous=200)},
    # --- advocacy: points of attention and meetings with the authorities are read by
    # visitors, legal, coordinators and advocacy, kept by coordinators and legal; visitors
    # and coordinators raise points from a submitted report they read.
    "advocacy:point-list": {"GET": points(ok=200, refused=403)},
    "advocacy:point-create": {"GET": expect(302, 403, legal=200, coordinator=200)},
    "advocacy:point-detail": {"GET": points()},
    "advocacy:point-update": {"GET": points_kept()},
    "advocacy:point-raise": {
        "GET": expect(
            302, 403, visitor_a=200, visitor_b=200, coordinator=200, witness_pool=404, partner=404
        )
    },
    "advocacy:meeting-list": {"GET": points(ok=200, refused=403)},
    "advocacy:meeting-create": {"GET": expect(302, 403, legal=200, coordinator=200)},
    "advocacy:meeting-detail": {"GET": points()},
    "advocacy:meeting-update": {"GET": points_kept()},
    "advocacy:meeting-minutes": {"GET": points_kept()},
    # An empty request for a PDF: refused with the reason (400) to those who read it.
    "advocacy:meeting-pdf": {"POST": points(ok=400)},
    # Exchange meetings: the world's was attended by the partner's organisation.
    "advocacy:exchange-list": {"GET": expect()},
    "advocacy:exchange-create": {"GET": expect(302, 403, coordinator=200, advocacy=200)},
    "advocacy:exchange-detail": {"GET": expect()},
    "advocacy:exchange-update": {"GET": expect(302, 403, coordinator=200, advocacy=200)},
    # The witness pool: its volunteer and coordinators; advocacy reads testimonies and
    # records their uses; nobody else finds a witness.
    "advocacy:witness-list": {"GET": expect(302, 403, witness_pool=200, coordinator=200)},
    "advocacy:witness-create": {"GET": expect(302, 403, witness_pool=200, coordinator=200)},
    "advocacy:witness-detail": {"GET": pool()},
    "advocacy:witness-update": {"GET": pool()},
    "advocacy:witness-contact": {"GET": pool()},
    "advocacy:witness-withdraw": {"POST": pool(ok=302)},
    "advocacy:witness-export": {"POST": pool(ok=302)},
    "advocacy:consent-add": {"GET": pool()},
    "advocacy:consent-form": {"GET": pool()},
    "advocacy:testimony-add": {"GET": pool()},
    "advocacy:testimony-list": {"GET": expect(302, 403, **reads_testimonies())},
    "advocacy:testimony-detail": {"GET": expect(302, 404, **reads_testimonies())},
    "advocacy:use-add": {"GET": expect(302, 404, **reads_testimonies())},
    "advocacy:use-list": {"GET": expect(302, 403, **reads_testimonies())},
    "advocacy:use-taken-down": {"POST": expect(302, 404, **reads_testimonies(ok=302))},
    # --- figures: coordinators, legal, advocacy and visitors read the coalition's (visitors
    # without each organisation's contribution), partners the suppressed variant only,
    # the witness pool none. The export's row is the CSV (the PDF is a POST, a Job).
    "figures:index": {"GET": expect(302, 302, witness_pool=403)},
    "figures:dashboard": {"GET": expect(302, 200, witness_pool=403)},
    "figures:export": {"GET": expect(302, 200, witness_pool=403)},
    # --- privacy: the access log is the coordinators'; a job and its file its owner's.
    "privacy:accesslog-list": {"GET": coordinator_only()},
    "privacy:job-detail": {"GET": expect(302, 404, visitor_a=200)},
    "privacy:job-download": {"GET": expect(302, 404, visitor_a=200)},
    # "Try again" on one's own job (only a failed one starts again): back to its page.
    "privacy:job-retry": {"GET": expect(302, 405), "POST": expect(302, 404, visitor_a=302)},
    # --- operations: /healthz answers anyone (no data; 200 as every check passes here,
    # tasks running inline), the System page the coordinators.
    "healthz": {"GET": expect(anonymous=200, default=200)},
    "ops:system": {"GET": coordinator_only()},
    # --- allauth: sign-in, password, MFA, sessions
    "account_login": {"GET": expect(anonymous=200, default=302)},
    "account_logout": {"GET": expect(anonymous=302, default=200), "POST": expect(302, 302)},
    "account_inactive": {"GET": expect(anonymous=200)},
    # No public sign-up: the page says so (allauth's "sign-up closed").
    "account_signup": {"GET": expect(anonymous=200, default=302)},
    "account_reauthenticate": {"GET": expect()},
    "account_request_reauthentication_code": {"GET": expect(default=302)},
    "account_confirm_reauthentication_code": {"GET": expect(default=302)},
    # Replaced: the address is the login a coordinator invited (no second address).
    "account_email": {"GET": expect(default=403), "POST": expect(default=403)},
    "account_email_verification_sent": {"GET": expect(anonymous=200)},
    "account_change_password": {"GET": expect()},
    "account_set_password": {"GET": expect(default=302)},
    "account_reset_password": {"GET": expect(anonymous=200)},
    "account_confirm_login_code": {"GET": expect(anonymous=302, default=302)},
    "account_confirm_email": {"GET": expect(anonymous=200)},
    "account_reset_password_from_key_done": {"GET": expect(anonymous=200)},
    "account_reset_password_from_key": {"GET": expect(anonymous=200)},
    "account_reset_password_done": {"GET": expect(anonymous=200)},
    "mfa_index": {"GET": expect()},
    "mfa_authenticate": {"GET": expect(anonymous=302, default=302)},
    # Without a second factor there is nothing to re-check: sent to the password page.
    "mfa_reauthenticate": {"GET": expect(advocacy=302, partner=302)},
    # Those who have TOTP are sent on; advocacy and partner have none yet.
    "mfa_activate_totp": {"GET": expect(default=302, advocacy=200, partner=200)},
    "mfa_deactivate_totp": {"GET": expect(default=200, advocacy=404, partner=404)},
    "mfa_view_recovery_codes": {"GET": expect(default=404)},
    "mfa_generate_recovery_codes": {"GET": expect()},
    "mfa_download_recovery_codes": {"GET": expect(default=404)},
    "usersessions_list": {"GET": expect()},
}


def admin_expectation(name):
    """The administration site: coordinators only; a signed-in person without the
    right is refused (403), an anonymous one sent to sign in."""
    if name == "admin:login":
        return {"GET": expect(anonymous=302, default=302)}
    if name == "admin:logout":
        return {"POST": coordinator_only(ok=200)}
    if name == "admin:view_on_site":
        return {"GET": coordinator_only(ok=404)}
    if name == "admin:autocomplete":
        return {"GET": coordinator_only(ok=403)}
    if name.startswith("admin:accounts_invitation_") and name.endswith(("_add", "_delete")):
        return {"GET": coordinator_only(ok=403)}  # invitations are read-only there
    if name in (
        "admin:accounts_user_delete",
        "admin:accounts_organisation_delete",
        "admin:centres_centre_delete",
        "admin:visits_theme_delete",
    ):
        return {"GET": coordinator_only(ok=403)}  # deactivated, never deleted
    return {"GET": coordinator_only()}


def all_url_names():
    def walk(patterns, namespace=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = pattern.namespace or ""
                joined = f"{namespace}:{inner}" if namespace and inner else namespace or inner
                yield from walk(pattern.url_patterns, joined)
            elif isinstance(pattern, URLPattern):
                if pattern.name is None and namespace == "admin":
                    # The admin's unnamed "<id>/" redirects lead to the named change
                    # pages, which are in the matrix; every other URL must be named.
                    continue
                assert pattern.name, f"URL pattern {pattern.pattern} has no name"
                yield f"{namespace}:{pattern.name}" if namespace else pattern.name

    return sorted(set(walk(get_resolver().url_patterns)))


def expectations(name):
    if name.startswith("admin:"):
        return admin_expectation(name)
    return MATRIX[name]


def test_every_url_has_expectations():
    missing = [
        name for name in all_url_names() if not name.startswith("admin:") and name not in MATRIX
    ]
    assert missing == [], f"Add these URLs to the permission matrix: {missing}"


def test_the_matrix_names_only_existing_urls():
    stale = sorted(set(MATRIX) - set(all_url_names()))
    assert stale == [], f"Rows for URLs that no longer exist: {stale}"


def test_the_matrix_covers_every_persona():
    for name in all_url_names():
        for method, table in expectations(name).items():
            assert set(table) == set(PERSONAS), f"{name} {method} lacks personas"


class World:
    """Objects a URL can point at, made afresh for each persona (POSTs change things)."""

    def __init__(self, coordinator, org_a, partner_org, name=None):
        self.organisation = OrganisationFactory()
        other = member(Role.VISITOR, self.organisation)
        self.membership = Membership.objects.get(user=other)
        self.figures = CentreYearFactory()
        self.centre = self.figures.centre
        self.invitation = Invitation(
            email=f"new-{self.organisation.short_name.lower()}@example.org",
            organisation=self.organisation,
            role=Role.VISITOR,
            invited_by=coordinator,
        )
        self.token = self.invitation.new_token()
        self.invitation.save()
        self.user = UserFactory()
        self.visit = Visit.objects.create(centre=self.centre, date=datetime.date(2026, 3, 2))
        self.report = VisitReport.objects.create(
            visit=self.visit, organisation=self.organisation, language="fr", status="submitted"
        )
        self.unreported = Visit.objects.create(
            centre=self.centre, date=datetime.date(2026, 3, 9), status="done"
        )
        self.theme, _ = Theme.objects.get_or_create(
            code="medical-care", defaults={"name_fr": "Soins", "name_nl": "Zorg"}
        )
        # A case file of visitor_a's organisation, with a family, a referral and an
        # export ready to download by visitor_a.
        self.family = Family.objects.create(organisation=org_a)
        self.person = Person.objects.create(
            code=f"P-2020-{Person.objects.count():04d}", organisation=org_a, family=self.family
        )
        Identity.objects.create(person=self.person, surname="Matrix")
        self.referral = Referral.objects.create(person=self.person, kind="lawyer")
        owner = org_a.memberships.get(role=Role.VISITOR).user
        self.job = Job.objects.create(
            owner=owner,
            kind="subject_access",
            subject=self.person.code,
            status="ready",
            file=f"matrix/{self.person.code}.zip",
            filename=f"{self.person.code}.zip",
        )
        stored = Path(settings.MEDIA_ROOT) / "private" / self.job.file
        stored.parent.mkdir(parents=True, exist_ok=True)
        stored.write_bytes(b"PK")
        # A help request asked by visitor_a, with a deadline and a decision attached.
        self.help_request = legal_services.ask(
            owner,
            topic=Topic.objects.get(code="detention"),
            subject="Matrix",
            question="?",
            language="fr",
        )
        self.deadline = Deadline.objects.create(
            request=self.help_request,
            rule=DeadlineRule.objects.get(code="cce-appeal"),
            notified_on=datetime.date(2026, 3, 2),
            due_on=datetime.date(2026, 4, 1),
            due_at=datetime.datetime(2026, 4, 1, 23, 59, tzinfo=datetime.UTC),
        )
        self.attachment = Attachment.objects.create(
            request=self.help_request,
            file="legal/matrix.pdf",
            name="decision.pdf",
            content_type="application/pdf",
            size=9,
        )
        decision = Path(settings.MEDIA_ROOT) / "private" / self.attachment.file
        decision.parent.mkdir(parents=True, exist_ok=True)
        decision.write_bytes(b"%PDF-1.4\n")

        # Made only for the URLs that point at them: building every part for every URL
        # and persona made this test the suite's slowest.
        if name is None or name.startswith(("legal:", "newsletter:")):
            self.library(owner)
        if name is None or name.startswith("advocacy:"):
            self.advocacy(org_a, partner_org)

    def library(self, owner):
        """A lawyer, a published decision with its PDF, a case with a hearing, a
        training with a material, an internal document, a draft newsletter and a
        published one with its PDFs (issue 11)."""
        private = Path(settings.MEDIA_ROOT) / "private"
        self.lawyer = Lawyer.objects.create(
            name="Maître Matrix",
            bar=Bar.objects.get(code="antwerp"),
            email=f"matrix-{Lawyer.objects.count()}@advocaat.example.be",
            subscribed=True,
            subscription_basis=Lawyer.Basis.CONSENT,
            newsletter_language="nl",
        )
        self.decision = Decision.objects.create(
            court="cce",
            date=datetime.date(2022, 3, 1),
            outcome="favourable",
            title_fr="Arrêt",
            title_nl="Arrest",
            summary_fr="Résumé.",
            summary_nl="Samenvatting.",
            status=Decision.Status.PUBLISHED,
            public=True,
            pdf="legal/decisions/matrix.pdf",
            pdf_name="matrix.pdf",
        )
        self.case = LitigationCase.objects.create(title="Matrix", court="ecthr", our_role="follow")
        self.hearing = Hearing.objects.create(
            case=self.case, starts_at=datetime.datetime(2026, 6, 1, 9, tzinfo=datetime.UTC)
        )
        self.training = Training.objects.create(
            topic="Entry bans",
            date=datetime.date(2022, 5, 1),
            audience="visitors",
            trainer="Legal",
            language="fr",
        )
        self.material = TrainingMaterial.objects.create(
            training=self.training,
            file="legal/trainings/matrix.pdf",
            name="slides.pdf",
            content_type="application/pdf",
            size=9,
        )
        self.resource = Resource.objects.create(
            kind="toolkit",
            title_fr="Boîte à outils",
            title_nl="Toolkit",
            file_fr="legal/docs/m.pdf",
        )
        # A world is made for each persona: each its own quarters.
        year = 2030 + Newsletter.objects.count()
        self.newsletter = Newsletter.objects.create(year=year + 1, quarter=1)
        self.published = Newsletter.objects.create(
            year=year,
            quarter=4,
            title_fr="Lettre",
            title_nl="Nieuwsbrief",
            editorial_fr="Édito.",
            editorial_nl="Voorwoord.",
            status=Newsletter.Status.PUBLISHED,
            published_at=datetime.datetime(2031, 1, 5, 9, tzinfo=datetime.UTC),
            pdf_fr=f"newsletters/{year}-q4-fr.pdf",
            pdf_nl=f"newsletters/{year}-q4-nl.pdf",
        )
        NewsletterDecision.objects.create(newsletter=self.published, decision=self.decision)
        for name in (
            self.decision.pdf,
            self.material.file,
            self.resource.file_fr,
            self.published.pdf_fr,
            self.published.pdf_nl,
        ):
            (private / name).parent.mkdir(parents=True, exist_ok=True)
            (private / name).write_bytes(b"%PDF-1.4\n")

    def advocacy(self, org_a, partner_org):
        """A point of attention from an observation of the world's report, a meeting
        with it on the agenda and a case file discussed, an exchange meeting the
        partner's organisation attended, a witness with a consent (its signed form
        stored), a testimony and a use (issue 12)."""
        observation = Observation.objects.create(
            report=self.report, theme=self.theme, centre=self.centre, text="Matrix", position=0
        )
        self.point = PointOfAttention.objects.create(title="Matrix", theme=self.theme)
        self.point.observations.add(observation)
        self.meeting = AuthorityMeeting.objects.create(
            date=datetime.date(2026, 3, 10), authority="immigration_office"
        )
        AgendaItem.objects.create(meeting=self.meeting, point=self.point)
        Situation.objects.create(meeting=self.meeting, person=self.person)
        self.exchange = ExchangeMeeting.objects.create(date=datetime.date(2026, 2, 3))
        self.exchange.organisations.add(org_a, partner_org)
        self.witness = Witness.objects.create(
            relation="former_detainee", name="Matrix Witness", contact="+32 470 00 00 00"
        )
        self.consent = Consent.objects.create(
            witness=self.witness,
            scopes="website press",
            anonymity="first_name",
            given_on=datetime.date(2026, 1, 5),
            how="signed_form",
            form_file=f"advocacy/consents/{self.witness.code}.pdf",
            expires_on=datetime.date(2028, 1, 5),
        )
        stored = Path(settings.MEDIA_ROOT) / "private" / self.consent.form_file
        stored.parent.mkdir(parents=True, exist_ok=True)
        stored.write_bytes(b"%PDF-1.4\n")
        self.testimony = Testimony.objects.create(
            witness=self.witness,
            title="Matrix",
            text="What I lived.",
            language="fr",
            recorded_on=datetime.date(2026, 1, 10),
            approved_on=datetime.date(2026, 1, 20),
            scopes="website",
        )
        self.use = Use.objects.create(
            testimony=self.testimony,
            publication="Website",
            used_on=datetime.date(2026, 2, 1),
            scope="website",
            anonymity="first_name",
        )

    def newer_kwargs(self):
        """The arguments of the directory, jurisprudence, newsletter and advocacy URLs:
        their objects are made only for the URLs that need them (see __init__)."""
        from legal.newsletter import unsubscribe_token

        if not hasattr(self, "lawyer") and not hasattr(self, "point"):
            return {}
        found = {}
        if hasattr(self, "lawyer"):
            found.update(self.library_kwargs(unsubscribe_token))
        if hasattr(self, "point"):
            found.update(self.advocacy_kwargs())
        return found

    def library_kwargs(self, unsubscribe_token):
        return {
            **{
                f"legal:{name}": {"key": self.lawyer.key}
                for name in ("lawyer-detail", "lawyer-update")
            },
            **{
                f"legal:{name}": {"key": self.decision.key}
                for name in (
                    "decision-detail",
                    "decision-update",
                    "decision-publish",
                    "decision-dismiss",
                    "decision-pdf",
                )
            },
            **{
                f"legal:{name}": {"key": self.case.key}
                for name in ("litigation-detail", "litigation-update", "hearing-add")
            },
            "legal:hearing-update": {"key": self.hearing.key},
            **{
                f"legal:{name}": {"key": self.training.key}
                for name in ("training-detail", "training-update", "material-add")
            },
            "legal:material-download": {"key": self.material.key},
            "legal:resource-update": {"key": self.resource.key},
            "legal:resource-file": {"key": self.resource.key, "language": "fr"},
            **{
                f"legal:{name}": {"key": self.newsletter.key}
                for name in (
                    "newsletter-update",
                    "newsletter-publish",
                    "newsletter-deliveries",
                    "newsletter-retry",
                )
            },
            **{
                f"legal:{name}": {"key": self.newsletter.key, "language": "fr"}
                for name in ("newsletter-preview", "newsletter-preview-pdf")
            },
            "newsletter:detail": {"year": self.published.year, "quarter": 4},
            "newsletter:pdf": {"year": self.published.year, "quarter": 4, "language": "nl"},
            "newsletter:unsubscribe": {"token": unsubscribe_token(self.lawyer)},
        }

    def advocacy_kwargs(self):
        return {
            **{
                f"advocacy:{name}": {"key": self.point.key}
                for name in ("point-detail", "point-update")
            },
            "advocacy:point-raise": {"code": self.report.code},
            **{
                f"advocacy:{name}": {"key": self.meeting.key}
                for name in ("meeting-detail", "meeting-update", "meeting-minutes", "meeting-pdf")
            },
            **{
                f"advocacy:{name}": {"key": self.exchange.key}
                for name in ("exchange-detail", "exchange-update")
            },
            **{
                f"advocacy:{name}": {"key": self.witness.key}
                for name in (
                    "witness-detail",
                    "witness-update",
                    "witness-contact",
                    "witness-withdraw",
                    "witness-export",
                    "consent-add",
                    "testimony-add",
                )
            },
            "advocacy:consent-form": {"key": self.consent.key},
            **{
                f"advocacy:{name}": {"key": self.testimony.key}
                for name in ("testimony-detail", "use-add")
            },
            "advocacy:use-taken-down": {"key": self.use.key},
        }

    def kwargs(self, name):
        from django.contrib.contenttypes.models import ContentType

        pattern_kwargs = {
            "accounts:organisation-detail": {"code": self.organisation.code},
            "accounts:organisation-update": {"code": self.organisation.code},
            "accounts:membership-create": {"code": self.organisation.code},
            "accounts:membership-delete": {"code": self.membership.code},
            "accounts:invitation-revoke": {"code": self.invitation.code},
            "accounts:invitation-accept": {"token": self.token},
            "centres:centre-detail": {"code": self.centre.code},
            "centres:centre-update": {"code": self.centre.code},
            "centres:centreyear-create": {"code": self.centre.code},
            "centres:centreyear-update": {"code": self.figures.code},
            "figures:dashboard": {"year": 2022},
            "figures:export": {"year": 2022, "format": "csv"},
            "visits:visit-update": {"code": self.visit.code},
            "visits:report-detail": {"code": self.report.code},
            "visits:report-start": {"code": self.unreported.code},
            **{
                f"visits:{name}": {"code": self.report.code}
                for name in (
                    "report-pdf",
                    "report-update",
                    "report-autosave",
                    "report-observations",
                    "finding-dismiss",
                    "report-submit",
                    "report-share",
                    "report-share-revoke",
                    "report-history",
                )
            },
            **{
                f"detainees:{name}": {"key": self.person.key}
                for name in (
                    "person-detail",
                    "person-update",
                    "identity-detail",
                    "identity-update",
                    "spell-create",
                    "person-transfer",
                    "person-release",
                    "accompaniment-create",
                    "referral-create",
                    "person-share",
                    "person-export",
                    "person-erase",
                )
            },
            "detainees:referral-update": {"key": self.referral.key},
            **{
                f"legal:{name}": {"key": self.help_request.key}
                for name in (
                    "request-detail",
                    "request-update",
                    "request-message",
                    "request-status",
                    "request-share",
                    "attachment-add",
                    "deadline-add",
                )
            },
            "legal:attachment-download": {"key": self.attachment.key},
            "legal:deadline-done": {"key": self.deadline.key},
            "legal:rule-update": {"code": "cce-appeal"},
            **self.newer_kwargs(),
            "detainees:family-detail": {"key": self.family.key},
            "privacy:job-detail": {"code": self.job.code},
            "privacy:job-download": {"code": self.job.code},
            "privacy:job-retry": {"code": self.job.code},
            "account_confirm_email": {"key": "not-a-real-key"},
            "account_reset_password_from_key": {"uidb36": "zz", "key": "not-a-real-key"},
            "admin:app_list": {"app_label": "accounts"},
            "admin:view_on_site": {
                "content_type_id": ContentType.objects.get_for_model(self.user).pk,
                "object_id": self.user.pk,
            },
        }
        if name in pattern_kwargs:
            return pattern_kwargs[name]
        if (
            name.startswith("admin:")
            and name.endswith(("_change", "_delete", "_history"))
            and (name not in ("admin:password_change",))
        ):
            return {"object_id": self.admin_object(name).pk}
        return {}

    def admin_object(self, name):
        model_name = name.split(":")[1].rsplit("_", 1)[0]
        return {
            "accounts_user": self.user,
            "accounts_organisation": self.organisation,
            "accounts_invitation": self.invitation,
            "centres_centre": self.centre,
            "visits_theme": self.theme,
        }[model_name]


@pytest.mark.parametrize("name", all_url_names())
def test_permission_matrix(name, persona_client, coordinator, request, settings, tmp_path):
    settings.ACCOUNT_RATE_LIMITS = False
    settings.MEDIA_ROOT = tmp_path
    org_a = request.getfixturevalue("org_a")
    partner_org = request.getfixturevalue("partner_org")
    request.getfixturevalue("visitor_a")
    failures = []
    for method, table in expectations(name).items():
        for persona in PERSONAS:
            world = World(coordinator, org_a, partner_org, name)
            url = reverse(name, kwargs=world.kwargs(name))
            client = persona_client(persona)
            if method == "GET":
                client.get(reverse("home"))  # a page before: the session is under way
                with CaptureQueriesContext(connection) as queries:
                    response = client.get(url)
                if response.status_code == 200 and len(queries) > query_budget(name):
                    failures.append(f"GET {url} as {persona}: {len(queries)} queries")
            else:
                response = client.post(url)
            if response.streaming:
                close_download(response)
            expected = table[persona]
            if response.status_code != expected:
                failures.append(f"{method} {url} as {persona}: {response.status_code} ≠ {expected}")
            client.logout()
    assert failures == []
