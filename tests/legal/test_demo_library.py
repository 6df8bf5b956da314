"""The demo's lawyers, decisions, newsletters, cases, trainings and documents keep issue
11 and DESIGN.md §8, counted from the records.

The demo is loaded once for the module (as tests/legal/test_demo.py does), its files
written to a temporary media folder, and rolled back at its end; each test runs in a
savepoint inside it."""

from collections import Counter
from datetime import timedelta
from io import BytesIO, StringIO
from pathlib import Path

import phonenumbers
import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count, Q
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from legal.demo_library import DUTCH_BARS, seed_library
from legal.library import ecli_validator
from legal.models import (
    Decision,
    Delivery,
    Hearing,
    Lawyer,
    LitigationCase,
    NewsItem,
    Newsletter,
    NewsletterDecision,
    Resource,
    Training,
    TrainingMaterial,
)
from move.centres.models import Centre
from move.privacy import pii

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module", autouse=True)
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    media = tmp_path_factory.mktemp("media")
    with (
        override_settings(MEDIA_ROOT=media),
        django_db_blocker.unblock(),
        transaction.atomic(),
    ):
        call_command("seed_demo", "--force", stdout=StringIO())
        yield media
        transaction.set_rollback(True)


def everything():
    models = (Lawyer, Decision, Newsletter, NewsletterDecision, NewsItem, Delivery)
    models += (LitigationCase, Hearing, Training, TrainingMaterial, Resource)
    counts = {model.__name__: model.objects.count() for model in models}
    counts["lawyer centres"] = Lawyer.centres.through.objects.count()
    counts["lawyer specialities"] = Lawyer.specialities.through.objects.count()
    counts["decision themes"] = Decision.themes.through.objects.count()
    return counts


def test_a_second_run_creates_nothing():
    before = everything()
    call_command("seed_demo", "--force", stdout=StringIO())
    seed_library()
    assert everything() == before


# --- Lawyers -------------------------------------------------------------------------------


def test_about_120_lawyers_over_the_bars_most_in_brussels_antwerp_and_liege():
    lawyers = Lawyer.objects.select_related("bar")
    assert 110 <= lawyers.count() <= 130
    bars = Counter(lawyer.bar.code for lawyer in lawyers)
    assert len(bars) >= 12
    big = bars["brussels-fr"] + bars["brussels-nl"] + bars["antwerp"] + bars["liege-huy"]
    assert big > lawyers.count() / 2


def test_lawyers_have_example_addresses_and_valid_belgian_phones():
    for email, phone in Lawyer.objects.values_list("email", "phone"):
        assert email == email.lower() and email.endswith(".example.be")
        number = phonenumbers.parse(phone)
        assert phone.startswith("+32") and phonenumbers.is_valid_number(number)
        assert phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164) == phone


def test_lawyers_speak_their_bars_language_and_many_both():
    lawyers = list(Lawyer.objects.select_related("bar"))
    for lawyer in lawyers:
        own = "nl" if lawyer.bar.code in DUTCH_BARS else "fr"
        if lawyer.bar.code != "eupen":
            assert own in lawyer.language_list
            assert lawyer.newsletter_language == own
    both = sum(1 for lawyer in lawyers if {"fr", "nl"} <= set(lawyer.language_list))
    assert both >= len(lawyers) / 3
    assert any("en" in lawyer.language_list for lawyer in lawyers)


def test_most_practise_detention_take_legal_aid_and_are_subscribed():
    total = Lawyer.objects.count()
    detention = Lawyer.objects.filter(specialities__code="detention").count()
    assert detention >= total * 0.65
    assert Lawyer.objects.filter(legal_aid=True).count() >= total * 0.7
    subscribed = Lawyer.objects.subscribed()
    assert subscribed.count() >= total * 0.7
    assert not subscribed.filter(Q(subscription_basis="") | Q(subscribed_on__isnull=True))
    assert {d.year for d in subscribed.values_list("subscribed_on", flat=True)} <= {2021, 2022}
    assert 1 <= Lawyer.objects.filter(unsubscribed_on__isnull=False).count() <= 10


def test_a_dutch_speaking_detention_lawyer_near_merksplas_is_found():
    merksplas = Centre.objects.get(code="merksplas")
    found = (
        Lawyer.objects.speaking("nl")
        .filter(centres=merksplas, specialities__code="detention")
        .in_region("antwerp")
    )
    assert found.count() >= 3


# --- Decisions -----------------------------------------------------------------------------


def test_about_40_decisions_of_2022_and_2023_published_most_public():
    decisions = Decision.objects.all()
    assert 35 <= decisions.count() <= 45
    assert {d.year for d in decisions.values_list("date", flat=True)} == {2022, 2023}
    assert not decisions.exclude(status=Decision.Status.PUBLISHED)
    assert decisions.filter(public=True).count() >= decisions.count() * 0.8
    courts = set(decisions.values_list("court", flat=True))
    assert {"cce", "council_chamber", "indictment_chamber", "cassation", "ecthr", "cjeu"} <= courts


def test_every_decision_is_in_french_and_dutch_with_a_valid_ecli_and_themes():
    for decision in Decision.objects.annotate(themes_count=Count("themes")):
        assert decision.missing_languages == []
        ecli_validator(decision.ecli)
        assert decision.themes_count >= 1
        if decision.court in ("council_chamber", "indictment_chamber"):
            assert decision.district


def test_the_summaries_hold_no_personal_data():
    findings = []
    for decision in Decision.objects.all():
        for code in ("fr", "nl"):
            for text in (getattr(decision, f"summary_{code}"), getattr(decision, f"title_{code}")):
                findings += [(decision.ecli, f.kind, f.text) for f in pii.scan(text, language=code)]
    assert findings == []


# --- Newsletters ---------------------------------------------------------------------------


def test_the_four_newsletters_of_2022_are_published_the_month_after_their_quarter():
    newsletters = Newsletter.objects.filter(year=2022).order_by("quarter")
    assert [n.quarter for n in newsletters] == [1, 2, 3, 4]
    for newsletter in newsletters:
        assert newsletter.status == Newsletter.Status.PUBLISHED
        published = timezone.localtime(newsletter.published_at).date()
        month = 3 * newsletter.quarter + 1
        assert (published.year, published.month) == (2022 + month // 13, (month - 1) % 12 + 1)
        assert newsletter.title_fr and newsletter.title_nl
        assert newsletter.editorial_fr and newsletter.editorial_nl
        assert (newsletter.pdf_fr, newsletter.pdf_nl) == ("", "")
        assert 1 <= newsletter.news.count() <= 2


def test_each_newsletter_has_4_to_6_public_decisions_of_its_quarter():
    for newsletter in Newsletter.objects.filter(year=2022):
        decisions = list(newsletter.decisions.all())
        assert 4 <= len(decisions) <= 6
        for decision in decisions:
            assert decision.public and decision.status == Decision.Status.PUBLISHED
            assert decision.date.year == 2022
            assert (decision.date.month - 1) // 3 + 1 == newsletter.quarter


def test_each_newsletter_was_sent_once_to_the_lawyers_subscribed_that_day():
    for newsletter in Newsletter.objects.filter(year=2022):
        day = timezone.localtime(newsletter.published_at).date()
        expected = set(
            Lawyer.objects.filter(subscribed_on__lte=day)
            .filter(Q(unsubscribed_on__isnull=True) | Q(unsubscribed_on__gt=day))
            .values_list("pk", "email", "newsletter_language")
        )
        deliveries = newsletter.deliveries.all()
        assert set(deliveries.values_list("lawyer_id", "email", "language")) == expected
        assert not deliveries.exclude(status=Delivery.Status.SENT)
        assert not deliveries.filter(sent_at__lt=newsletter.published_at)
        assert len(expected) >= 50


def test_the_public_archive_lists_the_2022_newsletters(client):
    response = client.get(reverse("newsletter:archive"))
    assert response.status_code == 200
    for quarter in range(1, 5):
        assert reverse("newsletter:detail", args=[2022, quarter]).encode() in response.content


# --- Litigation, trainings, documents -----------------------------------------------------


def test_two_strategic_cases_with_linked_decisions_and_a_hearing_in_the_coming_weeks():
    cases = LitigationCase.objects.all()
    assert cases.count() == 2
    children = cases.get(court="ecthr")
    assert children.our_role in (LitigationCase.Role.INTERVENTION, LitigationCase.Role.SUPPORT)
    assert "127bis" in children.title
    assert "n° " in children.parties  # the application number, no names
    assert not pii.scan(children.parties) and not pii.scan(children.summary)
    students = cases.exclude(pk=children.pk).get()
    assert students.decisions.count() >= 2
    now = timezone.now()
    coming = Hearing.objects.filter(starts_at__gt=now, starts_at__lte=now + timedelta(days=21))
    assert coming.filter(reminded_at__isnull=True).exists()


def test_the_2022_trainings_cover_the_topics_of_the_activity_report():
    trainings = Training.objects.filter(date__year=2022)
    topics = " ".join(trainings.values_list("topic", flat=True)).lower()
    for word in ("interdictions d'entrée", "praktische hulp", "isolement", "medische zorg"):
        assert word in topics
    assert "arrestations illégales" in topics
    assert trainings.filter(
        audience=Training.Audience.PARTNERS, audience_detail__icontains="Croix-Rouge"
    )
    assert not trainings.filter(attendance__isnull=True)
    assert TrainingMaterial.objects.exists()


def test_the_documents_are_the_toolkit_the_vade_mecums_and_the_guide_with_valid_pdfs(demo):
    from pypdf import PdfReader

    documents = Resource.objects.all()
    assert set(documents.values_list("kind", flat=True)) == {"toolkit", "vade_mecum", "guide"}
    assert documents.get(kind="toolkit").public
    assert documents.filter(kind="vade_mecum").count() == 2
    for document in documents:
        for code in ("fr", "nl"):
            name = document.file_path(code)
            if name:
                assert name.startswith("legal/documents/")
                reader = PdfReader(BytesIO((Path(demo) / "private" / name).read_bytes()))
                assert getattr(document, f"title_{code}") in reader.pages[0].extract_text()
    assert documents.filter(file_nl="").count() == 1  # shown as missing in the list


def test_the_decisions_are_found_by_their_words_in_french_and_dutch():
    from legal.decision_search import matching

    decisions = Decision.objects.all()
    assert matching(decisions, "étudiants").count() >= 2
    assert matching(decisions, "zwangere vrouw").count() >= 1
