"""Pages of the quarterly newsletter: as legal writes, previews, publishes and sends it
(coordinators read it), and its public side (the archive, each newsletter's page and
PDFs, the Atom feed, the one-click unsubscribe link), read without signing in.

A newsletter is found once among those the person may read (else 404), then the action
is asked of permissions.py (else 403). The public pages show published newsletters
only (a draft is 404 there), set no cookie, and may be kept by caches."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.syndication.views import Feed
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.db.models import Count, OuterRef, Q, Subquery
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.decorators import method_decorator
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import cache_control
from django.views.decorators.csrf import csrf_exempt
from django.views.generic import TemplateView

from legal import newsletter as services
from legal import newsletter_pdf
from legal.models import Decision, Delivery, NewsItem, Newsletter, NewsletterDecision, Resource
from legal.newsletter_forms import DecisionChoices, NewsItems, NewsletterCreateForm, NewsletterForm
from move.accounts import permissions
from move.accounts.forms import CONCURRENT_EDIT, ConcurrentEditError
from move.accounts.mixins import PermissionRequiredMixin

PUBLISHER = services.PUBLISHER
FAILED_SHOWN = 200  # failed deliveries listed on the page (the rest are counted)


def add_errors(form, error: ValidationError) -> None:
    for text in error.messages:
        form.add_error(None, text)


# --- The list and a new one --------------------------------------------------------------


class NewsletterList(PermissionRequiredMixin, TemplateView):
    """Every newsletter, the newest quarter first, with its deliveries counted."""

    permission = "legal.view_newsletter"
    template_name = "legal/newsletter_list.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        rows = list(
            Newsletter.objects.visible_to(user)
            .annotate(
                sent=Count("deliveries", filter=Q(deliveries__status=Delivery.Status.SENT)),
                failed=Count("deliveries", filter=Q(deliveries__status=Delivery.Status.FAILED)),
            )
            .order_by("-year", "-quarter")
            .values(
                "key",
                "year",
                "quarter",
                "status",
                "title_fr",
                "title_nl",
                "published_at",
                "sent",
                "failed",
            )
        )
        language = reading_language(self.request.LANGUAGE_CODE)
        labels = dict(Newsletter.Status.choices)
        for row in rows:
            row["title"] = row[f"title_{language}"] or row["title_fr"] or row["title_nl"]
            row["status_label"] = labels[row["status"]]
            row["draft"] = row["status"] == Newsletter.Status.DRAFT
        return super().get_context_data(**kwargs) | {
            "newsletters": rows,
            "may_publish": permissions.has_perm(user, PUBLISHER),
        }


class NewsletterCreate(PermissionRequiredMixin, View):
    """A draft for a quarter, the quarter's public decisions already chosen."""

    permission = PUBLISHER
    template_name = "legal/newsletter_create.html"

    def get(self, request):
        return self.render(NewsletterCreateForm())

    def post(self, request):
        form = NewsletterCreateForm(request.POST)
        if form.is_valid():
            try:
                newsletter = services.create(request.user, **form.cleaned_data)
            except ValidationError as error:
                add_errors(form, error)
            else:
                messages.success(
                    request,
                    _("Newsletter created with the public decisions of the quarter."),
                )
                return redirect("legal:newsletter-update", key=newsletter.key)
        return self.render(form, status=400)

    def render(self, form, status=200):
        return render(self.request, self.template_name, {"form": form}, status=status)


# --- One newsletter ----------------------------------------------------------------------


class NewsletterView(LoginRequiredMixin, View):
    """Base of the pages of one newsletter: found among those the person reads (404),
    then the action's permission (403)."""

    permission: str | None = None

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.newsletter = get_object_or_404(
            Newsletter.objects.visible_to(request.user).select_related("job"), key=kwargs["key"]
        )
        if self.permission:
            permissions.require(request.user, self.permission)
        return super().dispatch(request, *args, **kwargs)


def reading_language(language: str) -> str:
    """The language of the newsletter's text for a reader: theirs, French for English."""
    return language if language in newsletter_pdf.LANGUAGES else "fr"


def candidates(newsletter: Newsletter) -> list[dict]:
    """The decisions offered: those chosen, then the public decisions of the quarter and
    of the one before (decided late in a quarter, summarised in the next), newest first.
    One query."""
    first, last = services.quarter_bounds(newsletter.year, newsletter.quarter)
    start = services.quarter_bounds(
        *services.previous_quarter(newsletter.year, newsletter.quarter)
    )[0]
    chosen = NewsletterDecision.objects.filter(newsletter=newsletter)
    rows = list(
        Decision.objects.public()
        .filter(Q(date__range=(start, last)) | Q(pk__in=chosen.values("decision_id")))
        .annotate(position=Subquery(chosen.filter(decision=OuterRef("pk")).values("position")[:1]))
        .values("pk", "date", "court", "reference", "title_fr", "title_nl", "position")
    )
    rows.sort(key=lambda row: (row["position"] is None, row["position"] or 0, row["date"]))
    language = reading_language(translation.get_language())
    courts = dict(Decision._meta.get_field("court").choices)
    for row in rows:
        row["title"] = (
            row[f"title_{language}"] or row["title_fr"] or row["title_nl"] or row["reference"]
        )
        row["court_label"] = courts.get(row["court"], row["court"])
        row["in_quarter"] = first <= row["date"] <= last
    return rows


class NewsletterUpdate(NewsletterView):
    """The texts in French and Dutch, the decisions chosen and their order, the news
    items: one form, saved at once. A save over a version saved meanwhile is refused,
    the newer text shown beside what was typed (nothing is lost)."""

    permission = PUBLISHER
    template_name = "legal/newsletter_form.html"

    def get(self, request, key):
        services.require_editable(self.newsletter)
        rows = candidates(self.newsletter)
        initial = [
            {"decision": row["pk"], "chosen": row["position"] is not None, "position": index}
            for index, row in enumerate(rows, start=1)
        ]
        return self.render(
            NewsletterForm(instance=self.newsletter),
            DecisionChoices(initial=initial, candidates=rows, prefix="decisions"),
            NewsItems(instance=self.newsletter, prefix="news"),
        )

    def post(self, request, key):
        services.require_editable(self.newsletter)
        rows = candidates(self.newsletter)
        form = NewsletterForm(request.POST, instance=self.newsletter)
        choices = DecisionChoices(request.POST, candidates=rows, prefix="decisions")
        news = NewsItems(request.POST, instance=self.newsletter, prefix="news")
        if form.is_valid() and choices.is_valid() and news.is_valid():
            try:
                with transaction.atomic():
                    form.save()
                    save_decisions(self.newsletter, choices.chosen())
                    save_news(news)
            except ConcurrentEditError:
                form.add_error(None, ValidationError(CONCURRENT_EDIT, code="concurrent"))
            else:
                messages.success(request, _("Newsletter saved."))
                return redirect("legal:newsletter-update", key=self.newsletter.key)
        return self.render(form, choices, news, status=400)

    def render(self, form, choices, news, status=200):
        newer = None
        if form.has_error(NON_FIELD_ERRORS, "concurrent"):
            newer = Newsletter.objects.filter(pk=self.newsletter.pk).first()
        context = {
            "newsletter": self.newsletter,
            "form": form,
            "choices": choices,
            "news": news,
            "newer": newer,
        }
        return render(self.request, self.template_name, context, status=status)


def save_decisions(newsletter: Newsletter, chosen: list[int]) -> None:
    """The chosen decisions in their order (positions 1, 2, 3…), the others removed."""
    NewsletterDecision.objects.filter(newsletter=newsletter).exclude(
        decision_id__in=chosen
    ).delete()
    kept = {
        row.decision_id: row for row in NewsletterDecision.objects.filter(newsletter=newsletter)
    }
    changed, added = [], []
    for position, pk in enumerate(chosen, start=1):
        row = kept.get(pk)
        if row is None:
            added.append(
                NewsletterDecision(newsletter=newsletter, decision_id=pk, position=position)
            )
        elif row.position != position:
            row.position = position
            changed.append(row)
    NewsletterDecision.objects.bulk_update(changed, ["position"])
    NewsletterDecision.objects.bulk_create(added)


def save_news(news) -> None:
    """The news items kept, in their order (positions 1, 2, 3…)."""
    news.save()
    items = list(news.instance.news.order_by("position", "pk"))
    for position, item in enumerate(items, start=1):
        item.position = position
    NewsItem.objects.bulk_update(items, ["position"])


class NewsletterPreview(NewsletterView):
    """The newsletter as its readers will see it, in French or in Dutch."""

    def get(self, request, key, language):
        if language not in newsletter_pdf.LANGUAGES:
            raise Http404
        decisions = newsletter_pdf.chosen_decisions(self.newsletter)
        news = newsletter_pdf.news_items(self.newsletter)
        context = {
            "newsletter": self.newsletter,
            "text": newsletter_pdf.content(self.newsletter, language, decisions, news),
            "language": language,
            "other": "nl" if language == "fr" else "fr",
            "problems": newsletter_pdf.missing(self.newsletter, decisions, news),
            "editable": self.newsletter.status == Newsletter.Status.DRAFT
            and permissions.has_perm(request.user, PUBLISHER),
        }
        return render(request, "legal/newsletter_preview.html", context)


class NewsletterPreviewPdf(NewsletterView):
    """The PDF as it will be sent, made now (nothing stored)."""

    def get(self, request, key, language):
        if language not in newsletter_pdf.LANGUAGES:
            raise Http404
        pdf = newsletter_pdf.render(self.newsletter, language)
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = (
            f'inline; filename="{self.newsletter.slug}-{language}-preview.pdf"'
        )
        return response


class NewsletterPublish(NewsletterView):
    """ "Publish and send": refused with the reasons (400) when something is missing,
    else the job started and its progress shown on the deliveries page."""

    permission = PUBLISHER

    def post(self, request, key):
        try:
            services.publish(request.user, self.newsletter, request.LANGUAGE_CODE)
        except services.PublishRefused as refusal:
            context = {"newsletter": self.newsletter, "problems": refusal.problems}
            return render(request, "legal/newsletter_publish.html", context, status=400)
        messages.success(
            request,
            _("The newsletter is being published and sent: its progress is shown below."),
        )
        return redirect("legal:newsletter-deliveries", key=self.newsletter.key)


class DeliveryList(NewsletterView):
    """The sending's progress (polled while it goes on), the deliveries counted, and the
    refused ones with the mail server's reason."""

    def get(self, request, key):
        newsletter = self.newsletter
        counts = services.delivery_counts(newsletter)
        context = {"newsletter": newsletter, "job": newsletter.job, "counts": counts}
        if request.htmx:
            return render(request, "legal/newsletter_progress.html", context)
        context |= {
            "failed": list(
                newsletter.deliveries.filter(status=Delivery.Status.FAILED)
                .order_by("email", "pk")
                .values(
                    "email", "language", "attempts", "last_error", "lawyer__key", "lawyer__name"
                )[:FAILED_SHOWN]
            ),
            "may_publish": permissions.has_perm(request.user, PUBLISHER),
            "sending": newsletter.status == Newsletter.Status.SENDING,
        }
        return render(request, "legal/newsletter_deliveries.html", context)


class DeliveryRetry(NewsletterView):
    """Send the refused deliveries again."""

    permission = PUBLISHER

    def post(self, request, key):
        count = services.retry_failed(request.user, self.newsletter)
        if count:
            messages.success(
                request,
                _("%(count)s refused e-mails will be sent again.") % {"count": count},
            )
        else:
            messages.info(request, _("Nothing to retry: no e-mail was refused."))
        return redirect("legal:newsletter-deliveries", key=self.newsletter.key)


# --- The public side ---------------------------------------------------------------------

PUBLIC_CACHE = cache_control(public=True, max_age=600)
INTERFACE_LANGUAGES = ("fr", "nl", "en")


def interface_language(request) -> str:
    """The reader's language: ?language=… (the links of the public pages, which set no
    cookie), else the request's."""
    asked = request.GET.get("language", "")
    return asked if asked in INTERFACE_LANGUAGES else request.LANGUAGE_CODE


def public_render(request, template, context, status=200):
    language = interface_language(request)
    with translation.override(language):
        context = {"language": language, "languages": language_links(request, language)} | context
        response = render(request, template, context, status=status)
    response["Content-Language"] = language
    return response


def language_links(request, current) -> list[dict]:
    names = dict(settings.LANGUAGES)  # each in its own language
    return [
        {"code": code, "name": names[code], "current": code == current, "url": f"?language={code}"}
        for code in INTERFACE_LANGUAGES
    ]


def published(year: int, quarter: int) -> Newsletter:
    return get_object_or_404(Newsletter.objects.published(), year=year, quarter=quarter)


@method_decorator(PUBLIC_CACHE, name="dispatch")
class Archive(View):
    """The published newsletters with their PDFs in both languages, and the coalition's
    public documents: in the reader's language."""

    def get(self, request):
        language = interface_language(request)
        text_language = reading_language(language)
        rows = list(
            Newsletter.objects.published()
            .order_by("-year", "-quarter")
            .values("year", "quarter", "title_fr", "title_nl", "published_at")
        )
        for row in rows:
            row["title"] = row[f"title_{text_language}"] or row["title_fr"] or row["title_nl"]
        documents = list(
            Resource.objects.filter(public=True)
            .order_by("kind", "pk")
            .values(
                "key",
                "kind",
                "title_fr",
                "title_nl",
                "description_fr",
                "description_nl",
                "file_fr",
                "file_nl",
            )
        )
        kinds = dict(Resource.Kind.choices)
        for row in documents:
            row["title"] = row[f"title_{text_language}"] or row["title_fr"] or row["title_nl"]
            row["description"] = row[f"description_{text_language}"] or row["description_fr"]
            row["kind_label"] = kinds.get(row["kind"], row["kind"])
            row["files"] = [code for code in newsletter_pdf.LANGUAGES if row[f"file_{code}"]]
        context = {"newsletters": rows, "documents": documents, "text_language": text_language}
        return public_render(request, "newsletter/archive.html", context)


@method_decorator(PUBLIC_CACHE, name="dispatch")
class PublicDetail(View):
    """One published newsletter in the reader's language (English readers: French, with
    the Dutch one a link away)."""

    def get(self, request, year, quarter):
        newsletter = published(year, quarter)
        asked = request.GET.get("text", "")
        language = asked if asked in newsletter_pdf.LANGUAGES else None
        language = language or reading_language(interface_language(request))
        context = {
            "newsletter": newsletter,
            "text": newsletter_pdf.content(newsletter, language),
            "text_language": language,
            "other": "nl" if language == "fr" else "fr",
        }
        return public_render(request, "newsletter/detail.html", context)


@method_decorator(PUBLIC_CACHE, name="dispatch")
class PublicPdf(View):
    """A published newsletter's PDF, shown in the browser; made and stored on the first
    request when its file is missing."""

    def get(self, request, year, quarter, language):
        if language not in newsletter_pdf.LANGUAGES:
            raise Http404
        newsletter = published(year, quarter)
        path = newsletter_pdf.ensure_stored(newsletter, language)
        return FileResponse(
            path.open("rb"),
            content_type="application/pdf",
            filename=f"move-{newsletter.slug}-{language}.pdf",
        )


@method_decorator(csrf_exempt, name="dispatch")  # a mail client posts without a session
class Unsubscribe(View):
    """The one-click unsubscribe of the newsletter's e-mails (RFC 8058): GET asks for a
    confirmation, POST (from the page or from a mail client) unsubscribes, once."""

    def dispatch(self, request, *args, **kwargs):
        self.lawyer = services.lawyer_from_token(kwargs["token"])
        if self.lawyer is None:
            return public_render(request, "newsletter/unsubscribe_invalid.html", {}, status=400)
        response = super().dispatch(request, *args, **kwargs)
        response["Cache-Control"] = "no-store"
        return response

    def get(self, request, token):
        context = {"masked": masked(self.lawyer.email), "done": not is_subscribed(self.lawyer)}
        return public_render(request, "newsletter/unsubscribe.html", context)

    def post(self, request, token):
        services.unsubscribe(self.lawyer)
        context = {"masked": masked(self.lawyer.email), "done": True, "just_done": True}
        return public_render(request, "newsletter/unsubscribe.html", context)


def is_subscribed(lawyer) -> bool:
    return lawyer.subscribed and lawyer.unsubscribed_on is None


def masked(address: str) -> str:
    """j…@example.be: enough for the lawyer to recognise it, not enough for a reader of
    a forwarded e-mail to learn it."""
    local, _at, domain = address.partition("@")
    return f"{local[:1]}…@{domain}"


class FeedItem:
    def __init__(self, row: dict, language: str):
        self.title = row[f"title_{language}"] or row["title_fr"] or row["title_nl"]
        self.editorial = row[f"editorial_{language}"] or row["editorial_fr"]
        self.year, self.quarter = row["year"], row["quarter"]
        self.published_at = row["published_at"]
        self.language = language


class ArchiveFeed(Feed):
    """The published newsletters as an Atom feed, in the reader's language."""

    feed_type = Atom1Feed

    def __call__(self, request, *args, **kwargs):
        with translation.override(interface_language(request)):
            response = super().__call__(request, *args, **kwargs)
        response["Cache-Control"] = "public, max-age=600"
        return response

    def get_object(self, request, *args, **kwargs):
        return reading_language(translation.get_language())

    def title(self, obj):
        return _("Move — the coalition's legal newsletter")

    def subtitle(self, obj):
        return _(
            "The quarterly newsletter on immigration detention law in Belgium, with a digest "
            "of recent decisions."
        )

    def link(self, obj):
        return reverse("newsletter:archive")

    def items(self, obj):
        rows = (
            Newsletter.objects.published()
            .order_by("-year", "-quarter")
            .values(
                "year",
                "quarter",
                "title_fr",
                "title_nl",
                "editorial_fr",
                "editorial_nl",
                "published_at",
            )[:40]
        )
        return [FeedItem(row, obj) for row in rows]

    def item_title(self, item):
        return item.title or newsletter_pdf.quarter_label(item.year, item.quarter)

    def item_description(self, item):
        return escape(Truncator(item.editorial).words(80))

    def item_link(self, item):
        return reverse("newsletter:detail", kwargs={"year": item.year, "quarter": item.quarter})

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.published_at
