"""The newsletter's public side (issue 11): the archive, each newsletter's page and PDFs,
the Atom feed, the one-click unsubscribe link; read without signing in, drafts not found,
no cookie set, cacheable. And the PDFs themselves: their text read back in French and in
Dutch, and nothing fetched from the network while they are made."""

import datetime
import io
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from xml.etree import ElementTree

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pypdf import PdfReader

from legal import newsletter as services
from legal import newsletter_pdf
from legal.models import Lawyer, Newsletter, Resource
from tests.conftest import sign_in
from tests.legal.test_newsletter import complete_newsletter, make_lawyer

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def published(year=2022, quarter=1, **fields) -> Newsletter:
    newsletter = complete_newsletter(year=year, quarter=quarter)
    Newsletter.objects.filter(pk=newsletter.pk).update(
        status=Newsletter.Status.PUBLISHED,
        published_at=datetime.datetime(year, 3 * quarter, 28, 9, tzinfo=datetime.UTC),
        **fields,
    )
    newsletter.refresh_from_db()
    return newsletter


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


# --- The archive ---------------------------------------------------------------------------


def test_the_archive_lists_the_published_newsletters_and_public_documents(client):
    first, second = published(2022, 1), published(2022, 2)
    draft = complete_newsletter(2022, 3)
    Newsletter.objects.filter(pk=draft.pk).update(title_fr="Brouillon secret")
    document = Resource.objects.create(
        kind="toolkit",
        title_fr="Boîte à outils",
        title_nl="Toolkit",
        file_fr="d/t.pdf",
        file_nl="d/t-nl.pdf",
        public=True,
    )
    Resource.objects.create(kind="guide", title_fr="Note interne", public=False)

    response = client.get(reverse("newsletter:archive"), HTTP_ACCEPT_LANGUAGE="fr")

    page = response.content.decode()
    assert response.status_code == 200
    assert page.index("/newsletter/2022-q2/") < page.index("/newsletter/2022-q1/")
    for newsletter in (first, second):
        for language in ("fr", "nl"):
            assert (
                reverse("newsletter:pdf", args=[newsletter.year, newsletter.quarter, language])
                in page
            )
    assert "Brouillon secret" not in page
    assert "/newsletter/2022-q3/" not in page
    assert reverse("legal:resource-file", args=[document.key, "nl"]) in page
    assert "Boîte à outils" in page
    assert "Note interne" not in page


@pytest.mark.parametrize(
    ("language", "shown"), [("fr", "title_fr"), ("nl", "title_nl"), ("en", "title_fr")]
)
def test_the_archive_speaks_the_readers_language(client, language, shown):
    newsletter = published()
    response = client.get(reverse("newsletter:archive"), HTTP_ACCEPT_LANGUAGE=language)
    page = response.content.decode()
    assert f'<html lang="{language}">' in page
    assert getattr(newsletter, shown) in page


def test_a_language_link_changes_the_language_without_a_cookie(client):
    newsletter = published()
    response = client.get(reverse("newsletter:archive"), {"language": "nl"})
    assert '<html lang="nl">' in response.content.decode()
    assert newsletter.title_nl in response.content.decode()
    assert not response.cookies


@pytest.mark.parametrize(
    "name", ["newsletter:archive", "newsletter:detail", "newsletter:pdf", "newsletter:feed"]
)
def test_the_public_pages_set_no_cookie_and_may_be_cached(client, media, name):
    newsletter = published()
    kwargs = {
        "newsletter:detail": {"year": 2022, "quarter": 1},
        "newsletter:pdf": {"year": 2022, "quarter": 1, "language": "fr"},
    }.get(name, {})

    response = client.get(reverse(name, kwargs=kwargs))

    assert response.status_code == 200
    body(response)
    assert not response.cookies, response.cookies
    assert "public" in response["Cache-Control"]
    assert newsletter.pk


def test_a_signed_in_reader_gets_a_private_page(client, visitor_a):
    published()
    sign_in(client, visitor_a)
    response = client.get(reverse("newsletter:archive"))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert "public" not in response["Cache-Control"]


def archive_queries(count: int) -> int:
    for number in range(count):
        Newsletter.objects.create(
            year=2000 + number // 4,
            quarter=number % 4 + 1,
            title_fr=f"Lettre {number}",
            status=Newsletter.Status.PUBLISHED,
        )
        Resource.objects.create(kind="guide", title_fr=f"Guide {number}", public=True, file_fr="x")
    client = Client()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("newsletter:archive"))
    assert response.status_code == 200
    Newsletter.objects.all().delete()
    Resource.objects.all().delete()
    return len(queries)


def test_the_archive_costs_the_same_queries_at_2_and_30_rows():
    few, many = archive_queries(2), archive_queries(30)
    assert few == many <= 8


def test_the_feed_lists_the_published_newsletters_as_atom(client):
    newsletter = published()
    complete_newsletter(2022, 2)  # a draft

    response = client.get(reverse("newsletter:feed"), HTTP_ACCEPT_LANGUAGE="nl")

    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ElementTree.fromstring(response.content)
    entries = feed.findall(f"{ATOM}entry")
    assert [entry.find(f"{ATOM}title").text for entry in entries] == [newsletter.title_nl]
    link = entries[0].find(f"{ATOM}link").get("href")
    assert link.endswith("/newsletter/2022-q1/")


# --- One newsletter ------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["fr", "nl"])
def test_the_public_page_shows_the_newsletter_in_the_readers_language(client, language):
    newsletter = published()
    other = "nl" if language == "fr" else "fr"

    response = client.get(
        reverse("newsletter:detail", args=[2022, 1]), HTTP_ACCEPT_LANGUAGE=language
    )

    page = response.content.decode()
    assert getattr(newsletter, f"editorial_{language}") in page
    assert getattr(newsletter, f"editorial_{other}") not in page
    for decision in newsletter.decisions.all():
        assert getattr(decision, f"title_{language}") in page
        assert getattr(decision, f"summary_{language}") in page


def test_an_english_reader_gets_the_french_text_and_a_link_to_the_dutch(client):
    newsletter = published()
    response = client.get(reverse("newsletter:detail", args=[2022, 1]), HTTP_ACCEPT_LANGUAGE="en")
    page = response.content.decode()
    assert newsletter.editorial_fr in page
    assert "?text=nl" in page
    dutch = client.get(
        reverse("newsletter:detail", args=[2022, 1]), {"text": "nl"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert newsletter.editorial_nl in dutch.content.decode()


def test_an_internal_decision_never_reaches_the_public_page(client):
    newsletter = published()
    hidden = newsletter.decisions.first()
    hidden.public = False
    hidden.save()
    page = client.get(reverse("newsletter:detail", args=[2022, 1])).content.decode()
    assert hidden.title_fr not in page


@pytest.mark.parametrize(
    ("name", "kwargs"),
    [
        ("newsletter:detail", {"year": 2022, "quarter": 3}),
        ("newsletter:pdf", {"year": 2022, "quarter": 3, "language": "fr"}),
        ("newsletter:pdf", {"year": 2022, "quarter": 1, "language": "en"}),
        ("newsletter:detail", {"year": 2030, "quarter": 1}),
    ],
)
def test_drafts_and_unknown_ones_are_not_found(client, media, name, kwargs):
    published(2022, 1)
    complete_newsletter(2022, 3)
    assert client.get(reverse(name, kwargs=kwargs)).status_code == 404


def test_the_stored_pdf_is_served_inline(client, media):
    newsletter = published()
    (media / "private" / "newsletters").mkdir(parents=True)
    (media / "private" / "newsletters" / "2022-q1-nl.pdf").write_bytes(b"%PDF-1.4 stored")
    Newsletter.objects.filter(pk=newsletter.pk).update(pdf_nl="newsletters/2022-q1-nl.pdf")

    response = client.get(reverse("newsletter:pdf", args=[2022, 1, "nl"]))

    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline")
    assert body(response) == b"%PDF-1.4 stored"


def test_a_missing_pdf_is_made_and_stored_on_the_first_request(client, media):
    newsletter = published()  # as the demo seeds them: no file

    response = client.get(reverse("newsletter:pdf", args=[2022, 1, "nl"]))

    assert response.status_code == 200
    assert newsletter.editorial_nl[:40] in pdf_text(body(response))
    newsletter.refresh_from_db()
    assert newsletter.pdf_nl == "newsletters/2022-q1-nl.pdf"
    assert (media / "private" / newsletter.pdf_nl).is_file()


# --- The PDFs ------------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["fr", "nl"])
def test_the_pdf_holds_the_editorial_and_every_decisions_title_in_its_language(language):
    newsletter = complete_newsletter(decisions=3, news=2)
    other = "nl" if language == "fr" else "fr"

    text = pdf_text(newsletter_pdf.render(newsletter, language))

    assert getattr(newsletter, f"editorial_{language}")[:40] in text
    assert getattr(newsletter, f"editorial_{other}")[:40] not in text
    for decision in newsletter.decisions.all():
        assert getattr(decision, f"title_{language}") in text
        assert getattr(decision, f"title_{other}") not in text
    for item in newsletter.news.all():
        assert getattr(item, f"title_{language}") in text


class Counting(BaseHTTPRequestHandler):
    hits = []

    def do_GET(self):  # noqa: N802 (the name http.server calls)
        Counting.hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def web_server():
    Counting.hits = []
    server = HTTPServer(("127.0.0.1", 0), Counting)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_a_remote_image_in_the_editorial_is_not_fetched(web_server):
    newsletter = complete_newsletter()
    Newsletter.objects.filter(pk=newsletter.pk).update(
        editorial_fr=f'Voir <img src="{web_server}/tracker.png"> ici.'
    )
    newsletter.refresh_from_db()

    pdf = newsletter_pdf.render(newsletter, "fr")

    assert pdf.startswith(b"%PDF")
    assert Counting.hits == []


def test_the_pdf_fetcher_refuses_http(web_server):
    from weasyprint.urls import FatalURLFetchingError

    from visits.pdf import html_to_pdf, local_fetcher

    url = f"{web_server}/tracker.png"
    with pytest.raises(ValueError, match="disallowed protocol"):
        local_fetcher()(url)
    with pytest.raises(FatalURLFetchingError, match="tracker.png"):
        html_to_pdf(f'<html><body><p>x</p><img src="{url}"></body></html>')
    assert Counting.hits == []


# --- Unsubscribing -------------------------------------------------------------------------


@pytest.fixture
def lawyer(db):
    return make_lawyer("nl")


def unsubscribe_url(lawyer) -> str:
    return reverse("newsletter:unsubscribe", args=[services.unsubscribe_token(lawyer)])


def test_the_link_asks_for_a_confirmation_and_changes_nothing(client, lawyer):
    response = client.get(unsubscribe_url(lawyer))
    page = response.content.decode()
    assert response.status_code == 200
    assert '<form method="post">' in page
    assert lawyer.email not in page  # masked: a forwarded e-mail does not reveal it
    assert "l…@avocat.example.be" in page
    assert Lawyer.objects.subscribed().filter(pk=lawyer.pk).exists()


def test_one_click_unsubscribes_without_a_session_or_a_csrf_token(lawyer):
    client = Client(enforce_csrf_checks=True)

    response = client.post(unsubscribe_url(lawyer), {"List-Unsubscribe": "One-Click"})

    assert response.status_code == 200
    assert "no longer be sent" in response.content.decode()
    lawyer.refresh_from_db()
    assert lawyer.subscribed is False
    assert lawyer.unsubscribed_on is not None
    assert not Lawyer.objects.subscribed().filter(pk=lawyer.pk).exists()
    assert not response.cookies


def test_unsubscribing_twice_keeps_the_first_day(client, lawyer):
    Lawyer.objects.filter(pk=lawyer.pk).update(
        subscribed=False, unsubscribed_on=datetime.date(2022, 5, 1)
    )
    response = client.post(unsubscribe_url(lawyer))
    assert response.status_code == 200
    lawyer.refresh_from_db()
    assert lawyer.unsubscribed_on == datetime.date(2022, 5, 1)
    assert services.unsubscribe(lawyer) is False
    assert "is no longer sent" in client.get(unsubscribe_url(lawyer)).content.decode()


@pytest.mark.parametrize(
    "change",
    [
        lambda token: token[:-2] + ("AA" if not token.endswith("AA") else "BB"),
        lambda token: "0" * 32 + token[32:],
        lambda token: token.split(":")[0],
        lambda token: "nonsense",
    ],
)
@pytest.mark.parametrize("method", ["get", "post"])
def test_a_tampered_link_is_refused_and_changes_nothing(client, lawyer, change, method):
    token = change(services.unsubscribe_token(lawyer))

    response = getattr(client, method)(reverse("newsletter:unsubscribe", args=[token]))

    assert response.status_code == 400
    assert "This link is not valid" in response.content.decode()
    assert Lawyer.objects.subscribed().filter(pk=lawyer.pk).exists()


def test_a_token_signed_for_something_else_is_refused(client, lawyer):
    from django.core import signing

    token = signing.Signer().sign(lawyer.key.hex)  # no salt: not an unsubscribe token
    response = client.post(reverse("newsletter:unsubscribe", args=[token]))
    assert response.status_code == 400
    assert Lawyer.objects.subscribed().filter(pk=lawyer.pk).exists()
