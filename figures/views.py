"""The figures' pages: the dashboard of a year (or quarter) beside another year, and its
exports (CSV and XLSX downloaded at once, the statistics PDF made by a Job).

Which figures a reader gets is permissions.require_figures' answer, and nothing else:
the published variant (small numbers suppressed) for partners whatever they ask, and for
anyone asking for the version "for publication". The tables are drawn from the `Table`s
whatever their key (figures/tables.py), grouped by section in SECTIONS' order; each chart
(figures/charts.py) is followed by its table, its accessible alternative."""

from functools import partial

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.cache import patch_cache_control
from django.utils.http import content_disposition_header, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext_lazy
from django.views import View

from figures import charts, concurrent, exports, pdf, yearly
from figures.tables import COUNT, FRACTION, SECTIONS, Figures, Table
from move.accounts import permissions
from move.accounts.permissions import FIGURES_FULL, FIGURES_PUBLISHED

FIRST_YEAR = 2000
FORMATS = ("csv", "xlsx", "pdf")
DOWNLOADS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
QUARTERS = (1, 2, 3, 4)
QUARTER_NAMES = {
    1: pgettext_lazy("quarter", "January to March"),
    2: pgettext_lazy("quarter", "April to June"),
    3: pgettext_lazy("quarter", "July to September"),
    4: pgettext_lazy("quarter", "October to December"),
}
SUPPRESSED = "–"  # a suppressed cell, explained under its table
# The activity report's key figures, in the order of its box: (key of
# yearly.key_figures, label, kind). "official": the number detained, from the
# Immigration Office rather than from our records, never suppressed.
KEY_FIGURES = (
    (
        "people_accompanied_adult_centres",
        gettext_lazy("People accompanied in the closed centres for adults"),
        COUNT,
    ),
    (
        "detained_adult_centres",
        gettext_lazy("People detained in those centres (official figure)"),
        "official",
    ),
    ("reach_ratio", gettext_lazy("Share of the people detained there accompanied"), FRACTION),
    (
        "families_accompanied",
        gettext_lazy("Families accompanied in the family units and return houses"),
        COUNT,
    ),
    ("people_new", gettext_lazy("Of them, people met for the first time"), COUNT),
    ("people_returning", gettext_lazy("Of them, people met in an earlier period"), COUNT),
    ("meetings", gettext_lazy("Meetings with them"), COUNT),
    ("people_accompanied", gettext_lazy("People accompanied in every kind of centre"), COUNT),
    ("visitors_active", gettext_lazy("Visitors active"), COUNT),
    ("visits_done", gettext_lazy("Visits done"), COUNT),
    ("reports_written", gettext_lazy("Visit reports written"), COUNT),
    ("reports_shared", gettext_lazy("Visit reports shared with partners"), COUNT),
    ("help_requests", gettext_lazy("Questions to the coalition's lawyer"), COUNT),
    ("newsletters_sent", gettext_lazy("Newsletters sent"), COUNT),
    ("lawyers_reached", gettext_lazy("Lawyers the newsletter reached"), COUNT),
    ("points_raised", gettext_lazy("Points of attention raised"), COUNT),
    ("authority_meetings", gettext_lazy("Meetings with the authorities"), COUNT),
    ("exchange_meetings", gettext_lazy("Exchange meetings"), COUNT),
)
KEY_MADE_OF = {"reach_ratio": "people_accompanied_adult_centres"}  # hidden with it
# The cells of the tables (figures/yearly.py) that hold the same count as a key figure, or
# part of it: in the published variant, a key figure is hidden when one of them was
# suppressed (as a small cell or to protect another), or it would give that cell back.
KEY_CELLS = {
    "people_accompanied_adult_centres": [
        ("people_by_centre", "total", "people"),
        ("meetings_per_person", "total", "people"),
        ("people_new_returning", "total", "people"),
    ],
    "families_accompanied": [("families_by_centre", "total", "families")],
    "people_new": [("people_new_returning", "new", "people")],
    "people_returning": [("people_new_returning", "returning", "people")],
    "meetings": [("meetings_per_person", "total", "meetings")],
    "people_accompanied": [
        ("contributions", "total", "people"),
        ("nationalities", "total", "people"),
    ],
    "visitors_active": [("contributions", "total", "visitors")],
    "visits_done": [
        ("visits_by_centre", "total", "visits"),
        ("visits_by_quarter", "total", "total"),
        ("contributions", "total", "visits"),
    ],
    "reports_written": [
        ("reports_by_quarter", "total", "written"),
        ("contributions", "total", "reports"),
    ],
    "reports_shared": [("reports_by_quarter", "total", "shared")],
    "help_requests": [
        ("help_by_channel", "total", "requests"),
        ("help_by_requester", "total", "requests"),
        ("help_by_topic", "total", "requests"),
    ],
    "newsletters_sent": [("newsletter", "newsletters", "count")],
    "lawyers_reached": [("newsletter", "lawyers", "count")],
    "points_raised": [("points_of_attention", "raised", "points")],
    "authority_meetings": [
        ("meetings", "immigration_office", "meetings"),
        ("meetings", "centre", "meetings"),
        ("meetings", "other", "meetings"),
    ],
    "exchange_meetings": [("meetings", "exchange", "meetings")],
}
REACH_TARGET = 0.10  # when key_figures does not say


def checked_year(year: int) -> int:
    """A year the figures can be asked for: from FIRST_YEAR to this year, else 404."""
    if not FIRST_YEAR <= year <= timezone.localdate().year:
        raise Http404
    return year


def _number_or_none(text) -> int | None:
    try:
        return int(text)
    except (TypeError, ValueError):
        return None


def _quarter(request) -> int | None:
    """?quarter=1..4; anything else is the whole year."""
    quarter = _number_or_none(request.GET.get("quarter"))
    return quarter if quarter in QUARTERS else None


def _period_quarter(request, variant: str) -> int | None:
    """The quarter asked for, except in the published variant, which is yearly only: a
    quarter's published cells, suppressed apart from the year's, subtracted from the year
    would give a suppressed cell back. Says so when a quarter was asked for."""
    quarter = _quarter(request)
    if variant == FIGURES_PUBLISHED:
        if quarter is not None:
            messages.info(request, yearly_only_message())
        return None
    return quarter


def yearly_only_message() -> str:
    return _("The published figures are yearly only: these are the figures of the whole year.")


def _compare(request, year: int) -> int | None:
    """?compare=YEAR, the year before by default (none before FIRST_YEAR); a year out of
    range is 404 as the dashboard's own."""
    compare = _number_or_none(request.GET.get("compare"))
    if compare is None:
        return year - 1 if year > FIRST_YEAR else None
    return checked_year(compare)


def _publication(request) -> bool:
    return request.GET.get("publication") == "1"


class Index(LoginRequiredMixin, View):
    """The figures of the last whole year, or of the year the dashboard's form asks for
    (a GET form cannot change the page's path: it comes here and is sent on)."""

    def get(self, request):
        permissions.require_figures(request.user)
        year = _number_or_none(request.GET.get("year"))
        year = timezone.localdate().year - 1 if year is None else checked_year(year)
        query = {
            name: request.GET[name]
            for name in ("quarter", "compare", "publication")
            if request.GET.get(name)
        }
        address = reverse("figures:dashboard", kwargs={"year": year})
        return redirect(f"{address}?{urlencode(query)}" if query else address)


class Dashboard(LoginRequiredMixin, View):
    """The figures of a year or a quarter, the compared year's beside them: the key
    figures, the activity report's box in French and Dutch, then every table with its
    chart, and the exports. An aggregate page: its queries are those of two
    yearly.figures(), whatever the number of records (tests/test_permission_matrix.py
    AGGREGATE_BUDGET); the compared year's run beside the year's, on the connection of
    the helper thread (figures/concurrent.py)."""

    def get(self, request, year):
        variant = permissions.require_figures(request.user, _publication(request))
        checked_year(year)
        quarter, compare_year = _period_quarter(request, variant), _compare(request, year)
        language = translation.get_language()
        compared = None
        if compare_year is not None:  # counted beside the year's (figures/concurrent.py)
            compared = concurrent.beside(
                partial(yearly.figures, compare_year, quarter, variant=variant, language=language)
            )
        figures = yearly.figures(year, quarter, variant=variant, language=language)
        compared = compared.result() if compared is not None else None
        context = {
            "figures": figures,
            "compared": compared,
            "title": title(year, quarter),
            "period": period(year, quarter),
            "compared_period": period(compare_year, quarter) if compared else "",
            "published": variant == FIGURES_PUBLISHED,
            "reads_internal": _offers_publication(request.user),
            "choices": _choices(year, quarter, compare_year, variant),
            "key_rows": key_rows(figures, compared),
            "boxes": [paste_box(figures, "fr"), paste_box(figures, "nl")],
            "sections": sections(figures, compared),
            "downloads": _downloads(year, quarter, variant),
            "pdf_form": _pdf_form(request.user, quarter, language, variant),
            "publication_query": _query(quarter=quarter, compare=compare_year, publication=1),
            "internal_query": _query(quarter=quarter, compare=compare_year),
        }
        return render(request, "figures/dashboard.html", context)


def title(year: int, quarter: int | None) -> str:
    if quarter:
        return _("Figures %(year)s, quarter %(quarter)s (%(months)s)") % {
            "year": year,
            "quarter": quarter,
            "months": QUARTER_NAMES[quarter],
        }
    return _("Figures %(year)s") % {"year": year}


def period(year: int, quarter: int | None) -> str:
    """The short name of a period, for a column's header: "2022", "Q1 2022"."""
    if quarter:
        return _("Q%(quarter)s %(year)s") % {"quarter": quarter, "year": year}
    return str(year)


def _query(**values) -> str:
    return urlencode({name: value for name, value in values.items() if value})


def _choices(year: int, quarter: int | None, compare: int | None, variant: str) -> dict:
    """The form that picks the year, the quarter (not in the published variant: yearly
    only) and the year compared with."""
    years = list(range(timezone.localdate().year, FIRST_YEAR - 1, -1))
    return {
        "years": years,
        "year": year,
        "quarters": []
        if variant == FIGURES_PUBLISHED
        else [(number, QUARTER_NAMES[number]) for number in QUARTERS],
        "quarter": quarter,
        "compare": compare,
    }


def _downloads(year: int, quarter: int | None, variant: str) -> list[dict]:
    query = _query(quarter=quarter, publication=1 if variant == FIGURES_PUBLISHED else None)
    return [
        {
            "label": label,
            "url": reverse("figures:export", kwargs={"year": year, "format": format})
            + (f"?{query}" if query else ""),
        }
        for format, label in (
            ("csv", _("The tables as CSV (one line per cell)")),
            ("xlsx", _("The tables as an Excel workbook (XLSX, one sheet per table)")),
        )
    ]


def _offers_publication(user) -> bool:
    """Who reads more than the published figures may ask for the published ones (on the
    page and as a PDF), and go back to theirs."""
    return permissions.figures_variant(user) != FIGURES_PUBLISHED


def _pdf_form(user, quarter: int | None, language: str, variant: str) -> "PdfForm":
    """The PDF of the period shown, in the reader's language (French if it is English)."""
    initial = {
        "quarter": quarter or "",
        "language": language if language in pdf.LANGUAGES else "fr",
        "publication": variant == FIGURES_PUBLISHED,
    }
    return PdfForm(initial=initial, publication=_offers_publication(user))


# --- Key figures -----------------------------------------------------------------------


def hidden_keys(figures: Figures) -> set[str]:
    """The key figures not shown in the published variant: counts below the threshold,
    those whose cell in a table was suppressed (KEY_CELLS), and the ratio made of one
    (Figures.key comes before any suppression)."""
    if figures.variant != FIGURES_PUBLISHED:
        return set()
    suppressed = {
        (table.key, row, column) for table in figures.tables for row, column in table.suppressed
    }
    hidden = {
        key
        for key, _label, kind in KEY_FIGURES
        if kind == COUNT
        and (
            0 < (figures.key.get(key) or 0) < figures.threshold
            or not suppressed.isdisjoint(KEY_CELLS.get(key, ()))
        )
    }
    return hidden | {key for key, made_of in KEY_MADE_OF.items() if made_of in hidden}


def key_text(figures: Figures | None, key: str, kind: str) -> str:
    if figures is None:
        return ""
    if key in hidden_keys(figures):
        return SUPPRESSED
    value = figures.key.get(key)
    if value is None:
        return ""
    return charts.number(value, FRACTION if kind == FRACTION else COUNT)


def key_rows(figures: Figures, compared: Figures | None) -> list[dict]:
    """The key figures of the year beside the compared year's; the reach ratio against
    its target."""
    rows = []
    for key, label, kind in KEY_FIGURES:
        if key not in figures.key:
            continue
        row = {
            "key": key,
            "label": label,
            "value": key_text(figures, key, kind),
            "compared": key_text(compared, key, kind),
            "hidden": key in hidden_keys(figures),
            "compared_hidden": compared is not None and key in hidden_keys(compared),
        }
        if key == "reach_ratio":
            row |= _reach(figures)
        rows.append(row)
    return rows


def _target(figures: Figures) -> float:
    return figures.key.get("reach_target") or REACH_TARGET


def _target_text(figures: Figures) -> str:
    """The target as the activity report writes it: 10 %, not 10.0 %."""
    percent = _target(figures) * 100
    if percent != round(percent):
        return charts.number(_target(figures), FRACTION)
    return _("%(number)s%%") % {"number": charts.number(round(percent), COUNT)}


def _reach(figures: Figures) -> dict:
    ratio, target = figures.key.get("reach_ratio"), _target(figures)
    return {
        "target": _target_text(figures),
        "met": None if ratio is None else ratio >= target,
    }


# --- The activity report's box, ready to paste ---------------------------------------------


PERIODS = {
    None: gettext_lazy("In %(year)s"),
    1: gettext_lazy("In the first quarter of %(year)s"),
    2: gettext_lazy("In the second quarter of %(year)s"),
    3: gettext_lazy("In the third quarter of %(year)s"),
    4: gettext_lazy("In the fourth quarter of %(year)s"),
}


def paste_box(figures: Figures, language: str) -> dict:
    """The activity report's box of key figures in `language`, sentence by sentence;
    a sentence that needs a figure missing or hidden (published variant) is left out."""
    hidden = hidden_keys(figures)
    values = {key: value for key, value in figures.key.items() if key not in hidden}
    # The label in the reader's language, the sentences in the box's.
    label = _("The key figures in French") if language == "fr" else _("The key figures in Dutch")
    with translation.override(language):
        sentences = [sentence(values, figures) for sentence in SENTENCES]
    return {
        "language": language,
        "label": label,
        "text": " ".join(text for text in sentences if text),
    }


def _count(value) -> str:
    return charts.number(value, COUNT)


def _people_sentence(values: dict, figures: Figures) -> str:
    if "people_accompanied_adult_centres" not in values or "families_accompanied" not in values:
        return ""
    people = values["people_accompanied_adult_centres"]
    period = PERIODS[figures.quarter] % {"year": figures.year}
    parts = {
        "period": period,
        "people": ngettext("%(count)s person", "%(count)s people", people)
        % {"count": _count(people)},
        "families": ngettext(
            "%(count)s family", "%(count)s families", values["families_accompanied"]
        )
        % {"count": _count(values["families_accompanied"])},
    }
    if values.get("reach_ratio") is None or values.get("detained_adult_centres") is None:
        return (
            _(
                "%(period)s, Move's visitors accompanied %(people)s in the closed centres "
                "for adults, and %(families)s in the family units and return houses."
            )
            % parts
        )
    parts |= {
        "ratio": charts.number(values["reach_ratio"], FRACTION),
        "detained": _count(values["detained_adult_centres"]),
        "target": _target_text(figures),
    }
    return (
        _(
            "%(period)s, Move's visitors accompanied %(people)s in the closed centres for "
            "adults, that is %(ratio)s of the %(detained)s people detained there (target: "
            "at least %(target)s), and %(families)s in the family units and return houses."
        )
        % parts
    )


def _visits_sentence(values: dict, figures: Figures) -> str:
    if "visitors_active" not in values or "visits_done" not in values:
        return ""
    visits = ngettext("%(count)s visit", "%(count)s visits", values["visits_done"]) % {
        "count": _count(values["visits_done"])
    }
    return ngettext(
        "%(visitors)s visitor made %(visits)s to the centres.",
        "%(visitors)s visitors made %(visits)s to the centres.",
        values["visitors_active"],
    ) % {"visitors": _count(values["visitors_active"]), "visits": visits}


def _reports_sentence(values: dict, figures: Figures) -> str:
    if "reports_written" not in values:
        return ""
    reports = ngettext(
        "%(count)s visit report", "%(count)s visit reports", values["reports_written"]
    ) % {"count": _count(values["reports_written"])}
    if "reports_shared" not in values:
        return _("They wrote %(reports)s.") % {"reports": reports}
    return ngettext(
        "They wrote %(reports)s, %(shared)s of which was shared with partners.",
        "They wrote %(reports)s, %(shared)s of which were shared with partners.",
        values["reports_shared"],
    ) % {"reports": reports, "shared": _count(values["reports_shared"])}


def _help_sentence(values: dict, figures: Figures) -> str:
    if "help_requests" not in values:
        return ""
    return ngettext(
        "The coalition's lawyer received %(count)s question.",
        "The coalition's lawyer received %(count)s questions.",
        values["help_requests"],
    ) % {"count": _count(values["help_requests"])}


def _advocacy_sentence(values: dict, figures: Figures) -> str:
    if "points_raised" not in values or "authority_meetings" not in values:
        return ""
    meetings = ngettext(
        "%(count)s meeting with the authorities",
        "%(count)s meetings with the authorities",
        values["authority_meetings"],
    ) % {"count": _count(values["authority_meetings"])}
    return ngettext(
        "The coalition raised %(points)s point of attention at %(meetings)s.",
        "The coalition raised %(points)s points of attention at %(meetings)s.",
        values["points_raised"],
    ) % {"points": _count(values["points_raised"]), "meetings": meetings}


def _exchange_sentence(values: dict, figures: Figures) -> str:
    if "exchange_meetings" not in values:
        return ""
    return ngettext(
        "It held %(count)s exchange meeting.",
        "It held %(count)s exchange meetings.",
        values["exchange_meetings"],
    ) % {"count": _count(values["exchange_meetings"])}


def _newsletter_sentence(values: dict, figures: Figures) -> str:
    if not values.get("newsletters_sent") or "lawyers_reached" not in values:
        return ""
    lawyers = ngettext("%(count)s lawyer", "%(count)s lawyers", values["lawyers_reached"]) % {
        "count": _count(values["lawyers_reached"])
    }
    return ngettext(
        "Its newsletter went out %(count)s time, to %(lawyers)s.",
        "Its newsletter went out %(count)s times, to %(lawyers)s.",
        values["newsletters_sent"],
    ) % {"count": _count(values["newsletters_sent"]), "lawyers": lawyers}


SENTENCES = (
    _people_sentence,
    _visits_sentence,
    _reports_sentence,
    _help_sentence,
    _advocacy_sentence,
    _exchange_sentence,
    _newsletter_sentence,
)


# --- The tables, whatever their key ----------------------------------------------------------


def section_titles() -> dict:
    return pdf.SECTION_TITLES


def sections(figures: Figures, compared: Figures | None) -> list[dict]:
    """The tables by section, in SECTIONS' order; each organisation's contribution only
    in the full variant (whatever yearly.figures put in)."""
    names = section_titles()
    found = []
    for section in SECTIONS:
        if section == "organisations" and figures.variant != FIGURES_FULL:
            continue
        tables = [table for table in figures.tables if table.section == section]
        if tables:
            found.append(
                {
                    "key": section,
                    "title": names.get(section, section),
                    "tables": [table_view(table, figures, compared) for table in tables],
                }
            )
    return found


def _compared_table(compared: Figures | None, key: str) -> Table | None:
    if compared is None:
        return None
    return next((table for table in compared.tables if table.key == key), None)


def table_view(table: Table, figures: Figures, compared: Figures | None) -> dict:
    names = None
    if compared is not None:
        names = (period(figures.year, figures.quarter), period(compared.year, compared.quarter))
    return {
        "table": table,
        "chart": charts.svg(table, _compared_table(compared, table.key), names=names),
        "columns": [
            {"label": label, "kind": kind, "total": key == table.total_column}
            for key, label, kind in table.columns
        ],
        "rows": [
            {
                "label": label,
                "total": row == table.total_row,
                "cells": [_cell(table, row, column) for column, _label, _kind in table.columns],
            }
            for row, label in table.rows
        ],
        "has_suppressed": bool(table.suppressed),
    }


def _cell(table: Table, row: str, column: str) -> dict:
    suppressed = (row, column) in table.suppressed
    value = None if suppressed else table.value(row, column)
    return {
        "text": SUPPRESSED
        if suppressed
        else ("" if value is None else charts.number(value, table.kind(column))),
        "suppressed": suppressed,
        "missing": value is None and not suppressed,
        "total": column == table.total_column or row == table.total_row,
    }


# --- Exports ---------------------------------------------------------------------------------


class PdfForm(forms.Form):
    """The statistics PDF asked for on the dashboard."""

    quarter = forms.TypedChoiceField(
        label=gettext_lazy("Period"),
        required=False,
        coerce=int,
        empty_value=None,
        error_messages={"invalid_choice": gettext_lazy("Choose the whole year or a quarter.")},
    )
    language = forms.ChoiceField(
        label=gettext_lazy("Language of the PDF"),
        choices=[("fr", gettext_lazy("French")), ("nl", gettext_lazy("Dutch"))],
        error_messages={
            "required": gettext_lazy("Choose French or Dutch."),
            "invalid_choice": gettext_lazy("Choose French or Dutch."),
        },
    )
    publication = forms.BooleanField(
        label=gettext_lazy("For publication: small numbers suppressed"),
        required=False,
    )

    def __init__(self, *args, publication: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["quarter"].choices = [("", _("The whole year"))] + [
            (str(number), _("Quarter %(number)s (%(months)s)") % {"number": number, "months": name})
            for number, name in QUARTER_NAMES.items()
        ]
        if not publication:  # partners read the published figures only: nothing to choose
            del self.fields["publication"]


class Export(LoginRequiredMixin, View):
    """GET csv or xlsx: the file, at once. POST pdf: a Job that makes the statistics PDF,
    whose page (privacy:job-detail) shows its progress and then the file."""

    def get(self, request, year, format):
        variant = permissions.require_figures(request.user, _publication(request))
        checked_year(year)
        if format not in FORMATS:
            raise Http404
        if format not in DOWNLOADS:
            return HttpResponseNotAllowed(["POST"])
        figures = yearly.figures(
            year,
            _period_quarter(request, variant),
            variant=variant,
            language=translation.get_language(),
        )
        content = exports.csv_bytes(figures) if format == "csv" else exports.xlsx_bytes(figures)
        response = HttpResponse(content, content_type=DOWNLOADS[format])
        response["Content-Disposition"] = content_disposition_header(
            as_attachment=True, filename=exports.filename(figures, format)
        )
        # Said here as well as by the middleware: a file is kept by browsers longer than a page.
        patch_cache_control(response, private=True, no_store=True)
        return response

    def post(self, request, year, format):
        permissions.require_figures(request.user)
        checked_year(year)
        if format not in FORMATS:
            raise Http404
        if format != "pdf":
            return HttpResponseNotAllowed(["GET"])
        form = PdfForm(request.POST, publication=_offers_publication(request.user))
        if not form.is_valid():
            return self.refused(request, year, form)
        data = form.cleaned_data
        publication = data.get("publication", False)
        if data["quarter"] and permissions.figures_variant(request.user, publication) == (
            FIGURES_PUBLISHED
        ):
            messages.info(request, pdf.yearly_only_message())  # pdf.start makes the year's
        try:
            job = pdf.start(
                request.user,
                year,
                data["quarter"],
                data["language"],
                publication,
            )
        except ValueError:
            return self.refused(request, year, form)
        return redirect("privacy:job-detail", code=job.code)

    def refused(self, request, year, form):
        context = {"form": form, "year": year, "title": title(year, None)}
        return render(request, "figures/export_refused.html", context, status=400)
