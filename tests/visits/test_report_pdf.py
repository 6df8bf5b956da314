"""One visit report as a PDF: labels in the reader's language, the report's text as
written, no visitor names for partners, nothing fetched from the network."""

import socket
from datetime import date

import pytest
from django.utils.html import escape

from tests.factories import CentreFactory
from visits import pdf
from visits.models import Observation, Theme, Visit, VisitReport

pytestmark = pytest.mark.django_db

DUTCH_TEXT = "Rustige dag; de bezoekzaal ging op tijd open."


@pytest.fixture
def report(visitor_a):
    centre = CentreFactory(name_fr="Centre fermé de Vottem", name_nl="Gesloten centrum Vottem")
    visit = Visit.objects.create(centre=centre, date=date(2022, 3, 14), status="done")
    report = VisitReport.objects.create(
        visit=visit,
        organisation=visitor_a.memberships.get().organisation,
        language="nl",
        status="submitted",
        general_conditions=DUTCH_TEXT,
        people_met=12,
        people_new=3,
    )
    report.authors.add(visitor_a)
    observe(report, 1)
    return report


def observe(report, count):
    theme = Theme.objects.create(code="isolation", name_fr="Isolement", name_nl="Isolatie")
    for position in range(count):
        Observation.objects.create(
            report=report,
            theme=theme,
            centre=report.visit.centre,
            text=f"Observatie {position}",
            severity="high",
            raise_with_authorities=True,
            position=position,
        )


def fetch(report):
    """As the view fetches it."""
    return (
        VisitReport.objects.select_related("visit__centre", "organisation")
        .prefetch_related("observations__theme", "observations__centre", "authors")
        .get(pk=report.pk)
    )


def test_the_report_renders_as_a_pdf(report):
    assert pdf.render_report(fetch(report), language="fr", show_authors=True).startswith(b"%PDF")


@pytest.mark.parametrize(
    ("language", "theme", "centre", "month"),
    [
        ("fr", "Isolement", "Centre fermé de Vottem", "mars"),
        ("nl", "Isolatie", "Gesloten centrum Vottem", "maart"),
    ],
)
def test_the_labels_are_in_the_readers_language_and_the_text_as_written(
    report, language, theme, centre, month
):
    html = pdf.report_html(fetch(report), language=language, show_authors=True)

    assert f'<html lang="{language}">' in html
    assert f"<h3>{escape(theme)}</h3>" in html
    assert escape(centre) in html
    assert f"14 {month} 2022" in html
    assert f'<div class="report-text" lang="nl"><p>{escape(DUTCH_TEXT)}</p></div>' in html


def test_a_partner_does_not_see_who_wrote_the_report(report, visitor_a):
    hidden = pdf.report_html(fetch(report), language="nl", show_authors=False)
    shown = pdf.report_html(fetch(report), language="nl", show_authors=True)

    assert escape(visitor_a.get_full_name()) not in hidden
    assert visitor_a.email not in hidden
    assert escape(visitor_a.get_full_name()) in shown


@pytest.mark.parametrize("url", ["http://example.org/logo.png", "https://example.org/a.css"])
def test_the_pdf_fetcher_refuses_the_network(url):
    with pytest.raises(ValueError, match="disallowed protocol"):
        pdf.local_fetcher().fetch(url)


def test_the_pdf_fetcher_reads_data_urls():
    assert pdf.local_fetcher().fetch("data:text/plain,ok").read() == b"ok"


def test_a_remote_image_stops_the_rendering_before_any_connection(monkeypatch):
    from weasyprint.urls import FatalURLFetchingError

    connections = []
    monkeypatch.setattr(socket.socket, "connect", lambda *args: connections.append(args))

    with pytest.raises(FatalURLFetchingError):
        pdf.html_to_pdf('<p>Logo <img src="http://127.0.0.1:9/logo.png"></p>')
    assert connections == []


def test_markup_typed_in_a_report_is_text_not_a_fetch(report):
    VisitReport.objects.filter(pk=report.pk).update(
        atmosphere='<img src="http://127.0.0.1:9/x.png">'
    )

    assert pdf.render_report(fetch(report), language="nl", show_authors=False).startswith(b"%PDF")


@pytest.mark.parametrize("observations", [1, 10])
def test_rendering_does_not_query_per_observation(
    report, observations, django_assert_max_num_queries
):
    Observation.objects.filter(report=report).delete()
    Theme.objects.all().delete()
    observe(report, observations)

    # The report with its visit's centre and organisation, then observations,
    # their themes, their centres and the authors.
    with django_assert_max_num_queries(5):
        pdf.render_report(fetch(report), language="fr", show_authors=True)
