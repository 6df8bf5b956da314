"""Issue 9 §2: nothing a coordinator sees tells whether a word is a name held in an
organisation's identities, and no name reaches a partner unchecked.

A correction by someone who may not read the owning organisation's identities (a
coordinator) puts the report, unconditionally, in "awaiting the authors' check"; the
partners keep reading the version last checked until an author runs the full check
(known names included) and confirms."""

import re
from datetime import timedelta

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from detainees import services as people
from detainees.models import Person
from move.privacy import registry
from tests.conftest import sign_in
from tests.factories import CentreFactory
from visits import reports
from visits.models import Observation, Theme, Visit, VisitReport

pytestmark = pytest.mark.django_db

KNOWN = "Petrenko"  # the surname of a case file of the report's organisation
INVENTED = "Kowalczuk"  # a surname nobody holds
BEFORE = "Rustige dag, de bezoekzaal was open."
OBSERVED = "Isolatie verlengd zonder uitleg."


@pytest.fixture
def known_person(visitor_a, org_a):
    return people.create_person(
        visitor_a,
        Person(organisation=org_a),
        identity={"surname": KNOWN, "given_names": "Oksana"},
    )


@pytest.fixture
def shared(visitor_a, org_a, partner_org, known_person):
    """A report of org_a, written by visitor_a, checked, submitted and shared."""
    theme = Theme.objects.create(code="other", name_fr="Autre", name_nl="Andere")
    visit = Visit.objects.create(
        centre=CentreFactory(), date=timezone.localdate() - timedelta(days=2), status="done"
    )
    visit.visitors.add(visitor_a)
    report = VisitReport.objects.create(
        visit=visit, organisation=org_a, language="nl", general_conditions=BEFORE
    )
    report.authors.add(visitor_a)
    Observation.objects.create(report=report, theme=theme, centre=visit.centre, text=OBSERVED)
    reports.submit(report, by=visitor_a)
    reports.share(report, by=visitor_a, organisations=[partner_org])
    report.refresh_from_db()
    return report


def url(name, report):
    return reverse(f"visits:{name}", kwargs={"code": report.code})


def typed(report, **changes):
    report.refresh_from_db()
    data = {
        "version": report.version,
        "language": report.language,
        "general_conditions": report.general_conditions,
        "atmosphere": report.atmosphere,
        "people_met": report.people_met,
        "people_new": report.people_new,
        "families": report.families,
        "minors_claimed": report.minors_claimed,
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
    return data | changes


TOKENS = [
    (
        re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"'),
        'name="csrfmiddlewaretoken" value=""',
    ),
    (re.compile(r'name="(version|accept_version)"( id="id_version")? value="\d+"'), r'name="\1"'),
    (re.compile(r"\b\d{1,2}:\d{2}(:\d{2})?\b"), "HH:MM"),
]


def normalised(response, word) -> tuple:
    """What the coordinator is answered, apart from the typed word, tokens, versions
    and times."""
    content = response.content.decode() if not response.streaming else ""
    content = content.replace(word, "WORD")
    for pattern, replacement in TOKENS:
        content = pattern.sub(replacement, content)
    return response.status_code, response.get("Location", ""), response.get("HX-Retarget"), content


def coordinator_answers(client, report, word) -> list[tuple]:
    """The same correction typed by a coordinator: every page and answer it gets. Run
    inside a savepoint rolled back afterwards, so that both words start alike."""
    answers = []
    with transaction.atomic():
        sentence = f"{word} was bang en vroeg naar zijn advocaat."
        for name in ("report-update", "report-detail", "report-share"):
            answers.append(normalised(client.get(url(name, report)), word))
        answers.append(
            normalised(
                client.post(
                    url("report-autosave", report),
                    typed(report, atmosphere=sentence),
                    HTTP_HX_REQUEST="true",
                ),
                word,
            )
        )
        saved = client.post(
            url("report-update", report),
            typed(report, general_conditions=f"{BEFORE} {sentence}"),
            follow=True,
        )
        answers.append(normalised(saved, word))
        for name in ("report-update", "report-detail", "report-share", "report-history"):
            answers.append(normalised(client.get(url(name, report)), word))
        # Trying to dismiss the word as a "name in a case file" tells nothing either.
        dismissal = typed(report) | {
            "dismiss": "1",
            "kind-1": "known_name",
            "text-1": word,
            "reason-1": "Geen naam.",
        }
        answers.append(
            normalised(client.post(url("finding-dismiss", report), dismissal, follow=True), word)
        )
        answers.append(
            normalised(
                client.post(url("report-share", report), {"organisations": []}, follow=True),
                word,
            )
        )
        report.refresh_from_db()
        answers.append((report.status, report.awaiting_check))
        transaction.set_rollback(True)
    report.refresh_from_db()
    return answers


def test_a_coordinator_gets_the_same_answers_for_a_known_name_and_an_invented_one(
    client, shared, coordinator, monkeypatch
):
    assert KNOWN in " ".join(registry.known_names(shared.organisation))
    looked_up = []
    providers = list(registry._providers)
    monkeypatch.setattr(
        registry,
        "_providers",
        [
            lambda organisation, p=p: looked_up.append(organisation) or p(organisation)
            for p in providers
        ],
    )
    sign_in(client, coordinator)

    with_known = coordinator_answers(client, shared, KNOWN)
    with_invented = coordinator_answers(client, shared, INVENTED)

    assert with_known == with_invented
    # Nothing the coordinator did read the names: not even the time it takes can differ.
    assert looked_up == []
    # And the answers say where the report stands: awaiting the authors' check.
    assert with_known[-1] == ("shared", True)
    assert "Name of a person in a case file" not in str(with_known)
    assert "awaiting the authors" in str(with_known).lower()


def test_a_coordinators_correction_awaits_the_authors_check_and_is_recorded(
    client, shared, coordinator
):
    sign_in(client, coordinator)

    client.post(url("report-update", shared), typed(shared, atmosphere="Gespannen sfeer."))

    shared.refresh_from_db()
    assert (shared.status, shared.awaiting_check, shared.atmosphere) == (
        "shared",
        True,
        "Gespannen sfeer.",
    )
    assert shared.checked_content["atmosphere"] == ""
    assert shared.checked_content["general_conditions"] == BEFORE
    history = client.get(url("report-history", shared)).content.decode()
    assert "Awaiting the authors&#x27; check" in history
    assert "coordinator@example.org" in history


def partner_reads(client, partner, report, monkeypatch) -> str:
    """The partner's report page and PDF (its HTML), as one text."""
    from visits import pdf

    monkeypatch.setattr(pdf, "html_to_pdf", lambda html: html.encode())
    sign_in(client, partner)
    page = client.get(url("report-detail", report))
    document = client.get(url("report-pdf", report))
    assert (page.status_code, document.status_code) == (200, 200)
    return page.content.decode() + document.content.decode()


def test_the_name_never_reaches_the_partner_before_an_author_confirms(
    client, shared, coordinator, visitor_a, partner, monkeypatch
):
    correction = f"{KNOWN} had geen tolk."
    sign_in(client, coordinator)
    client.post(
        url("report-update", shared),
        typed(shared, general_conditions=correction, **{"obs-0-text": f"{KNOWN} is ziek."}),
    )

    read = partner_reads(client, partner, shared, monkeypatch)
    assert KNOWN not in read
    assert BEFORE in read and OBSERVED in read
    # Nor through a search of the reports' words.
    listed = client.get(reverse("visits:report-list"), {"q": KNOWN}).content.decode()
    assert str(shared.code) not in listed
    assert str(shared.code) in client.get(reverse("visits:report-list")).content.decode()

    # The author is told, and the check finds the name: confirming is refused, once,
    # back on the editor.
    sign_in(client, visitor_a)
    detail = client.get(url("report-detail", shared)).content.decode()
    assert "A correction awaits your check." in detail
    editor = client.get(url("report-update", shared)).content.decode()
    assert f"<mark>{KNOWN}</mark>" in editor
    assert "Confirm the checked report" in editor
    refused = client.post(url("report-submit", shared), typed(shared), follow=True)
    assert refused.redirect_chain == [(url("report-update", shared), 302)]
    assert refused.content.decode().count("personal data remain") == 1
    shared.refresh_from_db()
    assert shared.awaiting_check
    assert KNOWN not in partner_reads(client, partner, shared, monkeypatch)

    # The author replaces the name and confirms: the partner reads the corrected text.
    sign_in(client, visitor_a)
    checked = "Hij had geen tolk."
    confirmed = client.post(
        url("report-submit", shared),
        typed(shared, general_conditions=checked, **{"obs-0-text": "Hij is ziek."}),
    )
    assert confirmed.url == url("report-detail", shared)
    shared.refresh_from_db()
    assert (shared.awaiting_check, shared.checked_content) == (False, None)
    read = partner_reads(client, partner, shared, monkeypatch)
    assert checked in read and "Hij is ziek." in read
    assert BEFORE not in read


def test_after_the_authors_check_the_partner_reads_the_correction(
    client, shared, coordinator, visitor_a, partner, monkeypatch
):
    correction = f"{INVENTED} kreeg eindelijk een arts te zien."
    sign_in(client, coordinator)
    client.post(url("report-update", shared), typed(shared, general_conditions=correction))
    assert INVENTED not in partner_reads(client, partner, shared, monkeypatch)

    sign_in(client, visitor_a)
    response = client.post(url("report-submit", shared), typed(shared), follow=True)

    assert "Report checked" in response.content.decode()
    read = partner_reads(client, partner, shared, monkeypatch)
    assert correction in read
    listed = client.get(reverse("visits:report-list"), {"q": INVENTED}).content.decode()
    assert str(shared.code) in listed


def test_only_an_author_confirms_and_a_coordinator_cannot_share_meanwhile(
    client, shared, coordinator, visitor_b, partner_org
):
    from django.core.exceptions import PermissionDenied, ValidationError

    sign_in(client, coordinator)
    client.post(url("report-update", shared), typed(shared, atmosphere="Kalm."))
    shared.refresh_from_db()

    for person in (coordinator, visitor_b):
        with pytest.raises(PermissionDenied):
            reports.confirm(shared, by=person)
    assert client.post(url("report-submit", shared), typed(shared)).status_code == 403
    with pytest.raises(ValidationError, match="awaits its authors"):
        reports.share(shared, by=coordinator, organisations=[partner_org])
    page = client.get(url("report-update", shared)).content.decode()
    assert "Awaiting the authors' check." in page
    assert "Confirm the checked report" not in page


def test_an_authors_own_correction_is_checked_at_once_and_does_not_wait(
    client, shared, visitor_a, partner, monkeypatch
):
    sign_in(client, visitor_a)
    refused = client.post(
        url("report-update", shared), typed(shared, atmosphere=f"{KNOWN} was er ook.")
    )
    assert refused.status_code == 409  # the author may see the name: refused, said once
    assert refused.content.decode().count("nothing was saved") == 1

    client.post(url("report-update", shared), typed(shared, atmosphere="Gespannen."))

    shared.refresh_from_db()
    assert (shared.atmosphere, shared.awaiting_check) == ("Gespannen.", False)
    assert "Gespannen." in partner_reads(client, partner, shared, monkeypatch)


def test_other_internal_readers_also_read_the_checked_version(client, shared, coordinator, legal):
    sign_in(client, coordinator)
    client.post(url("report-update", shared), typed(shared, general_conditions="Nieuw."))

    sign_in(client, legal)
    page = client.get(url("report-detail", shared)).content.decode()

    assert BEFORE in page and "Nieuw." not in page
    assert "awaiting the authors" not in page.lower()


@pytest.mark.parametrize("count", [1, 6])
def test_the_checked_version_costs_the_same_queries_whatever_the_observations(
    client, shared, coordinator, partner, count, django_assert_max_num_queries
):
    theme = Theme.objects.get()
    for _ in range(count):
        Observation.objects.create(report=shared, theme=theme, centre=shared.centre, text="x")
    sign_in(client, coordinator)
    client.post(url("report-update", shared), typed(shared, atmosphere="Kalm."))
    sign_in(client, partner)
    client.get(url("report-detail", shared))

    with django_assert_max_num_queries(8):
        assert client.get(url("report-detail", shared)).status_code == 200


@pytest.mark.parametrize("persona", ["coordinator", "visitor_a", "partner"])
def test_a_corrected_shared_report_with_codes_is_at_most_eight_queries(
    client, request, shared, coordinator, known_person, persona, django_assert_max_num_queries
):
    from tests.factories import OrganisationFactory

    reports.share(
        shared, by=coordinator, organisations=[OrganisationFactory(kind="partner") for _ in "ab"]
    )
    sign_in(client, coordinator)
    client.post(
        url("report-update", shared),
        typed(shared, atmosphere=f"Gesprek met {known_person.code} en P-2020-0001."),
    )
    sign_in(client, request.getfixturevalue(persona))
    client.get(url("report-detail", shared))

    with django_assert_max_num_queries(8):
        assert client.get(url("report-detail", shared)).status_code == 200
