"""Pages of the lawyer directory: every internal role searches it and reads a lawyer's
page; legal and the coordinators keep it, import it and export it (permissions.py:
legal.view_directory, legal.change_directory). A lawyer is found among those the person
may read (else 404), then the action is asked for (else 403).

The list is made for a phone in a centre: quick links (a centre, a language) above the
results, each a tap, every other filter folded away; each lawyer with a link to call
them and one to write to them. Its rows are plain values written out in Python (as
legal/listing.py does for the help desk), with their specialities and centres read in
the same query on PostgreSQL (arrays), in one more query elsewhere; the filters' choices
are reference rows kept per process (legal/directory_forms.py). No COUNT: a page asks
for one row more than it shows to know whether another follows. A page thus costs the
same three queries whatever its length (the session's user, the memberships, the rows)."""

from dataclasses import dataclass
from html import escape
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.db import IntegrityError, connection
from django.db.models import Value
from django.db.models.expressions import RawSQL
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from legal import lawyer_import
from legal.directory_forms import (
    DETENTION,
    LawyerFilterForm,
    LawyerForm,
    international,
    reference,
)
from legal.library import REGIONS, SPOKEN_LANGUAGES
from legal.models import Lawyer
from move.accounts import permissions
from move.accounts.mixins import PermissionRequiredMixin

PAGE_SIZE = 50
LISTED = [
    "pk",
    "key",
    "name",
    "firm",
    "bar_id",
    "email",
    "phone",
    "languages",
    "regions",
    "legal_aid",
]
LINKED = ["speciality_ids", "centre_ids"] if connection.vendor == "postgresql" else []
NOTHING = "—"
# The languages offered as quick links (each a tap), the others in the folded filters.
QUICK_LANGUAGES = ("nl", "fr", "en")


def linked(lawyer_ids) -> dict[int, dict[str, list[int]]]:
    """{lawyer id: {"specialities": [ids], "centres": [ids]}} for `lawyer_ids` (a list or
    a queryset of ids): one query for both."""
    specialities = (
        Lawyer.specialities.through.objects.filter(lawyer_id__in=lawyer_ids)
        .annotate(side=Value("specialities"))
        .values_list("lawyer_id", "speciality_id", "side")
    )
    centres = (
        Lawyer.centres.through.objects.filter(lawyer_id__in=lawyer_ids)
        .annotate(side=Value("centres"))
        .values_list("lawyer_id", "centre_id", "side")
    )
    found: dict[int, dict[str, list[int]]] = {}
    for lawyer, other, side in specialities.union(centres, all=True):
        found.setdefault(lawyer, {"specialities": [], "centres": []})[side].append(other)
    return found


def with_linked(lawyers):
    """On PostgreSQL, each lawyer's speciality and centre ids as arrays in the same query
    (one round trip less per page); elsewhere `linked()` reads them after. Written as
    SQL: the ORM took longer to compile two ArraySubquery than the database to run them."""
    if connection.vendor != "postgresql":
        return lawyers
    return lawyers.annotate(**ARRAYS)


def _ids_array(through, other: str) -> RawSQL:
    lawyers, table = Lawyer._meta.db_table, through._meta.db_table
    return RawSQL(
        f'ARRAY(SELECT "{other}" FROM "{table}" WHERE "lawyer_id" = "{lawyers}"."id")', []
    )


ARRAYS = {
    "speciality_ids": _ids_array(Lawyer.specialities.through, "speciality_id"),
    "centre_ids": _ids_array(Lawyer.centres.through, "centre_id"),
}


def page_rows(lawyers, offset: int, size: int) -> list[dict]:
    """`size` rows of `lawyers` (ordered) from `offset`, as plain values. Past the first
    page, the rows are picked first: PostgreSQL would build the arrays of the rows it
    skips too."""
    if offset and LINKED:
        page = lawyers.values("pk")[offset : offset + size]
        lawyers = Lawyer.objects.filter(pk__in=page).order_by("name", "pk")
        offset = 0
    return list(with_linked(lawyers).values(*LISTED, *LINKED)[offset : offset + size])


def page_links(rows) -> dict[int, dict[str, list[int]]]:
    """The speciality and centre ids of the rows: read with them, or in one query."""
    if not rows:
        return {}
    if "speciality_ids" in rows[0]:
        return {
            row["pk"]: {"specialities": row["speciality_ids"], "centres": row["centre_ids"]}
            for row in rows
        }
    return linked([row["pk"] for row in rows])


def _named(ids, names: dict) -> list[str]:
    return sorted((names[pk] for pk in ids if pk in names), key=str.lower)


# --- The list -------------------------------------------------------------------------


class LawyerList(PermissionRequiredMixin, TemplateView):
    """The directory, by name: searched, filtered, 50 a page."""

    permission = "legal.view_directory"
    template_name = "legal/lawyer_list.html"

    def get_context_data(self, **kwargs):
        user, query = self.request.user, self.request.GET
        form = LawyerFilterForm(query)
        lawyers = form.apply(Lawyer.objects.visible_to(user)).order_by("name", "pk")
        number = _page_number(query.get("page"))
        offset = (number - 1) * PAGE_SIZE
        # One row more than a page says whether another follows: no COUNT over them all.
        rows = page_rows(lawyers, offset, PAGE_SIZE + 1)
        more = len(rows) > PAGE_SIZE
        rows = rows[:PAGE_SIZE]
        self.params = {name: values for name, values in query.lists() if name != "page"}
        return super().get_context_data(**kwargs) | {
            "form": form,
            "selects": select_tags(form),
            "open_filters": form.more_filters_chosen(),
            "quick_centres": self.quick_centres(form),
            "quick_languages": self.quick_languages(form),
            "rows": lawyer_rows(rows, page_links(rows), form.reference) if rows else "",
            "first": offset + 1,
            "last": offset + len(rows),
            "whole": number == 1 and not more,
            "previous": self.url(page=number - 1) if number > 1 else None,
            "following": self.url(page=number + 1) if more else None,
            "may_change": permissions.has_perm(user, "legal.change_directory"),
            "export_query": self.url(results=False)[1:],
        }

    def url(self, results=True, **changes) -> str:
        """This page's query, without its page, with `changes`, as "?…", opened at the
        results (a phone shows them without scrolling after a tap)."""
        params = self.params | {name: [value] for name, value in changes.items() if value}
        return "?" + urlencode(params, doseq=True) + ("#results" if results else "")

    def quick_centres(self, form) -> str:
        """A link per active centre: the detention lawyers who cover it."""
        ref, chosen = form.reference, form.chosen
        speciality = chosen.get("speciality")
        if speciality is None and DETENTION in ref.by_code["speciality"]:
            speciality = DETENTION
        links = [
            (centre.name, self.url(centre=centre.code, speciality=speciality), centre.code)
            for centre in ref.active_centres
        ]
        return quick_links(links, chosen.get("centre"))

    def quick_languages(self, form) -> str:
        labels = dict(SPOKEN_LANGUAGES)
        links = [(labels[code], self.url(language=code), code) for code in QUICK_LANGUAGES]
        return quick_links(links, form.chosen.get("language"))


def quick_links(links, chosen) -> str:
    """<li>s of links (label, query, value), the one whose value is `chosen` marked
    as the current one."""
    items = []
    for label, url, value in links:
        current = ' aria-current="true"' if value == chosen else ""
        items.append(f'<li><a href="{escape(url)}"{current}>{escape(str(label))}</a></li>')
    return mark_safe("".join(items))  # noqa: S308 - every value escaped


def select_tags(form) -> str:
    """The filters' <select>s with their labels and errors, as the help desk's queue
    writes them, here in Python (seven fields a page)."""
    errors = form.errors
    parts = []
    for name, options in form.select_options():
        field = form.fields[name]
        described = problems = ""
        if name in errors:
            described = f' aria-invalid="true" aria-describedby="id_{name}_error"'
            items = "".join(f"<li>{escape(text)}</li>" for text in errors[name])
            problems = f'<ul class="errorlist" id="id_{name}_error">{items}</ul>'
        parts.append(
            f'<div><label for="id_{name}">{escape(str(field.label))}:</label>'
            f'<select name="{name}" id="id_{name}"{described}>{options}</select>'
            f"{problems}</div>"
        )
    return mark_safe("".join(parts))  # noqa: S308 - every value escaped


def _page_number(value) -> int:
    try:
        return max(1, min(int(value), 100_000))
    except (TypeError, ValueError):
        return 1


def _cells() -> str:
    """A row's cells as a format string, each with the label a phone shows before it,
    translated and escaped once per page."""

    def label(text):
        return escape(text, quote=True).replace("{", "{{").replace("}", "}}")

    detail = reverse("legal:lawyer-detail", args=["00000000-0000-0000-0000-000000000000"])
    detail = escape(detail).replace("00000000-0000-0000-0000-000000000000", "{key}")
    return (
        f'<tr><td data-label="{label(_("Name"))}"><a href="{detail}">{{name}}</a>{{firm}}</td>'
        f'<td data-label="{label(_("Contact"))}" class="contact">{{contact}}</td>'
        f'<td data-label="{label(_("Speaks"))}">{{languages}}</td>'
        f'<td data-label="{label(_("Centres and regions"))}">{{covers}}</td>'
        f'<td data-label="{label(_("Specialities"))}">{{specialities}}</td>'
        f'<td data-label="{label(_("Bar"))}">{{bar}}</td>'
        f'<td data-label="{label(_("Legal aid"))}">{{legal_aid}}</td></tr>\n'
    )


def contact_links(phone: str, email: str, name: str, call: str | None = None) -> str:
    """A link to call the lawyer and one to write to them (escaped). `call`: the
    translated "Call %(name)s", when the caller already has it."""
    parts = []
    if phone:
        call = escape((call or _("Call %(name)s")) % {"name": name}, quote=True)
        shown = escape(international(phone), quote=True)
        parts.append(
            f'<a class="tel" href="tel:{escape(phone, quote=True)}" aria-label="{call}: '
            f'{shown}">{shown}</a>'
        )
    if email:
        parts.append(
            f'<a class="mail" href="mailto:{escape(email, quote=True)}">{escape(email)}</a>'
        )
    return "<br>".join(parts) or NOTHING


@dataclass(frozen=True)
class Words:
    """What every row of a page says in one language, translated and escaped once."""

    line: str
    languages: dict
    regions: dict
    yes: str
    no: str
    call: str


_words: dict[str, Words] = {}


def words() -> Words:
    language = get_language()
    if language not in _words:
        _words[language] = Words(
            _cells(),
            {code: escape(str(label)) for code, label in SPOKEN_LANGUAGES},
            {code: escape(str(label)) for code, label in REGIONS},
            escape(_("Yes")),
            escape(_("No")),
            _("Call %(name)s"),
        )
    return _words[language]


def lawyer_rows(rows, links, ref) -> str:
    """The rows of templates/legal/lawyer_list.html, every value escaped."""
    said = words()
    line, languages, regions, call = said.line, said.languages, said.regions, said.call
    yes, no = said.yes, said.no
    names = ref.escaped_names()
    empty = {"specialities": [], "centres": []}
    out = []
    for row in rows:
        linked_ids = links.get(row["pk"], empty)
        covers = _named(linked_ids["centres"], names["centre"]) + [
            regions[code] for code in row["regions"].split() if code in regions
        ]
        spoken = [languages[code] for code in row["languages"].split() if code in languages]
        name = escape(row["name"])
        out.append(
            line.format(
                key=row["key"],
                name=name,
                firm=f'<br><span class="muted">{escape(row["firm"])}</span>' if row["firm"] else "",
                contact=contact_links(row["phone"], row["email"], row["name"], call),
                languages=", ".join(spoken) or NOTHING,
                covers=", ".join(covers) or NOTHING,
                specialities=", ".join(_named(linked_ids["specialities"], names["speciality"]))
                or NOTHING,
                bar=names["bar"].get(row["bar_id"], NOTHING),
                legal_aid=yes if row["legal_aid"] else no,
            )
        )
    return mark_safe("".join(out))  # noqa: S308 - every value above is escaped


# --- One lawyer -----------------------------------------------------------------------


class LawyerView(LoginRequiredMixin, View):
    """Base for the pages of one lawyer: found among those the person may read (404),
    then, with `permission`, the right to act asked for (403)."""

    permission: str | None = None

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        lawyers = Lawyer.objects.visible_to(request.user).select_related("bar")
        self.lawyer = get_object_or_404(lawyers, key=kwargs["key"])
        if self.permission:
            permissions.require(request.user, self.permission)
        return super().dispatch(request, *args, **kwargs)

    def linked(self) -> dict[str, list[int]]:
        return linked([self.lawyer.pk]).get(self.lawyer.pk, {"specialities": [], "centres": []})


class LawyerDetail(LawyerView):
    def get(self, request, key):
        lawyer, ref = self.lawyer, reference()
        ids = self.linked()
        languages, regions = dict(SPOKEN_LANGUAGES), dict(REGIONS)
        context = {
            "lawyer": lawyer,
            "phone": international(lawyer.phone),
            "specialities": _named(ids["specialities"], ref.names["speciality"]),
            "centres": _named(ids["centres"], ref.names["centre"]),
            "languages": [languages[c] for c in lawyer.language_list if c in languages],
            "regions": [regions[c] for c in lawyer.region_list if c in regions],
            "receives": lawyer.subscribed and not lawyer.unsubscribed_on,
            "may_change": permissions.has_perm(request.user, "legal.change_directory"),
        }
        return render(request, "legal/lawyer_detail.html", context)


class LawyerFormPage:
    template_name = "legal/lawyer_form.html"

    def page(self, form, status=200):
        lawyer = getattr(self, "lawyer", None)
        return render(
            self.request,
            self.template_name,
            {"form": form, "lawyer": lawyer},
            status=status,
        )

    def saved(self, lawyer, message):
        messages.success(self.request, message % {"name": lawyer.name})
        return redirect("legal:lawyer-detail", key=lawyer.key)


class LawyerCreate(LawyerFormPage, PermissionRequiredMixin, View):
    permission = "legal.change_directory"

    def get(self, request):
        return self.page(LawyerForm())

    def post(self, request):
        form = LawyerForm(request.POST)
        if form.is_valid():
            return self.saved(form.save(), _("%(name)s was added to the directory."))
        # Status 200 with the errors shown (the permission matrix's answer to an empty form).
        return self.page(form)


class LawyerUpdate(LawyerFormPage, LawyerView):
    permission = "legal.change_directory"

    def get(self, request, key):
        return self.page(LawyerForm(instance=self.lawyer, chosen=self.linked()))

    def post(self, request, key):
        form = LawyerForm(request.POST, instance=self.lawyer, chosen=self.linked())
        if form.is_valid():
            return self.saved(form.save(), _("The changes to %(name)s were saved."))
        return self.page(form)


# --- Import and export ----------------------------------------------------------------


class ImportPage(PermissionRequiredMixin, View):
    permission = "legal.change_directory"

    def page(self, status=200, error=None, **context):
        context = {
            "columns": list(lawyer_import.COLUMNS.items()),
            "required": lawyer_import.REQUIRED,
            "max_mb": lawyer_import.MAX_BYTES // (1024 * 1024),
            "error": error,
            **context,
        }
        return render(self.request, "legal/lawyer_import.html", context, status=status)

    def preview(self, preview, token=None, status=200, refused=False):
        context = {
            "preview": preview,
            "token": token,
            "refused": refused,
            "errors": preview.errors,
            "shown": preview.rows[:PREVIEW_ROWS],
            "hidden": max(0, len(preview.rows) - PREVIEW_ROWS),
            "max_mb": lawyer_import.MAX_BYTES // (1024 * 1024),
        }
        return render(self.request, "legal/lawyer_import_preview.html", context, status=status)


PREVIEW_ROWS = 200


class LawyerImport(ImportPage):
    """GET: the upload form and the columns; POST: the file read and previewed."""

    def get(self, request):
        return self.page()

    def post(self, request):
        upload = request.FILES.get("file")
        if upload is None:
            return self.page(400, _("Choose the CSV file to import."))
        try:
            raw = lawyer_import.received(upload)
            preview = lawyer_import.read(raw)
        except lawyer_import.ImportError_ as error:
            return self.page(400, str(error))
        token = None if preview.errors else lawyer_import.store(raw, request.user)
        return self.preview(preview, token)


class LawyerImportConfirm(ImportPage):
    """POST only: the file previewed, saved whole or not at all."""

    def post(self, request):
        try:
            path = lawyer_import.stored_file(request.POST.get("token"), request.user)
        except lawyer_import.ImportError_ as error:
            return self.page(400, str(error))
        try:
            preview, outcome = lawyer_import.confirm(path)
        except lawyer_import.ImportError_ as error:
            path.unlink(missing_ok=True)
            return self.page(400, str(error))
        except IntegrityError:
            path.unlink(missing_ok=True)
            return self.page(
                400,
                _(
                    "The directory changed while the file was being imported (an e-mail "
                    "address was taken meanwhile): nothing was saved. Upload it again."
                ),
            )
        if outcome is None:
            return self.preview(preview, status=400, refused=True)
        added = ngettext("%(count)s lawyer added", "%(count)s lawyers added", outcome.added) % {
            "count": outcome.added
        }
        updated = ngettext(
            "%(count)s lawyer updated", "%(count)s lawyers updated", outcome.updated
        ) % {"count": outcome.updated}
        messages.success(
            request,
            _("Import done: %(added)s, %(updated)s.")
            % {
                "added": added,
                "updated": updated,
            },
        )
        return redirect("legal:lawyer-list")


class LawyerExport(PermissionRequiredMixin, View):
    """The list as filtered, as CSV (the columns of the import)."""

    permission = "legal.change_directory"

    def get(self, request):
        form = LawyerFilterForm(request.GET)
        lawyers = form.apply(Lawyer.objects.visible_to(request.user))
        response = HttpResponse(
            lawyer_import.export(lawyers), content_type="text/csv; charset=utf-8"
        )
        day = timezone.localdate().isoformat()
        response["Content-Disposition"] = f'attachment; filename="lawyers-{day}.csv"'
        return response
