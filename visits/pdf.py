"""One visit report as a PDF: labels in the reader's language, the report's own text as
written. WeasyPrint reads local files and data: URLs only (DESIGN.md §6).

WeasyPrint is imported when a PDF is made, not when Django starts: it loads Pango, which
neither the web pages nor the management commands need."""

from django.template.loader import render_to_string
from django.utils import timezone, translation

from visits.models import VisitReport

LOCAL_SCHEMES = ("file", "data")


def local_fetcher():
    """A fetcher that refuses http(s) and every other scheme with a ValueError before
    opening anything; `fail_on_errors` makes WeasyPrint stop instead of leaving a blank."""
    from weasyprint.urls import URLFetcher

    return URLFetcher(allowed_protocols=LOCAL_SCHEMES, fail_on_errors=True)


def report_html(
    report: VisitReport, *, language: str, show_authors: bool, observations=None
) -> str:
    """The HTML that becomes the PDF. `report` comes with its visit's centre and
    organisation selected and its observations (theme, centre) and authors prefetched;
    `observations`, when given, are those shown instead (the version last checked, see
    visits.reports.readable_version)."""
    if observations is None:
        observations = list(report.observations.all())
    with translation.override(language):
        return render_to_string(
            "visits/report_pdf.html",
            {
                "report": report,
                "observations": observations,
                "show_authors": show_authors,
                "generated_on": timezone.localdate(),
            },
        )


def html_to_pdf(html: str) -> bytes:
    from weasyprint import HTML

    return HTML(string=html, url_fetcher=local_fetcher()).write_pdf()


def render_report(
    report: VisitReport, *, language: str, show_authors: bool, observations=None
) -> bytes:
    return html_to_pdf(
        report_html(report, language=language, show_authors=show_authors, observations=observations)
    )
