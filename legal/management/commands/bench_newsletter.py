"""Measure the newsletter: `manage.py bench_newsletter`.

Builds, inside a transaction that is always rolled back, a newsletter long enough to make
a PDF of at least 12 pages (public decisions with long summaries in French and Dutch,
news items) and times rendering its PDF (goal: at most 2 s; its pages counted with
pypdf); then --lawyers subscribed lawyers (300 by default) and times sending it to them
(the service behind the task: both PDFs rendered and stored, one delivery each, e-mails
on one connection) through a real SMTP server on 127.0.0.1 (aiosmtpd, in this process,
on a free port) with Django's SMTP backend (goal: at most 30 s). The PDFs go to a
temporary folder; nothing stays in the database. `make bench` runs it with production
settings (MOVE_DEBUG=false)."""

import io
import logging
import socket
import tempfile
import time
from datetime import date, timedelta

from django.core.management.base import BaseCommand, CommandError
from django.test import override_settings

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
)
from move import bench

PDF_SECONDS, SEND_SECONDS, PAGES = 2.0, 30.0, 12
BUILT = [Newsletter, NewsletterDecision, NewsItem, Decision, Lawyer, Delivery]

SUMMARY = {
    "fr": (
        "Le Conseil rappelle que la détention administrative doit rester une mesure de dernier "
        "recours, que l'administration doit examiner concrètement les alternatives moins "
        "contraignantes et motiver sa décision au regard de la situation individuelle de la "
        "personne, notamment sa vulnérabilité, la présence d'enfants et l'état de santé. "
    ),
    "nl": (
        "De Raad herinnert eraan dat administratieve vasthouding een maatregel van laatste "
        "redmiddel moet blijven, dat de administratie minder dwingende alternatieven concreet "
        "moet onderzoeken en haar beslissing moet motiveren in het licht van de individuele "
        "situatie van de persoon, met name de kwetsbaarheid, kinderen en de gezondheid. "
    ),
}


class Inbox:
    def __init__(self):
        self.count = 0

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Command(BaseCommand):
    help = "Time the newsletter's 12-page PDF and its sending to 300 lawyers (rolled back)."

    def add_arguments(self, parser):
        parser.add_argument("--lawyers", type=int, default=300)
        parser.add_argument("--decisions", type=int, default=19)

    def handle(self, *args, lawyers, decisions, **options):
        if lawyers < 1 or decisions < 1:
            raise CommandError("Give at least one lawyer and one decision.")
        bench.production_note(self.stdout)
        with (
            tempfile.TemporaryDirectory() as media,
            override_settings(MEDIA_ROOT=media),
            bench.rolled_back(self.stdout, BUILT),
        ):
            newsletter = self.build(decisions)
            self.time_pdf(newsletter)
            self.time_sending(newsletter, lawyers)

    def build(self, decisions: int) -> Newsletter:
        newsletter = Newsletter.objects.create(
            year=2099,
            quarter=1,
            title_fr="La détention en question",
            title_nl="Opsluiting in vraag",
            editorial_fr=(SUMMARY["fr"] * 6 + "\n\n") * 3,
            editorial_nl=(SUMMARY["nl"] * 6 + "\n\n") * 3,
        )
        for number in range(decisions):
            decision = Decision.objects.create(
                court="cce",
                date=date(2099, 1, 1) + timedelta(days=number),
                outcome="favourable",
                reference=f"BENCH-{number}",
                title_fr=f"Arrêt {number} : détention d'une famille avec enfants",
                title_nl=f"Arrest {number}: opsluiting van een gezin met kinderen",
                summary_fr=(SUMMARY["fr"] * 3 + "\n\n") * 2,
                summary_nl=(SUMMARY["nl"] * 3 + "\n\n") * 2,
                public=True,
                status=Decision.Status.PUBLISHED,
            )
            NewsletterDecision.objects.create(
                newsletter=newsletter, decision=decision, position=number
            )
        for number in range(6):
            NewsItem.objects.create(
                newsletter=newsletter,
                position=number,
                title_fr=f"Formation {number}",
                title_nl=f"Opleiding {number}",
                body_fr=SUMMARY["fr"] * 3,
                body_nl=SUMMARY["nl"] * 3,
            )
        return newsletter

    def time_pdf(self, newsletter: Newsletter) -> None:
        from pypdf import PdfReader

        newsletter_pdf.render(newsletter, "fr")  # warm: fonts and styles loaded once
        began = time.perf_counter()
        pdf = newsletter_pdf.render(newsletter, "fr")
        seconds = time.perf_counter() - began
        pages = len(PdfReader(io.BytesIO(pdf)).pages)
        met = seconds <= PDF_SECONDS and pages >= PAGES
        self.stdout.write(
            f"Newsletter PDF, {pages} pages: {seconds:.2f} s "
            f"(goal <= {PDF_SECONDS:.0f} s, >= {PAGES} pages) {'ok' if met else 'OVER'}"
        )

    def time_sending(self, newsletter: Newsletter, count: int) -> None:
        from aiosmtpd.controller import Controller

        bar = Bar.objects.order_by("pk").first() or Bar.objects.create(code="bench-bar")
        Lawyer.objects.bulk_create(
            Lawyer(
                name=f"Bench lawyer {number}",
                bar=bar,
                email=f"bench-{number}@avocat.example.be",
                subscribed=True,
                subscription_basis=Lawyer.Basis.CONSENT,
                newsletter_language="nl" if number % 3 else "fr",
            )
            for number in range(count)
        )
        Newsletter.objects.filter(pk=newsletter.pk).update(status=Newsletter.Status.SENDING)
        logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd's every command
        inbox = Inbox()
        controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
        controller.start()
        try:
            with override_settings(
                EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
                EMAIL_HOST="127.0.0.1",
                EMAIL_PORT=controller.port,
                EMAIL_USE_TLS=False,
                EMAIL_USE_SSL=False,
                EMAIL_HOST_USER="",
                EMAIL_HOST_PASSWORD="",
            ):
                began = time.perf_counter()
                result = services.send(newsletter.pk)
                seconds = time.perf_counter() - began
        finally:
            controller.stop()
        subscribed = Lawyer.objects.subscribed().count()
        met = seconds <= SEND_SECONDS and result["sent"] == subscribed == inbox.count
        self.stdout.write(
            f"Sending to {result['sent']} lawyers ({inbox.count} received by the local SMTP "
            f"server, both PDFs made first): {seconds:.2f} s "
            f"(goal <= {SEND_SECONDS:.0f} s) {'ok' if met else 'OVER'}"
        )
