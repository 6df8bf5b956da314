"""The newsletter's pages in the browser (issue 11): axe-core finds nothing on a desktop
and on a 360 px phone, where the page must not scroll sideways; nothing is logged to
the console (CSP). Internal pages as the lawyer (the list, the edit page, the
deliveries), public ones without signing in (the archive, a newsletter's page, the
unsubscribe link)."""

import datetime

import pytest
from django.urls import reverse

from legal import newsletter as services
from legal.models import (
    Bar,
    Decision,
    Delivery,
    Lawyer,
    NewsItem,
    Newsletter,
    NewsletterDecision,
    Resource,
)
from move.accounts.permissions import Role
from tests.e2e.conftest import axe_violations
from tests.e2e.test_accessibility import (
    DESKTOP,
    PHONE,
    assert_styled,
    console_errors,
    screenshot,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def decision(number: int, day: datetime.date) -> Decision:
    return Decision.objects.create(
        court="council_chamber",
        district="Leuven",
        date=day,
        outcome="favourable",
        reference=f"KI/2022/{number}",
        ecli=f"ECLI:BE:RVV:2022:ARR.27{number:04d}",
        title_fr=f"Libération d'une mère et de ses enfants ({number})",
        title_nl=f"Vrijlating van een moeder en haar kinderen ({number})",
        summary_fr="La chambre du conseil ordonne la libération : détention non motivée.",
        summary_nl="De raadkamer beveelt de vrijlating: de opsluiting was niet gemotiveerd.",
        public=True,
        status=Decision.Status.PUBLISHED,
    )


@pytest.fixture
def newsletters(e2e_db):
    """A draft with decisions and news, a published one with refused deliveries, a
    subscribed lawyer, a public document. The bars of migration 0004 are gone once a
    browser test has flushed the database: made again when missing."""
    bar, _created = Bar.objects.get_or_create(
        code="antwerp", defaults={"name_fr": "Barreau d'Anvers", "name_nl": "Balie Antwerpen"}
    )
    draft = Newsletter.objects.create(
        year=2023,
        quarter=1,
        title_fr="Enfants en détention",
        title_nl="Kinderen in opsluiting",
        editorial_fr="La Cour européenne a encore condamné la Belgique.",
        editorial_nl="Het Europees Hof heeft België opnieuw veroordeeld.",
    )
    for number in range(1, 4):
        NewsletterDecision.objects.create(
            newsletter=draft,
            decision=decision(number, datetime.date(2023, 2, number)),
            position=number,
        )
    decision(9, datetime.date(2023, 3, 9))  # offered, not chosen
    NewsItem.objects.create(
        newsletter=draft,
        position=1,
        title_fr="Formation à Merksplas",
        title_nl="Opleiding in Merksplas",
        body_fr="Une formation sur l'aide juridique.",
        body_nl="Een opleiding over juridische bijstand.",
    )
    published = Newsletter.objects.create(
        year=2022,
        quarter=4,
        title_fr="Bilan de l'année",
        title_nl="Jaaroverzicht",
        editorial_fr="Une année de jurisprudence sur la détention.",
        editorial_nl="Een jaar rechtspraak over opsluiting.",
        status=Newsletter.Status.PUBLISHED,
        published_at=datetime.datetime(2023, 1, 10, 9, tzinfo=datetime.UTC),
    )
    NewsletterDecision.objects.create(
        newsletter=published, decision=decision(5, datetime.date(2022, 11, 5)), position=1
    )
    lawyer = Lawyer.objects.create(
        name="Maître Janssens",
        bar=bar,
        email="janssens@advocaat.example.be",
        subscribed=True,
        subscription_basis=Lawyer.Basis.CONSENT,
        newsletter_language="nl",
    )
    refused = Lawyer.objects.create(
        name="Maître Dubois, cabinet avec un nom particulièrement long",
        bar=bar,
        email="a-rather-long-address-of-a-lawyer@un-cabinet-d-avocats.example.be",
    )
    Delivery.objects.create(
        newsletter=published, lawyer=lawyer, email=lawyer.email, language="nl", status="sent"
    )
    Delivery.objects.create(
        newsletter=published,
        lawyer=refused,
        email=refused.email,
        language="fr",
        status="failed",
        attempts=1,
        last_error="550 5.1.1 <a-rather-long-address-of-a-lawyer@un-cabinet-d-avocats."
        "example.be>: Recipient address rejected: User unknown in virtual mailbox table",
    )
    Resource.objects.create(
        kind="toolkit",
        title_fr="Boîte à outils juridique",
        title_nl="Juridische toolkit",
        description_fr="Les 35 pages de la boîte à outils.",
        description_nl="De 35 bladzijden van de toolkit.",
        file_fr="legal/documents/toolkit-fr.pdf",
        file_nl="legal/documents/toolkit-nl.pdf",
        public=True,
    )
    return {"draft": draft, "published": published, "lawyer": lawyer}


INTERNAL = [
    ("newsletter list", lambda data: reverse("legal:newsletter-list")),
    (
        "newsletter edit page",
        lambda data: reverse("legal:newsletter-update", args=[data["draft"].key]),
    ),
    (
        "newsletter preview",
        lambda data: reverse("legal:newsletter-preview", args=[data["draft"].key, "nl"]),
    ),
    (
        "newsletter deliveries",
        lambda data: reverse("legal:newsletter-deliveries", args=[data["published"].key]),
    ),
]
PUBLIC = [
    ("public archive", lambda data: reverse("newsletter:archive")),
    ("public newsletter", lambda data: reverse("newsletter:detail", args=[2022, 4])),
    (
        "unsubscribe page",
        lambda data: reverse(
            "newsletter:unsubscribe", args=[services.unsubscribe_token(data["lawyer"])]
        ),
    ),
]


def check(page, pages, data) -> list[str]:
    problems = []
    for name, url in pages:
        page.set_viewport_size(DESKTOP)
        response = page.goto(url(data))
        assert response.status == 200, f"{name}: HTTP {response.status}"
        assert_styled(page)
        for viewport in (DESKTOP, PHONE):
            page.set_viewport_size(viewport)
            problems += axe_violations(page, f"{name} at {viewport['width']} px")
            screenshot(page, f"newsletter-{name}", viewport)
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > PHONE["width"]:
            problems.append(f"{name} is {width} px wide on a 360 px phone")
    return problems


def test_the_lawyers_newsletter_pages_are_accessible(page, make_user, signed_in, newsletters):
    signed_in(make_user(Role.LEGAL, email="lawyer.reader@e2e.example.org"))
    console = console_errors(page)

    problems = check(page, INTERNAL, newsletters)

    assert not problems, "\n\n".join(problems)
    assert console == [], f"the browser logged errors (a CSP violation?): {console}"


def test_the_public_newsletter_pages_are_accessible(page, newsletters):
    console = console_errors(page)

    problems = check(page, PUBLIC, newsletters)

    assert not problems, "\n\n".join(problems)
    assert console == [], f"the browser logged errors (a CSP violation?): {console}"


def test_a_lawyer_unsubscribes_with_one_click(page, newsletters):
    lawyer = newsletters["lawyer"]
    page.goto(reverse("newsletter:unsubscribe", args=[services.unsubscribe_token(lawyer)]))

    page.get_by_role("button", name="Unsubscribe").click()

    page.get_by_text("the newsletter will no longer be sent").wait_for()
    assert page.context.cookies() == []
    lawyer.refresh_from_db()
    assert lawyer.unsubscribed_on is not None
