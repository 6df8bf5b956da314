"""The newsletter's text in one language, as a web page (preview, public page) and as a
PDF with the page style of the other PDFs (templates/pdf_page_style.html), rendered by
WeasyPrint with a fetcher limited to file: and data: (visits/pdf.py).

The text of each language is read from its own fields (`title_fr`, `summary_nl`...),
never through modeltranslation's fallback: a Dutch preview must show that the Dutch text
is missing, not the French one in its place."""

import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from legal.models import Decision, NewsItem, Newsletter, NewsletterDecision
from visits.pdf import html_to_pdf

LANGUAGES = ("fr", "nl")
FOLDER = "newsletters"


@dataclass
class Item:
    """A decision or a news item, in one language."""

    title: str
    text: str
    facts: list[str] = field(default_factory=list)


@dataclass
class Content:
    """What a newsletter says in one language."""

    newsletter: Newsletter
    language: str
    title: str
    editorial: str
    decisions: list[Item]
    news: list[Item]

    @property
    def heading(self) -> str:
        return quarter_label(self.newsletter.year, self.newsletter.quarter)


def text_of(record, name: str, language: str) -> str:
    """A translated field in one language, "" when empty (modeltranslation leaves None)."""
    return getattr(record, f"{name}_{language}") or ""


def quarter_label(year: int, quarter: int) -> str:
    return _("Legal newsletter, quarter %(quarter)s of %(year)s") % {
        "quarter": quarter,
        "year": year,
    }


def chosen_decisions(newsletter: Newsletter) -> list[Decision]:
    """The newsletter's decisions in their order, those the public may read only."""
    rows = (
        NewsletterDecision.objects.filter(newsletter=newsletter)
        .filter(decision__in=Decision.objects.public())
        .select_related("decision")
        .defer("decision__search_vector")
        .order_by("position", "pk")
    )
    return [row.decision for row in rows]


def news_items(newsletter: Newsletter) -> list[NewsItem]:
    return list(newsletter.news.order_by("position", "pk"))


def content(newsletter: Newsletter, language: str, decisions=None, news=None) -> Content:
    """The newsletter in `language` ("fr" or "nl"); `decisions` and `news` when already
    read (both languages are rendered from one reading)."""
    if decisions is None:
        decisions = chosen_decisions(newsletter)
    if news is None:
        news = news_items(newsletter)
    with translation.override(language):
        return Content(
            newsletter=newsletter,
            language=language,
            title=text_of(newsletter, "title", language),
            editorial=text_of(newsletter, "editorial", language),
            decisions=[_decision(decision, language) for decision in decisions],
            news=[
                Item(text_of(item, "title", language), text_of(item, "body", language))
                for item in news
            ],
        )


def _decision(decision: Decision, language: str) -> Item:
    court = decision.get_court_display()
    if decision.district:
        court = f"{court} ({decision.district})"
    facts = [court, _date(decision.date)]
    facts += [value for value in (decision.reference, decision.ecli) if value]
    return Item(text_of(decision, "title", language), text_of(decision, "summary", language), facts)


def _date(day) -> str:
    from django.utils.formats import date_format

    return date_format(day, "j F Y")


def missing(newsletter: Newsletter, decisions=None, news=None) -> list[str]:
    """Why the newsletter cannot be published yet: no decision, or a text missing in
    French or Dutch. Empty when it can."""
    decisions = chosen_decisions(newsletter) if decisions is None else decisions
    news = news_items(newsletter) if news is None else news
    names = {"fr": _("French"), "nl": _("Dutch")}
    problems = []
    if not decisions:
        problems.append(_("Choose at least one decision."))
    for code in LANGUAGES:
        language = names[code]
        if not text_of(newsletter, "title", code).strip():
            problems.append(_("The title in %(language)s is missing.") % {"language": language})
        if not text_of(newsletter, "editorial", code).strip():
            problems.append(_("The editorial in %(language)s is missing.") % {"language": language})
    for decision in decisions:
        for code in decision.missing_languages:
            problems.append(
                _("The decision “%(decision)s” has no title or summary in %(language)s.")
                % {"decision": decision, "language": names[code]}
            )
    for number, item in enumerate(news, start=1):
        for code in LANGUAGES:
            if not (text_of(item, "title", code).strip() and text_of(item, "body", code).strip()):
                problems.append(
                    _("News item %(number)s has no title or text in %(language)s.")
                    % {"number": number, "language": names[code]}
                )
    return problems


# --- The PDF ---------------------------------------------------------------------------


def pdf_html(text: Content) -> str:
    with translation.override(text.language):
        return render_to_string(
            "newsletter/newsletter_pdf.html",
            {"text": text, "generated_on": timezone.localdate()},
        )


def render(newsletter: Newsletter, language: str, decisions=None, news=None) -> bytes:
    return html_to_pdf(pdf_html(content(newsletter, language, decisions, news)))


def file_name(newsletter: Newsletter, language: str) -> str:
    """The path under MEDIA_ROOT/private, as the model stores it."""
    return f"{FOLDER}/{newsletter.year}-q{newsletter.quarter}-{language}.pdf"


def private_root() -> Path:
    return Path(settings.MEDIA_ROOT) / "private"


def stored_path(newsletter: Newsletter, language: str) -> Path | None:
    """The stored PDF, if its row names one inside the private folder and it is there."""
    name = newsletter.pdf_path(language)
    if not name:
        return None
    root = private_root().resolve()
    path = (root / name).resolve()
    return path if path.is_relative_to(root) and path.is_file() else None


def store(newsletter: Newsletter, language: str, pdf: bytes) -> str:
    """Write the PDF under a temporary name and move it into place: a reader never
    gets half a file. Returns its name relative to MEDIA_ROOT/private."""
    name = file_name(newsletter, language)
    target = private_root() / name
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".", suffix=".pdf")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(pdf)
        Path(temporary).replace(target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return name


def render_and_store(newsletter: Newsletter) -> dict[str, str]:
    """Both PDFs, rendered from one reading of the decisions and news, stored; the
    field values to save ({"pdf_fr": ..., "pdf_nl": ...})."""
    decisions, news = chosen_decisions(newsletter), news_items(newsletter)
    return {
        f"pdf_{language}": store(
            newsletter, language, render(newsletter, language, decisions, news)
        )
        for language in LANGUAGES
    }


def ensure_stored(newsletter: Newsletter, language: str) -> Path:
    """The published newsletter's PDF in `language`, rendered and stored now if its file
    is missing (the demo does not render them when it seeds)."""
    path = stored_path(newsletter, language)
    if path is not None:
        return path
    name = store(newsletter, language, render(newsletter, language))
    Newsletter.objects.filter(pk=newsletter.pk).update(**{f"pdf_{language}": name})
    setattr(newsletter, f"pdf_{language}", name)
    return private_root() / name
