"""The quarterly newsletter as legal writes it (issue 11): creating one for a quarter,
editing its texts, decisions and news (a concurrent save refused, nothing lost),
previewing it, publishing it (refused with the reasons when something is missing),
the deliveries page and retrying the refused ones; personas at every boundary; query
counts of the lists at 2 and 30 rows.

The helpers and fixtures here are shared by the other test_newsletter_*.py files."""

import datetime
import itertools
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from legal import newsletter as services
from legal import newsletter_pdf
from legal.models import (
    Bar,
    Decision,
    Delivery,
    Lawyer,
    NewsItem,
    Newsletter,
    NewsletterDecision,
    QuarterReminder,
)
from move.privacy.models import Job
from tests.conftest import sign_in

pytestmark = pytest.mark.django_db

_numbers = itertools.count(1)


def make_decision(day=datetime.date(2022, 2, 10), *, public=True, published=True, **fields):
    number = next(_numbers)
    defaults = {
        "court": "cce",
        "date": day,
        "outcome": "favourable",
        "reference": f"ARR-{number}",
        "title_fr": f"Détention illégale, famille {number}",
        "title_nl": f"Onwettige opsluiting van een gezin {number}",
        "summary_fr": f"Le Conseil annule la décision de maintien {number}.",
        "summary_nl": f"De Raad vernietigt de beslissing tot vasthouding {number}.",
        "public": public,
        "status": Decision.Status.PUBLISHED if published else Decision.Status.DRAFT,
    }
    return Decision.objects.create(**(defaults | fields))


def make_lawyer(language="fr", *, subscribed=True, **fields):
    number = next(_numbers)
    defaults = {
        "name": f"Maître {number}",
        "bar": Bar.objects.order_by("pk").first() or Bar.objects.create(code="brussels-fr"),
        "email": f"lawyer{number}@avocat.example.be",
        "subscribed": subscribed,
        "subscription_basis": Lawyer.Basis.CONSENT if subscribed else "",
        "newsletter_language": language,
    }
    return Lawyer.objects.create(**(defaults | fields))


def complete_newsletter(year=2022, quarter=1, decisions=2, news=1) -> Newsletter:
    """A draft that can be published: texts in both languages, decisions, news."""
    newsletter = Newsletter.objects.create(
        year=year,
        quarter=quarter,
        title_fr="La détention en question",
        title_nl="Opsluiting in vraag",
        editorial_fr="Éditorial : la Cour rappelle les limites de la détention.",
        editorial_nl="Voorwoord: het Hof herinnert aan de grenzen van de opsluiting.",
    )
    first, _last = services.quarter_bounds(year, quarter)
    for position in range(1, decisions + 1):
        NewsletterDecision.objects.create(
            newsletter=newsletter,
            decision=make_decision(first + datetime.timedelta(days=position)),
            position=position,
        )
    for position in range(1, news + 1):
        NewsItem.objects.create(
            newsletter=newsletter,
            position=position,
            title_fr=f"Formation {position}",
            title_nl=f"Opleiding {position}",
            body_fr="Une formation sur les interdictions d'entrée.",
            body_nl="Een opleiding over inreisverboden.",
        )
    return newsletter


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def management(prefix, total, initial=0):
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def edit_data(newsletter, *, decisions=(), news=(), **texts):
    """The POST of the edit page: `decisions` as (decision, chosen, position), `news` as
    dicts of a news item's fields (with "id" for an existing one, "DELETE" to remove)."""
    data = {
        "version": newsletter.version,
        "title_fr": newsletter.title_fr or "",
        "title_nl": newsletter.title_nl or "",
        "editorial_fr": newsletter.editorial_fr or "",
        "editorial_nl": newsletter.editorial_nl or "",
    } | texts
    data |= management("decisions", len(decisions))
    for index, (decision, chosen, position) in enumerate(decisions):
        data[f"decisions-{index}-decision"] = decision.pk
        if chosen:
            data[f"decisions-{index}-chosen"] = "on"
        data[f"decisions-{index}-position"] = position
    existing = sum(1 for item in news if item.get("id"))
    data |= management("news", len(news), existing)
    for index, item in enumerate(news):
        for name, value in item.items():
            data[f"news-{index}-{name}"] = value
    return data


# --- Creating ------------------------------------------------------------------------------


def test_legal_creates_a_newsletter_with_the_quarters_public_decisions(client, legal):
    in_quarter = make_decision(datetime.date(2022, 2, 1))
    earlier = make_decision(datetime.date(2022, 1, 5))
    make_decision(datetime.date(2022, 2, 3), public=False)
    make_decision(datetime.date(2022, 2, 4), published=False, public=True)
    make_decision(datetime.date(2022, 4, 1))
    sign_in(client, legal)

    response = client.post(
        reverse("legal:newsletter-create"), {"year": 2022, "quarter": 1, "title_fr": "Lettre"}
    )

    newsletter = Newsletter.objects.get(year=2022, quarter=1)
    assert response.status_code == 302
    assert response["Location"] == reverse("legal:newsletter-update", args=[newsletter.key])
    chosen = NewsletterDecision.objects.filter(newsletter=newsletter).order_by("position")
    assert [row.decision for row in chosen] == [earlier, in_quarter]
    assert newsletter.title_fr == "Lettre"


def test_a_second_newsletter_for_a_quarter_is_refused_with_a_clear_message(client, legal):
    Newsletter.objects.create(year=2022, quarter=2)
    sign_in(client, legal)

    response = client.post(reverse("legal:newsletter-create"), {"year": 2022, "quarter": 2})

    assert response.status_code == 400
    assert "There is already a newsletter for quarter 2 of 2022." in response.content.decode()
    assert Newsletter.objects.count() == 1


def test_a_quarter_out_of_range_is_refused(client, legal):
    sign_in(client, legal)
    response = client.post(reverse("legal:newsletter-create"), {"year": 2022, "quarter": 5})
    assert response.status_code == 400
    assert not Newsletter.objects.exists()


def test_only_legal_creates_a_newsletter(coordinator):
    with pytest.raises(PermissionDenied):
        services.create(coordinator, year=2022, quarter=1)


# --- Editing -------------------------------------------------------------------------------


def test_the_edit_page_offers_the_chosen_and_the_quarters_decisions(client, legal):
    newsletter = complete_newsletter()
    suggested = make_decision(datetime.date(2022, 3, 30))
    previous_quarter = make_decision(datetime.date(2021, 11, 2))
    too_old = make_decision(datetime.date(2021, 3, 2))
    internal = make_decision(datetime.date(2022, 3, 1), public=False)
    sign_in(client, legal)

    response = client.get(reverse("legal:newsletter-update", args=[newsletter.key]))

    page = response.content.decode()
    assert response.status_code == 200
    for decision in [*newsletter.decisions.all(), suggested, previous_quarter]:
        assert decision.title_fr in page
    assert too_old.title_fr not in page
    assert internal.title_fr not in page


def test_legal_saves_texts_decisions_in_order_and_news(client, legal):
    newsletter = complete_newsletter(decisions=2, news=2)
    first, second = (row.decision for row in newsletter.chosen_decisions.order_by("position"))
    added = make_decision(datetime.date(2022, 3, 3))
    news_one, news_two = newsletter.news.order_by("position")
    sign_in(client, legal)

    data = edit_data(
        newsletter,
        title_nl="Nieuwe titel",
        decisions=[(first, False, 1), (second, True, 2), (added, True, 1)],
        news=[
            {"id": news_one.pk, "title_fr": "Changé", "title_nl": "Gewijzigd", "position": 2},
            {"id": news_two.pk, "title_fr": news_two.title_fr, "position": 1, "DELETE": "on"},
            {"title_fr": "Nouveau", "title_nl": "Nieuw", "body_fr": "Texte", "position": 3},
        ],
    )
    response = client.post(reverse("legal:newsletter-update", args=[newsletter.key]), data)

    assert response.status_code == 302, response.content.decode()[:3000]
    newsletter.refresh_from_db()
    assert newsletter.title_nl == "Nieuwe titel"
    assert newsletter.version == 2
    chosen = newsletter.chosen_decisions.order_by("position")
    assert [(row.decision, row.position) for row in chosen] == [(added, 1), (second, 2)]
    assert list(newsletter.news.order_by("position").values_list("title_fr", "position")) == [
        ("Changé", 1),
        ("Nouveau", 2),
    ]


def test_a_save_over_a_newer_version_keeps_both_texts_and_changes_nothing(client, legal):
    newsletter = complete_newsletter()
    stale = Newsletter.objects.get(pk=newsletter.pk)
    # Someone else saves first.
    Newsletter.objects.filter(pk=newsletter.pk).update(editorial_fr="Leur texte", version=2)
    sign_in(client, legal)

    data = edit_data(
        stale,
        editorial_fr="Mon texte à moi",
        decisions=[(row.decision, True, row.position) for row in stale.chosen_decisions.all()],
    )
    response = client.post(reverse("legal:newsletter-update", args=[stale.key]), data)

    page = response.content.decode()
    assert response.status_code == 400
    assert "Someone else saved this record" in page
    assert "Mon texte à moi" in page  # what was typed, shown back
    assert "Leur texte" in page  # and the newer version beside it
    newsletter.refresh_from_db()
    assert newsletter.editorial_fr == "Leur texte"
    assert newsletter.version == 2


def test_a_decision_no_longer_public_cannot_be_chosen(client, legal):
    newsletter = complete_newsletter(decisions=1)
    hidden = make_decision(datetime.date(2022, 3, 3), public=False)
    sign_in(client, legal)

    data = edit_data(newsletter, decisions=[(hidden, True, 1)])
    response = client.post(reverse("legal:newsletter-update", args=[newsletter.key]), data)

    assert response.status_code == 400
    assert "no longer public" in response.content.decode()
    assert list(newsletter.decisions.all()) != [hidden]


@pytest.mark.parametrize("status", [Newsletter.Status.SENDING, Newsletter.Status.PUBLISHED])
def test_a_published_newsletter_can_no_longer_be_edited(client, legal, status):
    newsletter = complete_newsletter()
    Newsletter.objects.filter(pk=newsletter.pk).update(status=status)
    sign_in(client, legal)
    url = reverse("legal:newsletter-update", args=[newsletter.key])

    shown = client.get(url)
    saved = client.post(url, edit_data(newsletter, title_fr="Changé"))

    assert shown.status_code == saved.status_code == 403
    assert "can no longer be changed" in shown.content.decode()
    newsletter.refresh_from_db()
    assert newsletter.title_fr == "La détention en question"


# --- Previews ------------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["fr", "nl"])
def test_the_preview_shows_the_text_of_its_language(client, coordinator, language):
    newsletter = complete_newsletter()
    sign_in(client, coordinator)

    response = client.get(reverse("legal:newsletter-preview", args=[newsletter.key, language]))

    page = response.content.decode()
    assert response.status_code == 200
    assert getattr(newsletter, f"editorial_{language}") in page
    other = "nl" if language == "fr" else "fr"
    assert getattr(newsletter, f"editorial_{other}") not in page
    for decision in newsletter.decisions.all():
        assert getattr(decision, f"title_{language}") in page


def test_the_preview_says_what_is_missing_instead_of_another_language(client, legal):
    newsletter = complete_newsletter()
    Newsletter.objects.filter(pk=newsletter.pk).update(editorial_nl="")
    sign_in(client, legal)

    response = client.get(reverse("legal:newsletter-preview", args=[newsletter.key, "nl"]))

    page = response.content.decode()
    assert "Editorial missing" in page
    assert "The editorial in Dutch is missing." in page
    assert newsletter.editorial_fr not in page


@pytest.mark.parametrize("name", ["legal:newsletter-preview", "legal:newsletter-preview-pdf"])
def test_a_preview_in_another_language_is_not_found(client, legal, name):
    newsletter = complete_newsletter()
    sign_in(client, legal)
    assert client.get(reverse(name, args=[newsletter.key, "en"])).status_code == 404


def test_the_pdf_preview_is_a_pdf_made_on_the_spot(client, legal, media):
    newsletter = complete_newsletter()
    sign_in(client, legal)

    response = client.get(reverse("legal:newsletter-preview-pdf", args=[newsletter.key, "nl"]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert not (media / "private" / "newsletters").exists()


# --- Publishing ----------------------------------------------------------------------------


def publish(client, newsletter):
    return client.post(reverse("legal:newsletter-publish", args=[newsletter.key]))


def test_publishing_without_decisions_is_refused_with_the_reason(client, legal):
    newsletter = complete_newsletter(decisions=0)
    sign_in(client, legal)

    with mock.patch("legal.tasks.send_newsletter.delay") as delay:
        response = publish(client, newsletter)

    assert response.status_code == 400
    assert "Choose at least one decision." in response.content.decode()
    newsletter.refresh_from_db()
    assert newsletter.status == Newsletter.Status.DRAFT
    assert newsletter.job is None
    assert not Job.objects.exists()
    delay.assert_not_called()


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ("title_nl", "The title in Dutch is missing."),
        ("editorial_fr", "The editorial in French is missing."),
        ("decision", "has no title or summary in Dutch."),
        ("news", "News item 1 has no title or text in French."),
    ],
)
def test_publishing_with_a_language_missing_is_refused_with_the_reason(
    client, legal, change, reason
):
    newsletter = complete_newsletter()
    if change == "decision":
        Decision.objects.filter(pk=newsletter.decisions.first().pk).update(summary_nl="")
    elif change == "news":
        newsletter.news.update(body_fr="")
    else:
        Newsletter.objects.filter(pk=newsletter.pk).update(**{change: ""})
    sign_in(client, legal)

    with mock.patch("legal.tasks.send_newsletter.delay") as delay:
        response = publish(client, newsletter)

    assert response.status_code == 400
    assert reason in response.content.decode()
    assert Newsletter.objects.get(pk=newsletter.pk).status == Newsletter.Status.DRAFT
    delay.assert_not_called()


def test_publish_and_send_starts_the_job_and_queues_the_task_on_commit(
    client, legal, django_capture_on_commit_callbacks
):
    newsletter = complete_newsletter()
    sign_in(client, legal)

    with (
        mock.patch("legal.tasks.send_newsletter.delay") as delay,
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = publish(client, newsletter)

    newsletter.refresh_from_db()
    assert response.status_code == 302
    assert response["Location"] == reverse("legal:newsletter-deliveries", args=[newsletter.key])
    assert newsletter.status == Newsletter.Status.SENDING
    assert newsletter.published_by == legal
    assert newsletter.job.owner == legal
    assert newsletter.job.kind == "newsletter"
    delay.assert_called_once_with(newsletter.pk)
    page = client.get(response["Location"]).content.decode()
    assert "Being sent" in page
    assert 'hx-trigger="every 2s"' in page


def test_the_progress_polls_itself_until_the_job_is_done(client, legal):
    newsletter = complete_newsletter()
    job = Job.objects.create(owner=legal, kind="newsletter", subject=newsletter.slug, progress=40)
    Newsletter.objects.filter(pk=newsletter.pk).update(status=Newsletter.Status.PUBLISHED, job=job)
    sign_in(client, legal)
    url = reverse("legal:newsletter-deliveries", args=[newsletter.key])

    polled = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    Job.objects.filter(pk=job.pk).update(status=Job.Status.READY, progress=100)
    done = client.get(url, HTTP_HX_REQUEST="true").content.decode()

    assert polled.startswith('<div id="newsletter-progress"')
    assert 'hx-trigger="every 2s"' in polled
    assert 'value="40"' in polled
    assert "hx-trigger" not in done


def test_publishing_twice_is_refused_and_queues_nothing_more(client, legal):
    newsletter = complete_newsletter()
    sign_in(client, legal)
    with mock.patch("legal.tasks.send_newsletter.delay"):
        publish(client, newsletter)

    with mock.patch("legal.tasks.send_newsletter.delay") as delay:
        response = publish(client, newsletter)

    assert response.status_code == 400
    assert "already published" in response.content.decode()
    assert Job.objects.count() == 1
    delay.assert_not_called()


# --- Deliveries ----------------------------------------------------------------------------


def sent_newsletter(lawyers=3, failed=1) -> Newsletter:
    newsletter = complete_newsletter()
    Newsletter.objects.filter(pk=newsletter.pk).update(status=Newsletter.Status.PUBLISHED)
    for number in range(lawyers):
        lawyer = make_lawyer()
        Delivery.objects.create(
            newsletter=newsletter,
            lawyer=lawyer,
            email=lawyer.email,
            language="fr",
            status=Delivery.Status.FAILED if number < failed else Delivery.Status.SENT,
            attempts=1,
            last_error="550 5.1.1 Mailbox unknown" if number < failed else "",
        )
    return newsletter


def test_the_refused_deliveries_are_listed_with_the_reason(client, coordinator):
    newsletter = sent_newsletter(lawyers=3, failed=1)
    sign_in(client, coordinator)

    response = client.get(reverse("legal:newsletter-deliveries", args=[newsletter.key]))

    page = response.content.decode()
    assert response.status_code == 200
    assert "550 5.1.1 Mailbox unknown" in page
    assert "Send the refused e-mails again" not in page  # coordinators read only


def test_legal_retries_the_refused_deliveries(client, legal, django_capture_on_commit_callbacks):
    newsletter = sent_newsletter(lawyers=3, failed=2)
    sign_in(client, legal)

    with (
        mock.patch("legal.tasks.send_newsletter.delay") as delay,
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = client.post(reverse("legal:newsletter-retry", args=[newsletter.key]))

    assert response.status_code == 302
    assert newsletter.deliveries.filter(status=Delivery.Status.PENDING).count() == 2
    assert newsletter.deliveries.filter(status=Delivery.Status.SENT).count() == 1
    delay.assert_called_once_with(newsletter.pk)
    assert (
        "2 refused e-mails will be sent again." in client.get(response["Location"]).content.decode()
    )


def test_nothing_to_retry_says_so(client, legal):
    newsletter = sent_newsletter(lawyers=2, failed=0)
    sign_in(client, legal)

    with mock.patch("legal.tasks.send_newsletter.delay") as delay:
        response = client.post(
            reverse("legal:newsletter-retry", args=[newsletter.key]), follow=True
        )

    assert "Nothing to retry" in response.content.decode()
    delay.assert_not_called()


# --- Personas at every boundary ------------------------------------------------------------


@pytest.mark.parametrize("persona", ["visitor_a", "advocacy", "witness_pool", "partner"])
def test_other_roles_do_not_find_a_newsletter(client, request, persona):
    newsletter = complete_newsletter()
    sign_in(client, request.getfixturevalue(persona))
    for name in ("legal:newsletter-update", "legal:newsletter-deliveries"):
        assert client.get(reverse(name, args=[newsletter.key])).status_code == 404
    assert (
        client.post(reverse("legal:newsletter-publish", args=[newsletter.key])).status_code == 404
    )
    assert client.get(reverse("legal:newsletter-list")).status_code == 403


def test_a_coordinator_reads_but_neither_edits_publishes_nor_retries(client, coordinator):
    newsletter = complete_newsletter()
    sign_in(client, coordinator)
    with mock.patch("legal.tasks.send_newsletter.delay") as delay:
        assert publish(client, newsletter).status_code == 403
        retried = client.post(reverse("legal:newsletter-retry", args=[newsletter.key]))
    assert retried.status_code == 403
    assert client.get(reverse("legal:newsletter-update", args=[newsletter.key])).status_code == 403
    assert client.get(reverse("legal:newsletter-list")).status_code == 200
    assert Newsletter.objects.get(pk=newsletter.pk).status == Newsletter.Status.DRAFT
    delay.assert_not_called()


def test_anonymous_people_are_sent_to_sign_in(client):
    newsletter = complete_newsletter()
    response = client.get(reverse("legal:newsletter-deliveries", args=[newsletter.key]))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"] or "login" in response["Location"]


# --- Query counts --------------------------------------------------------------------------


def newsletters(count: int) -> None:
    lawyer = make_lawyer()
    for number in range(count):
        newsletter = Newsletter.objects.create(
            year=2000 + number // 4,
            quarter=number % 4 + 1,
            title_fr=f"Lettre {number}",
            status=Newsletter.Status.PUBLISHED,
        )
        Delivery.objects.create(
            newsletter=newsletter, lawyer=lawyer, email=lawyer.email, language="fr"
        )


def queries_of(client, url) -> int:
    client.get(url)  # the session under way
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("persona", ["legal", "coordinator"])
def test_the_list_costs_the_same_queries_at_2_and_30_newsletters(client, request, persona):
    sign_in(client, request.getfixturevalue(persona))
    newsletters(2)
    few = queries_of(client, reverse("legal:newsletter-list"))
    newsletters_more = 28
    Newsletter.objects.all().delete()
    newsletters(2 + newsletters_more)
    many = queries_of(client, reverse("legal:newsletter-list"))
    assert few == many <= 8


def test_the_deliveries_page_costs_the_same_queries_at_2_and_30_refusals(client, legal):
    sign_in(client, legal)
    counts = []
    for size in (2, 30):
        newsletter = sent_newsletter(lawyers=size, failed=size)
        counts.append(
            queries_of(client, reverse("legal:newsletter-deliveries", args=[newsletter.key]))
        )
        Newsletter.objects.filter(pk=newsletter.pk).delete()
    assert counts[0] == counts[1] <= 8


def test_the_edit_page_costs_the_same_queries_at_2_and_30_decisions(client, legal):
    sign_in(client, legal)
    counts = []
    for year, size in ((2022, 2), (2023, 30)):
        newsletter = complete_newsletter(year=year, decisions=size, news=size // 2 + 1)
        counts.append(queries_of(client, reverse("legal:newsletter-update", args=[newsletter.key])))
    assert counts[0] == counts[1] <= 8


# --- The quarter's reminder ----------------------------------------------------------------


def test_legal_is_reminded_once_when_a_quarter_ended_without_a_newsletter(legal, mailoutbox):
    complete_newsletter(year=2022, quarter=1)  # a draft: not sent

    first = services.remind_quarter_end(datetime.date(2022, 4, 2))
    again = services.remind_quarter_end(datetime.date(2022, 4, 3))

    assert (first, again) == (1, 0)
    assert [message.to for message in mailoutbox] == [[legal.email]]
    assert QuarterReminder.objects.filter(year=2022, quarter=1, recipient=legal).exists()


def test_no_reminder_when_the_quarter_was_published_or_not_yet_over(legal, mailoutbox):
    newsletter = complete_newsletter(year=2022, quarter=1)
    assert services.remind_quarter_end(datetime.date(2022, 3, 31)) == 0  # Q4 2021: too late
    Newsletter.objects.filter(pk=newsletter.pk).update(status=Newsletter.Status.PUBLISHED)
    assert services.remind_quarter_end(datetime.date(2022, 4, 2)) == 0
    assert mailoutbox == []


def test_only_those_who_publish_are_reminded(legal, coordinator, visitor_a, mailoutbox):
    assert services.remind_quarter_end(datetime.date(2022, 7, 1)) == 1
    assert [message.to for message in mailoutbox] == [[legal.email]]
    assert "quarter 2 of 2022" in mailoutbox[0].subject


def test_quarter_bounds():
    assert services.quarter_bounds(2022, 1) == (
        datetime.date(2022, 1, 1),
        datetime.date(2022, 3, 31),
    )
    assert services.quarter_bounds(2022, 4) == (
        datetime.date(2022, 10, 1),
        datetime.date(2022, 12, 31),
    )
    assert services.previous_quarter(2022, 1) == (2021, 4)
    assert newsletter_pdf.quarter_label(2022, 3) == "Legal newsletter, quarter 3 of 2022"
