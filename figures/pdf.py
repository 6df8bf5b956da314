"""The statistics PDF of a year or a quarter, in French or Dutch (issue 13): a cover, the
activity report's key figures, then one section per `Table.section` with each table's
chart and its table. Built by a Celery job (figures/tasks.py) whose progress and file are
on privacy:job-detail; started, claimed, followed and finished through move/privacy/jobs.py
like every job (queued again if its worker dies); its file is kept for its owner under
the private folder and deleted after a week.

WeasyPrint with the shared page style (templates/pdf_page_style.html) and the fetcher
limited to file: and data: (visits/pdf.py); the charts are matplotlib's SVG
(figures/charts.py) embedded as data: URLs, which WeasyPrint lays out faster than inline
<svg> elements and which need no file.

Which figures a reader gets is permissions.require_figures' answer, asked when the job is
started, again when it runs (never more than the owner may read by then) and again when
its file is taken."""

import base64
import logging
import re
import tempfile
from pathlib import Path

from django.contrib.auth import get_user_model
from django.db import DatabaseError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from figures import charts
from figures.tables import COUNT, SECTIONS, Figures, Table
from move.accounts import permissions
from move.accounts.permissions import FIGURES_COALITION, FIGURES_FULL, FIGURES_PUBLISHED
from move.privacy import jobs
from move.privacy.files import private_root
from move.privacy.models import Job

logger = logging.getLogger(__name__)

KIND = "figures-pdf"
LANGUAGES = ("fr", "nl")
QUARTERS = (1, 2, 3, 4)
JOBS_FOLDER = "jobs"  # beside the other jobs' files, which the retention job deletes
# From the least to the most a reader may see: a job never shows more than its owner
# may read when it runs, nor gives its file to someone who may read less.
# The file's name, in the language of the PDF (not a translation: the names are fixed).
NAME = {"fr": "statistiques", "nl": "statistieken"}
QUARTER_LETTER = {"fr": "T", "nl": "K"}  # trimestre, kwartaal
SUFFIX = {
    FIGURES_FULL: {"fr": "", "nl": ""},
    FIGURES_COALITION: {"fr": "-coalition", "nl": "-coalitie"},
    FIGURES_PUBLISHED: {"fr": "-publication", "nl": "-publicatie"},
}

# matplotlib's SVG counts in points (72 an inch); a chart is printed at most this wide
# and high (the page's text is 174 mm wide).
VIEW_BOX = re.compile(r'viewBox="[-\d.]+ [-\d.]+ ([\d.]+) ([\d.]+)"')
MM_PER_POINT = 25.4 / 72
CHART_MOST_MM = (150, 105)

SECTION_TITLES = {
    "people": gettext_lazy("People accompanied"),
    "visits": gettext_lazy("Visits"),
    "reports": gettext_lazy("Visit reports"),
    "detention": gettext_lazy("Detention"),
    "legal": gettext_lazy("Legal help"),
    "advocacy": gettext_lazy("Advocacy"),
    "organisations": gettext_lazy("Each organisation's contribution"),
}


class Refused(Exception):
    """The PDF cannot be made; the message (no personal data) is shown to its requester."""


def _may_download(user, job: Job) -> bool:
    """Asked again when the file is taken: the owner still reads at least this variant."""
    variant = variant_of(job)
    return permissions.figures_variant_within(user, variant) == variant


def register() -> None:
    """The PDF's jobs, shown on privacy:job-detail (called by FiguresConfig.ready)."""
    from move.privacy.views import register_job_kind

    register_job_kind(KIND, gettext_lazy("Statistics PDF"), _may_download)


# --- Names ---------------------------------------------------------------------------------


def subject(year: int, quarter: int | None) -> str:
    return f"{year}-Q{quarter}" if quarter else str(year)


def filename(year: int, quarter: int | None, language: str, variant: str) -> str:
    """ "move-statistiques-2022.pdf", "move-statistieken-2022-K3-publicatie.pdf"."""
    period = f"{year}-{QUARTER_LETTER[language]}{quarter}" if quarter else str(year)
    return f"move-{NAME[language]}-{period}{SUFFIX[variant][language]}.pdf"


def variant_of(job: Job) -> str:
    """The variant a job was made in, read from its file's name (the Job has no field
    of its own for it); the most restricted when the name says nothing."""
    stem = Path(job.filename).stem
    for variant in (FIGURES_PUBLISHED, FIGURES_COALITION):
        if any(suffix and stem.endswith(suffix) for suffix in SUFFIX[variant].values()):
            return variant
    return FIGURES_FULL if stem else FIGURES_PUBLISHED


# --- Starting the job ------------------------------------------------------------------------


def start(user, year: int, quarter: int | None, language: str, publication: bool) -> Job:
    """The job that builds the PDF, queued once the transaction commits; the user's job
    still on its way for the same figures when there is one (a second click). Raises
    PermissionDenied (the caller answers 403) and ValueError for a language or quarter
    that does not exist."""
    from figures import tasks

    variant = permissions.require_figures(user, publication)
    if language not in LANGUAGES or quarter not in (None, *QUARTERS):
        raise ValueError(f"No statistics PDF for language {language!r}, quarter {quarter!r}.")
    if variant == FIGURES_PUBLISHED:
        # Yearly only: a quarter's published cells, suppressed apart from the year's and
        # subtracted from them, would give a suppressed cell back (the view says so).
        quarter = None
    name = filename(year, quarter, language, variant)
    with transaction.atomic():
        # Two clicks at once: the second waits here for the first one's job.
        get_user_model().objects.select_for_update().filter(pk=user.pk).exists()
        job = (
            Job.objects.visible_to(user)
            .filter(kind=KIND, subject=subject(year, quarter), language=language, filename=name)
            .filter(status__in=[Job.Status.PENDING, Job.Status.PROCESSING])
            .first()
        )
        if job is None:
            job = Job.objects.create(
                owner=user,
                kind=KIND,
                subject=subject(year, quarter),
                language=language,
                filename=name,
            )
            jobs.enqueue(job, tasks.make_figures_pdf, job.pk, year, quarter, language, variant)
    return job


def yearly_only_message() -> str:
    return _("The published figures are yearly only: the PDF is of the whole year.")


# --- The job's work --------------------------------------------------------------------------


def make(job_pk: int, year: int, quarter: int | None, language: str, variant: str) -> None:
    """Compute the figures, render them and store the PDF for the job's owner, the
    progress written as it goes in the job's language. A job finished or held by another
    run is left alone; a run that loses its job (queued again by move/privacy/jobs.py)
    stops quietly; a failure marks it failed with a reason that names nobody."""
    job = Job.objects.select_related("owner").filter(pk=job_pk).first()
    if job is None or not jobs.claim(job):
        return
    with translation.override(job.language or language):
        try:
            _make_or_fail(job, year, quarter, language, variant)
        except jobs.Superseded:
            logger.info("Statistics PDF %s: taken over by another run, this one stops", job.code)


def _make_or_fail(job: Job, year: int, quarter: int | None, language: str, variant: str):
    from figures import views, yearly

    try:
        if language not in LANGUAGES or quarter not in (None, *QUARTERS):
            raise Refused(_("These statistics cannot be made."))
        variant = _variant_now(job.owner, variant)
        if variant == FIGURES_PUBLISHED:
            quarter = None  # yearly only, as start() made it
        jobs.progress(job, 5, _("Computing the figures"))
        figures = yearly.figures(year, quarter, variant=variant, language=language)
        compared = None
        if year - 1 >= views.FIRST_YEAR:  # the dashboard's default comparison
            compared = yearly.figures(year - 1, quarter, variant=variant, language=language)
            if not has_records(compared):
                compared = None  # a year of zeros beside each figure says nothing

        def progress(percent, step):
            jobs.progress(job, percent, step)

        pdf = render(figures, language, progress, compared=compared)
        jobs.progress(job, 95, _("Storing the PDF"))
        _store(job, pdf, filename(year, quarter, language, variant))
    except jobs.Superseded:
        raise
    except Refused as refusal:
        _failed(job, str(refusal))
    except Exception:
        # The traceback goes to the server's log; the requester gets no detail of it.
        logger.exception("Statistics PDF %s failed", job.code)
        _failed(job, _("The PDF could not be made. Try again later."))


def has_records(figures: Figures) -> bool:
    """Whether anything was counted: some count in some table is not zero."""
    return any(
        value
        for table in figures.tables
        for (_row, column), value in table.cells.items()
        if table.kind(column) == COUNT
    )


def _variant_now(owner, asked: str) -> str:
    """The variant asked when the job was started, or less if the owner may read less
    by now."""
    variant = permissions.figures_variant_within(owner, asked)
    if variant is None:
        raise Refused(_("You may no longer read these figures."))
    return variant


def _failed(job: Job, reason: str) -> None:
    job.status, job.last_error, job.finished_at = Job.Status.FAILED, reason, timezone.now()
    try:
        jobs.save(job, "status", "last_error", "finished_at", release=True)
    except DatabaseError:
        logger.warning("Statistics PDF %s: its status could not be saved", job.code)


def _store(job: Job, pdf: bytes, name: str) -> None:
    """Written beside its place, then put there by jobs.ready (named after the job: a
    run that started over replaces its own file)."""
    folder = private_root() / JOBS_FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=folder, prefix=".", suffix=".part", delete=False) as out:
        partial = Path(out.name)
        out.write(pdf)
    jobs.ready(job, partial, f"{JOBS_FOLDER}/{job.code}.pdf", name)


# --- The PDF -----------------------------------------------------------------------------------


def render(figures: Figures, language: str, progress=None, *, compared=None) -> bytes:
    """The PDF of `figures` in `language`; `progress(percent, step)` is told of each
    chart drawn, then of the layout and the writing (20 to 90%). `compared` (the year
    before, as the dashboard shows by default) is drawn beside each chart and given beside
    each key figure: the same charts as the dashboard's, so usually found in the cache."""
    from weasyprint import HTML

    from visits.pdf import local_fetcher

    def tell(percent: int, step: str) -> None:
        if progress is not None:
            progress(percent, step)

    with translation.override(language):
        _refuse_small_counts(figures)
        drawn = _charts(figures, compared, tell)
        tell(65, _("Laying out the pages"))
        html = pdf_html(figures, drawn, compared)
        document = HTML(string=html, url_fetcher=local_fetcher()).render()
        tell(85, _("Writing the PDF"))
        return document.write_pdf()


def _refuse_small_counts(figures: Figures) -> None:
    """A last guard, not the suppression (figures/suppression.py): a published variant
    with a count from 1 to threshold - 1 still readable is not printed at all."""
    if figures.variant != FIGURES_PUBLISHED:
        return
    for table in figures.tables:
        for (_row, column), value in table.cells.items():
            if table.kind(column) == COUNT and value and 0 < value < figures.threshold:
                raise RuntimeError(f"{table.key}: a small count is not suppressed")


def _charts(figures: Figures, compared: Figures | None, tell) -> dict[str, dict]:
    """Each drawn table's chart, by table key: its data: URL and its size on the page.
    Drawn with the same arguments as the dashboard's (figures/views.table_view)."""
    from figures import views

    names = None
    if compared is not None:
        names = (
            views.period(figures.year, figures.quarter),
            views.period(compared.year, compared.quarter),
        )
    drawn = [table for table in _shown(figures) if table.chart]
    urls = {}
    for number, table in enumerate(drawn):
        tell(
            20 + 40 * number // max(len(drawn), 1),
            _("Drawing the chart “%(title)s”") % {"title": table.title},
        )
        other = None
        if compared is not None:
            other = next((each for each in compared.tables if each.key == table.key), None)
        svg = charts.svg(table, other, names=names)
        if svg:
            urls[table.key] = {
                "url": "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode(),
                **chart_size(svg),
            }
    return urls


def chart_size(svg: str) -> dict[str, str]:
    """The chart at its own size (its text then has the size of the page's text), made
    smaller to fit CHART_MOST_MM; in millimetres, for the <img>'s style."""
    found = VIEW_BOX.search(svg)
    if found is None:
        return {"width": f"{CHART_MOST_MM[0]}mm", "height": "auto"}
    width, height = (float(number) * MM_PER_POINT for number in found.groups())
    scale = min(1.0, CHART_MOST_MM[0] / width, CHART_MOST_MM[1] / height)
    return {"width": f"{width * scale:.1f}mm", "height": f"{height * scale:.1f}mm"}


def pdf_html(figures: Figures, drawn: dict[str, dict], compared: Figures | None = None) -> str:
    """The HTML that becomes the PDF, in the active language. The key figures and the
    activity report's box are the dashboard's (figures/views.py), hidden by the same
    rule in the published variant."""
    from figures import views

    language = translation.get_language()
    return render_to_string(
        "figures/pdf.html",
        {
            "figures": figures,
            "title": title(figures),
            "variant": variant_label(figures.variant),
            "published": figures.variant == FIGURES_PUBLISHED,
            "threshold": figures.threshold,
            "suppressed_mark": views.SUPPRESSED,
            "generated_on": timezone.localdate(),
            "compared": compared,
            "period": views.period(figures.year, figures.quarter),
            "compared_period": views.period(compared.year, compared.quarter) if compared else "",
            "key_rows": views.key_rows(figures, compared),
            "box": views.paste_box(figures, language)["text"],
            "sections": _sections(figures, drawn),
        },
    )


def title(figures: Figures) -> str:
    if figures.quarter:
        return _("Statistics, quarter %(quarter)s of %(year)s") % {
            "quarter": figures.quarter,
            "year": figures.year,
        }
    return _("Statistics %(year)s") % {"year": figures.year}


def variant_label(variant: str) -> str:
    return {
        FIGURES_FULL: _("Internal version: with each organisation's contribution"),
        FIGURES_COALITION: _("Internal version: the coalition's figures"),
        FIGURES_PUBLISHED: _("Published version: small numbers suppressed"),
    }[variant]


def _shown(figures: Figures) -> list[Table]:
    """The tables printed: each organisation's contribution in the full variant only,
    whatever yearly.figures put in (as the dashboard)."""
    return [
        table
        for table in figures.tables
        if table.section != "organisations" or figures.variant == FIGURES_FULL
    ]


def _sections(figures: Figures, drawn: dict[str, dict]) -> list[dict]:
    sections = []
    shown = _shown(figures)
    for section in SECTIONS:
        tables = [table for table in shown if table.section == section]
        if tables:
            sections.append(
                {
                    "key": section,
                    "title": SECTION_TITLES[section],
                    "tables": [_table(table, drawn.get(table.key)) for table in tables],
                }
            )
    return sections


def _table(table: Table, chart: dict | None) -> dict:
    return {
        "table": table,
        "chart": chart,
        "columns": [
            {"label": label, "total": key == table.total_column}
            for key, label, _kind in table.columns
        ],
        "rows": [
            {
                "label": label,
                "total": row == table.total_row,
                "cells": [
                    {"text": cell_text(table, row, column), "total": column == table.total_column}
                    for column, _label, _kind in table.columns
                ],
            }
            for row, label in table.rows
        ],
        "has_suppressed": bool(table.suppressed),
    }


# --- Numbers as the pages write them (figures/charts.py) --------------------------------------


def cell_text(table: Table, row: str, column: str) -> str:
    """A cell as the dashboard writes it: the suppressed mark, nothing when there is no
    figure, else the number in the active language."""
    from figures.views import SUPPRESSED

    if (row, column) in table.suppressed:
        return SUPPRESSED
    value = table.value(row, column)
    return "" if value is None else charts.number(value, table.kind(column))
