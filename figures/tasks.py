"""The figures' background work: a thin task around figures/pdf.py, taking ids, quiet
when its job is gone or done, retried with backoff (DESIGN.md §6)."""

from celery import shared_task
from celery.signals import worker_process_init
from django.db import InterfaceError, OperationalError


@shared_task(
    name="figures.tasks.make_figures_pdf",
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=True,
    retry_jitter=True,
    max_retries=5,
)
def make_figures_pdf(
    job_pk: int, year: int, quarter: int | None, language: str, variant: str
) -> None:
    """The statistics PDF of a year or a quarter in French or Dutch, for its Job."""
    from figures import pdf

    pdf.make(job_pk, year, quarter, language, variant)


@worker_process_init.connect
def load_the_pdf_libraries(**kwargs) -> None:
    """WeasyPrint (Pango, fontconfig) and matplotlib take about a second each to load:
    each worker process loads them as it starts, not in the first PDF it makes (the web
    processes never load them). After the fork, so that no process shares their state."""
    import matplotlib.figure  # noqa: F401
    import weasyprint  # noqa: F401
