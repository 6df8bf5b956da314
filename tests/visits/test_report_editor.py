"""Writing a report in the browser: start, autosave, conflicts, observations, findings,
submission, then corrections kept in the history, sharing and the PDF."""

from datetime import timedelta

import pytest
from auditlog.models import LogEntry
from django.urls import reverse
from django.utils import timezone

from tests.conftest import sign_in
from tests.factories import CentreFactory
from visits.models import FindingDismissal, Observation, Theme, Visit, VisitReport

pytestmark = pytest.mark.django_db

PHONE = "Zijn broer is bereikbaar op 0470 12 34 56."


@pytest.fixture
def theme():
    return Theme.objects.create(code="other", name_fr="Autre", name_nl="Andere")


@pytest.fixture
def visit(visitor_a):
    visit = Visit.objects.create(
        centre=CentreFactory(), date=timezone.localdate() - timedelta(days=1), status="done"
    )
    visit.visitors.add(visitor_a)
    return visit


@pytest.fixture
def draft(visit, visitor_a, theme):
    report = VisitReport.objects.create(
        visit=visit, organisation=visitor_a.memberships.get().organisation, language="nl"
    )
    report.authors.add(visitor_a)
    return report


def report_history_entries():
    """What the history keeps of reports and their observations (other records, such as
    memberships, have their own)."""
    from django.contrib.contenttypes.models import ContentType

    kinds = ContentType.objects.get_for_models(VisitReport, Observation).values()
    return LogEntry.objects.filter(content_type__in=list(kinds))


def url(name, report):
    return reverse(f"visits:{name}", kwargs={"code": report.code})


def typed(report, **changes):
    """The editor's form as the browser sends it, with `changes` typed in."""
    data = {
        "version": report.version,
        "language": report.language,
        "general_conditions": report.general_conditions,
        "atmosphere": report.atmosphere,
        "people_met": report.people_met,
        "people_new": report.people_new,
        "families": report.families,
        "minors_claimed": report.minors_claimed,
        "obs-TOTAL_FORMS": 0,
        "obs-INITIAL_FORMS": 0,
    }
    observations = list(report.observations.all())
    data["obs-TOTAL_FORMS"] = data["obs-INITIAL_FORMS"] = len(observations)
    for number, item in enumerate(observations):
        data |= {
            f"obs-{number}-id": item.pk,
            f"obs-{number}-theme": item.theme_id,
            f"obs-{number}-centre": item.centre_id,
            f"obs-{number}-severity": item.severity,
            f"obs-{number}-text": item.text,
        }
        if item.raise_with_authorities:
            data[f"obs-{number}-raise_with_authorities"] = "on"
    return data | changes


def autosave(client, report, **changes):
    return client.post(
        url("report-autosave", report), typed(report, **changes), HTTP_HX_REQUEST="true"
    )


# --- Starting a report -----------------------------------------------------------------


def test_a_visitor_who_went_starts_the_report_in_their_language(client, visit, visitor_a):
    sign_in(client, visitor_a)
    start = reverse("visits:report-start", kwargs={"code": visit.code})

    assert client.get(start).status_code == 200
    org = visitor_a.memberships.get().organisation
    response = client.post(start, {"language": "nl", "organisation": org.pk})

    report = VisitReport.objects.get(visit=visit)
    assert response.url == url("report-update", report)
    assert (report.status, report.language, report.organisation) == ("draft", "nl", org)
    assert list(report.authors.all()) == [visitor_a]
    assert not report_history_entries().exists()  # drafts stay out of the history


def test_a_visitor_who_did_not_go_is_refused(client, visit, visitor_a, org_a):
    from tests.factories import member, with_totp

    colleague = with_totp(member("visitor", org_a, email="colleague@example.org"))
    sign_in(client, colleague)

    response = client.get(reverse("visits:report-start", kwargs={"code": visit.code}))

    assert response.status_code == 403
    assert not VisitReport.objects.exists()


def test_a_cancelled_visit_gets_no_report(client, visit, visitor_a):
    visit.status = "cancelled"
    visit.save()
    sign_in(client, visitor_a)
    org = visitor_a.memberships.get().organisation

    response = client.post(
        reverse("visits:report-start", kwargs={"code": visit.code}),
        {"language": "fr", "organisation": org.pk},
    )

    assert response.status_code == 200
    assert "This visit was cancelled" in response.content.decode()
    assert not VisitReport.objects.exists()


def test_a_visit_in_the_future_gets_no_report_yet(client, visit, visitor_a):
    visit.date = timezone.localdate() + timedelta(days=3)
    visit.status = "planned"
    visit.save()
    sign_in(client, visitor_a)
    org = visitor_a.memberships.get().organisation

    response = client.post(
        reverse("visits:report-start", kwargs={"code": visit.code}),
        {"language": "fr", "organisation": org.pk},
    )

    assert "has not taken place yet" in response.content.decode()
    assert not VisitReport.objects.exists()


def test_a_report_for_another_organisation_is_refused(client, visit, visitor_a, org_b):
    sign_in(client, visitor_a)

    response = client.post(
        reverse("visits:report-start", kwargs={"code": visit.code}),
        {"language": "fr", "organisation": org_b.pk},
    )

    assert response.status_code == 200  # the choice is not offered: a form error
    assert not VisitReport.objects.exists()


def test_starting_twice_leads_to_the_existing_report(client, draft, visitor_a):
    sign_in(client, visitor_a)

    response = client.get(reverse("visits:report-start", kwargs={"code": draft.visit.code}))

    assert response.url == url("report-update", draft)
    assert VisitReport.objects.count() == 1


# --- Autosave and conflicts --------------------------------------------------------------


def test_autosave_keeps_the_text_and_moves_the_version_on(client, draft, visitor_a):
    sign_in(client, visitor_a)

    response = autosave(client, draft, general_conditions="De bezoekzaal was open.")

    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-state="saved"' in page
    assert 'name="version" id="id_version" value="2" hx-swap-oob="true"' in page
    draft.refresh_from_db()
    assert (draft.general_conditions, draft.version, draft.last_saved_by) == (
        "De bezoekzaal was open.",
        2,
        visitor_a,
    )


def test_the_editor_page_shows_what_was_saved(client, draft, visitor_a):
    autosave_text = "Nog te vervolledigen: gesprek met de directie."
    sign_in(client, visitor_a)
    autosave(client, draft, atmosphere=autosave_text)

    page = client.get(url("report-update", draft)).content.decode()

    assert autosave_text in page
    assert 'data-autosave="true"' in page


def test_a_bad_number_does_not_keep_the_text_from_being_saved(client, draft, visitor_a):
    sign_in(client, visitor_a)

    response = autosave(
        client, draft, general_conditions="Lange wachttijden.", people_met="5", people_new="9"
    )

    page = response.content.decode()
    assert "are among the people met" in page
    draft.refresh_from_db()
    assert draft.general_conditions == "Lange wachttijden."
    assert (draft.people_met, draft.people_new) == (5, 0)


def test_an_oversized_text_is_refused_with_a_message_and_not_cut(client, draft, visitor_a):
    sign_in(client, visitor_a)

    response = autosave(client, draft, atmosphere="x" * 20_001)

    assert "at most 20000 characters" in response.content.decode().replace(",", "")
    draft.refresh_from_db()
    assert draft.atmosphere == ""


def test_the_second_of_two_concurrent_saves_is_refused_with_both_versions(client, draft, visitor_a):
    sign_in(client, visitor_a)
    first = typed(draft, general_conditions="Versie van het eerste venster.")
    second = typed(draft, general_conditions="Versie van het tweede venster.")
    client.post(url("report-autosave", draft), first, HTTP_HX_REQUEST="true")

    response = client.post(url("report-autosave", draft), second, HTTP_HX_REQUEST="true")

    page = response.content.decode()
    assert response["HX-Retarget"] == "#report-form-wrapper"
    assert "Versie van het eerste venster." in page
    assert "Versie van het tweede venster." in page
    assert 'name="accept_version" value="2"' in page
    draft.refresh_from_db()
    assert (draft.general_conditions, draft.version) == ("Versie van het eerste venster.", 2)


def test_after_seeing_both_versions_one_may_keep_ones_own(client, draft, visitor_a):
    sign_in(client, visitor_a)
    client.post(url("report-autosave", draft), typed(draft, atmosphere="Eerste."))
    stale = typed(draft, atmosphere="Tweede.")  # typed on version 1

    response = client.post(url("report-update", draft), stale | {"accept_version": 2})

    assert response.status_code == 302
    draft.refresh_from_db()
    assert (draft.atmosphere, draft.version) == ("Tweede.", 3)


def test_a_save_without_js_after_a_conflict_shows_both_versions(client, draft, visitor_a):
    sign_in(client, visitor_a)
    client.post(url("report-autosave", draft), typed(draft, atmosphere="Eerste."))

    response = client.post(url("report-update", draft), typed(draft, atmosphere="Tweede."))

    assert response.status_code == 409
    page = response.content.decode()
    assert "Eerste." in page and "Tweede." in page


# --- Observations ------------------------------------------------------------------------


def test_observations_are_added_saved_and_removed(client, draft, visitor_a, theme):
    sign_in(client, visitor_a)

    client.post(url("report-observations", draft), typed(draft, add_observation="1"))
    draft.refresh_from_db()
    client.post(url("report-observations", draft), typed(draft, add_observation="1"))
    draft.refresh_from_db()
    first, second = draft.observations.all()
    assert (first.theme, first.centre) == (theme, draft.visit.centre)

    autosave(client, draft, **{"obs-0-text": "Eerste vaststelling.", "obs-1-severity": "high"})
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.text, second.severity) == ("Eerste vaststelling.", "high")

    draft.refresh_from_db()
    removal = typed(draft, remove_observation=second.pk)
    response = client.post(url("report-observations", draft), removal, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert list(draft.observations.all()) == [first]


def test_another_reports_observation_cannot_be_changed_or_removed(
    client, draft, visitor_a, visitor_b, theme
):
    other_visit = Visit.objects.create(centre=CentreFactory(), date=draft.visit.date)
    other = VisitReport.objects.create(
        visit=other_visit, organisation=visitor_b.memberships.get().organisation, language="fr"
    )
    foreign = Observation.objects.create(
        report=other, theme=theme, centre=other_visit.centre, text="Texte d'un autre."
    )
    sign_in(client, visitor_a)

    tampered = typed(draft) | {
        "obs-TOTAL_FORMS": 1,
        "obs-INITIAL_FORMS": 1,
        "obs-0-id": foreign.pk,
        "obs-0-theme": theme.pk,
        "obs-0-centre": other_visit.centre.pk,
        "obs-0-severity": "low",
        "obs-0-text": "Overschreven.",
    }
    autosave_response = client.post(url("report-autosave", draft), tampered)
    remove_response = client.post(
        url("report-observations", draft),
        typed(draft, remove_observation=foreign.pk),
        follow=True,
    )

    foreign.refresh_from_db()
    assert foreign.text == "Texte d'un autre."
    assert autosave_response.status_code == 200
    assert remove_response.redirect_chain == [(url("report-update", draft), 302)]
    assert "not part of the report" in remove_response.content.decode()
    assert Observation.objects.filter(pk=foreign.pk).exists()


def test_an_unknown_theme_is_refused_and_the_text_still_saved(client, draft, visitor_a, theme):
    observation = Observation.objects.create(
        report=draft, theme=theme, centre=draft.visit.centre, text=""
    )
    sign_in(client, visitor_a)

    response = autosave(client, draft, **{"obs-0-theme": 999999, "obs-0-text": "Tekst."})

    assert "Select a valid choice" in response.content.decode()
    observation.refresh_from_db()
    assert (observation.theme, observation.text) == (theme, "Tekst.")


# --- Findings, dismissals, submission ----------------------------------------------------


def test_a_phone_number_is_shown_in_place_and_blocks_submission(client, draft, visitor_a, theme):
    Observation.objects.create(report=draft, theme=theme, centre=draft.visit.centre, text="")
    sign_in(client, visitor_a)

    saved = autosave(client, draft, **{"obs-0-text": PHONE}).content.decode()
    assert "<mark>0470 12 34 56</mark>" in saved
    assert 'data-start="28" data-end="41"' in saved

    draft.refresh_from_db()
    response = client.post(url("report-submit", draft), typed(draft), follow=True)
    # Back on the editor (not left on /submit/), told once, the finding marked in place.
    assert response.redirect_chain == [(url("report-update", draft), 302)]
    page = response.content.decode()
    assert page.count("personal data remain") == 1
    assert "<mark>0470 12 34 56</mark>" in page
    draft.refresh_from_db()
    assert draft.status == "draft"
    assert draft.observations.get().text == PHONE  # nothing typed is lost


def test_once_fixed_the_report_is_submitted(client, draft, visitor_a, theme):
    Observation.objects.create(report=draft, theme=theme, centre=draft.visit.centre, text=PHONE)
    sign_in(client, visitor_a)

    response = client.post(
        url("report-submit", draft),
        typed(draft, **{"obs-0-text": "Zijn broer is bereikbaar (nummer in het dossier)."}),
    )

    assert response.url == url("report-detail", draft)
    draft.refresh_from_db()
    assert draft.status == "submitted"


def test_an_observation_without_text_blocks_submission(client, draft, visitor_a, theme):
    Observation.objects.create(report=draft, theme=theme, centre=draft.visit.centre, text="")
    sign_in(client, visitor_a)

    response = client.post(url("report-submit", draft), typed(draft), follow=True)

    assert response.redirect_chain == [(url("report-update", draft), 302)]
    assert response.content.decode().count("Observation 1 has no text") == 1
    draft.refresh_from_db()
    assert draft.status == "draft"


def test_a_finding_dismissed_with_its_reason_is_recorded(client, draft, visitor_a):
    draft.general_conditions = "Het centrum is bereikbaar op 02 793 80 00."
    draft.save()
    sign_in(client, visitor_a)
    data = typed(draft) | {"dismiss": "1", "kind-1": "phone", "text-1": "02 793 80 00"}

    refused = client.post(url("finding-dismiss", draft), data | {"reason-1": " "}, follow=True)
    assert refused.redirect_chain == [(url("report-update", draft), 302)]
    assert refused.content.decode().count("Say why") == 1
    draft.refresh_from_db()
    data["version"] = draft.version
    client.post(
        url("finding-dismiss", draft), data | {"reason-1": "Algemeen nummer van het centrum."}
    )

    dismissal = FindingDismissal.objects.get()
    assert (dismissal.kind, dismissal.text, dismissal.dismissed_by) == (
        "phone",
        "02 793 80 00",
        visitor_a,
    )
    draft.refresh_from_db()
    client.post(url("report-submit", draft), typed(draft))
    draft.refresh_from_db()
    assert draft.status == "submitted"


# --- After submission: corrections in the history ----------------------------------------


@pytest.fixture
def submitted(draft):
    draft.general_conditions = "Rustige dag."
    draft.status = "submitted"
    draft.submitted_at = timezone.now()
    draft.save()
    return draft


def test_a_coordinators_correction_is_kept_in_the_history(client, submitted, coordinator):
    sign_in(client, coordinator)
    page = client.get(url("report-update", submitted)).content.decode()
    assert 'data-autosave="false"' in page

    client.post(url("report-update", submitted), typed(submitted, general_conditions="Rustig."))

    history = client.get(url("report-history", submitted))
    assert history.status_code == 200
    text = history.content.decode()
    assert "Rustige dag." in text and "Rustig." in text
    assert "coordinator@example.org" in text


def test_a_correction_may_not_bring_personal_data_back(client, submitted, coordinator):
    recorded = LogEntry.objects.count()
    sign_in(client, coordinator)

    response = client.post(url("report-update", submitted), typed(submitted, atmosphere=PHONE))

    assert response.status_code == 409
    assert "nothing was saved" in response.content.decode()
    submitted.refresh_from_db()
    assert submitted.atmosphere == ""
    assert LogEntry.objects.count() == recorded


def test_only_coordinators_see_the_history(client, submitted, visitor_a, legal):
    for person in (visitor_a, legal):
        sign_in(client, person)
        assert client.get(url("report-history", submitted)).status_code == 403


def test_a_reader_who_may_not_edit_is_refused(client, submitted, visitor_b, legal, partner):
    for person in (visitor_b, legal):
        sign_in(client, person)
        assert client.get(url("report-update", submitted)).status_code == 403
        assert client.post(url("report-autosave", submitted), typed(submitted)).status_code == 403
    sign_in(client, partner)
    assert client.post(url("report-autosave", submitted), typed(submitted)).status_code == 404
    submitted.refresh_from_db()
    assert submitted.version == 1


# --- Sharing and the PDF ------------------------------------------------------------------


def test_the_coordinator_shares_with_the_chosen_partners(client, submitted, coordinator, partner):
    sign_in(client, coordinator)
    page = client.get(url("report-share", submitted))
    partner_org = partner.memberships.get().organisation
    assert page.status_code == 200
    assert partner_org.name in page.content.decode()

    response = client.post(url("report-share", submitted), {"organisations": [partner_org.pk]})

    assert response.url == url("report-detail", submitted)
    sign_in(client, partner)
    assert client.get(url("report-detail", submitted)).status_code == 200
    pdf = client.get(url("report-pdf", submitted))
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")


def test_a_draft_cannot_be_shared(client, draft, visitor_a, partner):
    sign_in(client, visitor_a)
    partner_org = partner.memberships.get().organisation

    response = client.post(url("report-share", draft), {"organisations": [partner_org.pk]})

    assert "Submit the report before sharing it" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == "draft"


def test_a_partner_gets_no_pdf_of_an_unshared_report(client, submitted, partner):
    sign_in(client, partner)

    assert client.get(url("report-pdf", submitted)).status_code == 404


# --- Queries -----------------------------------------------------------------------------


@pytest.mark.parametrize("count", [1, 6])
def test_the_editor_page_queries_do_not_grow_with_observations(
    client, draft, visitor_a, theme, count, django_assert_max_num_queries
):
    for _ in range(count):
        Observation.objects.create(report=draft, theme=theme, centre=draft.visit.centre, text="x")
    sign_in(client, visitor_a)
    # The session is under way and the names of the organisation's case files, which the
    # scanner looks for, are in the cache (rebuilt whenever an identity changes; one
    # more query when the cache has lost them).
    client.get(url("report-update", draft))

    with django_assert_max_num_queries(8):
        assert client.get(url("report-update", draft)).status_code == 200


def test_an_editor_left_open_does_not_write_over_a_submission(client, draft, visitor_a):
    from visits import reports

    sign_in(client, visitor_a)
    stale = typed(draft, general_conditions="Nog een zin, getypt in een oud venster.")
    reports.submit(draft, by=visitor_a)

    response = client.post(url("report-autosave", draft), stale, HTTP_HX_REQUEST="true")

    assert response["HX-Retarget"] == "#report-form-wrapper"
    draft.refresh_from_db()
    assert (draft.status, draft.general_conditions) == ("submitted", "")


def test_a_page_behind_by_a_version_but_with_the_same_text_is_no_conflict(client, draft, visitor_a):
    sign_in(client, visitor_a)
    client.post(url("report-autosave", draft), typed(draft, atmosphere="Zelfde tekst."))
    behind = typed(draft, atmosphere="Zelfde tekst.")  # the page still says version 1

    response = client.post(url("report-autosave", draft), behind, HTTP_HX_REQUEST="true")

    assert "HX-Retarget" not in response
    assert 'name="version" id="id_version" value="2"' in response.content.decode()


def test_submitting_with_a_bad_field_saves_nothing_and_keeps_what_was_typed(
    client, draft, visitor_a
):
    sign_in(client, visitor_a)

    response = client.post(
        url("report-submit", draft),
        typed(draft, general_conditions="y" * 20_001, atmosphere="Kalm."),
    )

    assert response.status_code == 400
    assert "Nothing was saved" in response.content.decode()
    assert "Kalm." in response.content.decode()
    draft.refresh_from_db()
    assert (draft.status, draft.atmosphere) == ("draft", "")


def test_saving_without_javascript_refuses_a_bad_count_instead_of_dropping_it(
    client, draft, visitor_a
):
    sign_in(client, visitor_a)

    response = client.post(url("report-update", draft), typed(draft, people_met=1, people_new=5))

    assert response.status_code == 400
    draft.refresh_from_db()
    assert (draft.people_met, draft.people_new) == (0, 0)


def test_a_made_up_dismissal_is_refused(client, draft, visitor_a):
    sign_in(client, visitor_a)
    data = typed(draft) | {"dismiss": "9", "kind-9": "phone", "text-9": "0470 12 34 56"}

    response = client.post(
        url("finding-dismiss", draft), data | {"reason-9": "Niets."}, follow=True
    )

    assert "not among the findings" in response.content.decode()
    assert not FindingDismissal.objects.exists()


def test_a_malformed_observation_id_is_a_message_not_an_error(client, draft, visitor_a):
    sign_in(client, visitor_a)

    response = client.post(
        url("report-observations", draft), typed(draft, remove_observation="abc"), follow=True
    )

    assert response.redirect_chain == [(url("report-update", draft), 302)]
    assert "not part of the report" in response.content.decode()


def test_an_author_who_left_the_organisation_no_longer_edits_its_draft(
    client, draft, visitor_a, org_b
):
    from move.accounts.models import Membership

    Membership.objects.filter(user=visitor_a).delete()
    Membership.objects.create(user=visitor_a, organisation=org_b, role="visitor")
    sign_in(client, visitor_a)

    assert client.get(url("report-update", draft)).status_code == 404


def test_the_conflict_shows_a_changed_severity_too(client, draft, visitor_a, theme):
    observation = Observation.objects.create(
        report=draft, theme=theme, centre=draft.visit.centre, text="Tekst."
    )
    stale = typed(draft)
    observation.severity = "high"
    observation.save()
    VisitReport.objects.filter(pk=draft.pk).update(version=2)
    sign_in(client, visitor_a)

    response = client.post(url("report-autosave", draft), stale | {"obs-0-text": "Andere tekst."})

    page = response.content.decode()
    assert "Observation 1 — Severity" in page
    assert "High" in page and "Medium" in page


# --- One clear message per event (issue 9 §4) -------------------------------------------


def test_an_autosave_that_keeps_some_fields_back_says_so_in_one_message(client, draft, visitor_a):
    sign_in(client, visitor_a)

    response = autosave(client, draft, atmosphere="Kalm.", people_met="2", people_new="7")

    page = response.content.decode()
    assert 'data-state="partial"' in page
    assert page.count("Saved at") == 1
    assert "except these fields, which are kept in this page until corrected" in page
    assert "Not saved" not in page
    draft.refresh_from_db()
    assert draft.atmosphere == "Kalm."


def test_a_refused_save_says_why_once(client, draft, visitor_a):
    sign_in(client, visitor_a)

    response = client.post(url("report-update", draft), typed(draft, atmosphere="x" * 20_001))

    assert response.status_code == 400
    page = response.content.decode()
    assert page.count("Nothing was saved: correct the fields marked below.") == 1
    assert page.count('role="alert"') == 1


def test_a_refused_submission_leaves_the_address_on_the_editor_with_one_message(
    client, draft, visitor_a, theme
):
    Observation.objects.create(report=draft, theme=theme, centre=draft.visit.centre, text="")
    sign_in(client, visitor_a)

    response = client.post(
        url("report-submit", draft), typed(draft, atmosphere="Getypt vlak voor het indienen.")
    )

    assert response.status_code == 302
    assert response.url == url("report-update", draft)
    page = client.get(response.url).content.decode()
    assert page.count("Observation 1 has no text") == 1
    draft.refresh_from_db()
    assert (draft.status, draft.atmosphere) == ("draft", "Getypt vlak voor het indienen.")
