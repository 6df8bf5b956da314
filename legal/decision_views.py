"""The jurisprudence: the list with its search and filters, a page per decision, the
form, the PII check before publication (findings fixed or dismissed with a reason) and
the decision's PDF. Who may do what is asked of move/accounts/permissions.py and
`Decision.objects.visible_to`: a decision a person may not read is 404, an action they
may not take on one they read is 403."""

from dataclasses import dataclass, field

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import IntegrityError, transaction
from django.db.models import Prefetch
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import View

from legal import decision_files, decision_search  # noqa: F401 (decision_search: receiver)
from legal.decision_forms import DecisionFilterForm, DecisionForm, DismissForm
from legal.models import Decision, DecisionFindingDismissal, LitigationCase, Newsletter
from move.accounts import permissions
from move.accounts.access_changes import acting
from move.accounts.mixins import PermissionRequiredMixin
from move.privacy import pii
from move.privacy.files import delete_file
from visits.models import Theme

KEEP = "legal.change_jurisprudence"
READ = "legal.view_jurisprudence"
PAGE_SIZE = 25
# The texts the scanner reads before publication, with what the page calls them.
TEXTS = (
    ("title_fr", "fr"),
    ("summary_fr", "fr"),
    ("title_nl", "nl"),
    ("summary_nl", "nl"),
)


def text_label(name: str) -> str:
    return {
        "title_fr": _("Title in French"),
        "summary_fr": _("Summary in French"),
        "title_nl": _("Title in Dutch"),
        "summary_nl": _("Summary in Dutch"),
    }[name]


def language_label(code: str) -> str:
    return {"fr": _("French"), "nl": _("Dutch")}[code]


# --- Publishing: the PII check ------------------------------------------------------


@dataclass
class Finding:
    """One piece of possible personal data, wherever it appears in the four texts."""

    kind: str
    text: str
    places: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        return pii.kind_label(self.kind)

    @property
    def is_warning(self) -> bool:
        return self.kind in pii.WARNING_KINDS


def unresolved_findings(decision, dismissals=None) -> list[Finding]:
    """What the scanner finds in the titles and summaries that nobody dismissed. Never
    given the case files' names: legal and coordinators are not visitors, and must not
    learn whether a word is a known name (DESIGN.md §9)."""
    if dismissals is None:
        dismissals = decision.dismissals.all() if decision.pk else []
    dismissed = {(item.kind, item.text) for item in dismissals}
    found: dict[tuple[str, str], Finding] = {}
    for name, language in TEXTS:
        for item in pii.scan(getattr(decision, name) or "", language=language):
            key = (item.kind, item.text)
            if key in dismissed:
                continue
            finding = found.setdefault(key, Finding(item.kind, item.text))
            if text_label(name) not in finding.places:
                finding.places.append(text_label(name))
    return list(found.values())


def refusals(decision) -> list[str]:
    """Why the decision may not be published now (nothing when it may)."""
    reasons = []
    missing = decision.missing_languages
    if missing:
        reasons.append(
            _("Its title and summary are missing in %(languages)s: write them first.")
            % {"languages": _(" and ").join(language_label(code) for code in missing)}
        )
    count = len(unresolved_findings(decision))
    if count:
        reasons.append(
            ngettext(
                "One piece of possible personal data remains in its texts: fix it or "
                "dismiss it with a reason first.",
                "%(count)s pieces of possible personal data remain in its texts: fix or "
                "dismiss each with a reason first.",
                count,
            )
            % {"count": count}
        )
    return reasons


def publish(decision, *, by) -> bool:
    """Publish the decision if nothing keeps it: False when it already was published,
    ValidationError with the reasons when it may not be."""
    permissions.require(by, KEEP)
    with transaction.atomic(), acting(by):
        current = Decision.objects.select_for_update().defer("search_vector").get(pk=decision.pk)
        if current.status == Decision.Status.PUBLISHED:
            return False
        reasons = refusals(current)
        if reasons:
            raise ValidationError(reasons)
        current.status = Decision.Status.PUBLISHED
        current.published_at = timezone.now()
        current.save(update_fields=["status", "published_at", "updated_at"])
    return True


def dismiss(decision, *, kind: str, text: str, reason: str, by) -> DecisionFindingDismissal:
    """Record that a finding is not personal data: only one the scanner finds in the
    decision now (a made-up dismissal would let personal data through later)."""
    permissions.require(by, KEEP)
    reason = reason.strip()
    if not reason:
        raise ValidationError(_("Say why this is not personal data."))
    if (kind, text) not in {(f.kind, f.text) for f in unresolved_findings(decision)}:
        raise ValidationError(_("This is not among the findings of the decision any more."))
    dismissal, _created = DecisionFindingDismissal.objects.get_or_create(
        decision=decision,
        kind=kind,
        text=text,
        defaults={"reason": reason, "dismissed_by": by},
    )
    return dismissal


# --- Saving the form ----------------------------------------------------------------


class Concurrent(Exception):
    pass


def save_decision(form: DecisionForm, *, by) -> tuple[Decision, bool]:
    """Save the form and its PDF; the decision, and whether a published one went back
    to draft (its new texts lack a language or hold findings). The new file is written
    first and removed if the rows are not saved; the file it replaces is deleted once
    the change is committed."""
    permissions.require(by, KEEP)
    upload = form.cleaned_data.get("pdf_file")
    stored = decision_files.write(upload) if upload else ""
    try:
        with transaction.atomic(), acting(by):
            decision, unpublished = _save(form, by, upload, stored)
    except BaseException:
        delete_file(stored)
        raise
    return decision, unpublished


def _save(form, by, upload, stored):
    decision = form.instance
    old_pdf = ""
    if decision.pk:
        current = Decision.objects.select_for_update().values("pdf", "updated_at")
        current = current.get(pk=decision.pk)
        if form.concurrent(current["updated_at"]):
            raise Concurrent
        old_pdf = current["pdf"]
    else:
        decision.created_by = by
    decision = form.save(commit=False)
    if stored:
        decision.pdf, decision.pdf_name = stored, decision_files.file_name(upload)
    elif form.cleaned_data.get("remove_pdf"):
        decision.pdf, decision.pdf_name = "", ""
    unpublished = decision.status == Decision.Status.PUBLISHED and bool(refusals(decision))
    if unpublished:
        # Back to draft: no longer "published since", until it is published again.
        decision.status = Decision.Status.DRAFT
        decision.published_at = None
    decision.save()
    form.save_m2m()
    if old_pdf and old_pdf != decision.pdf:
        decision_files.delete_on_commit(old_pdf)
    return decision, unpublished


# --- The list -----------------------------------------------------------------------


class DecisionList(PermissionRequiredMixin, View):
    """The decisions a person may read (drafts for those who keep them), newest first,
    searched and filtered; a page costs the same whatever the number of rows."""

    permission = READ

    def get(self, request):
        user = request.user
        keeper = permissions.has_perm(user, KEEP)
        form = DecisionFilterForm(request.GET or None, keeper=keeper)
        decisions = form.apply(Decision.objects.visible_to(user))
        decisions = decisions.defer("search_vector").prefetch_related(
            Prefetch("themes", queryset=Theme.objects.order_by("position", "code"))
        )
        page = Paginator(decisions, PAGE_SIZE).get_page(request.GET.get("page"))
        context = {
            "form": form,
            "page_obj": page,
            "decisions": page.object_list,
            "keeper": keeper,
            "filtered": any(value for name, value in request.GET.items() if name != "page"),
        }
        return render(request, "legal/decision_list.html", context)


class DecisionCreate(PermissionRequiredMixin, View):
    permission = KEEP
    template_name = "legal/decision_form.html"

    def get(self, request):
        return self.render(DecisionForm())

    def post(self, request):
        form = DecisionForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                decision, _unpublished = save_decision(form, by=request.user)
            except IntegrityError:
                form.add_error("ecli", _("Another decision already has this ECLI."))
            else:
                messages.success(
                    request,
                    _(
                        "The decision was added as a draft. Publish it once both languages "
                        "are written."
                    ),
                )
                return redirect("legal:decision-detail", key=decision.key)
        return self.render(form, status=400)

    def render(self, form, status=200):
        return render(
            self.request, self.template_name, {"form": form, "decision": None}, status=status
        )


# --- One decision --------------------------------------------------------------------


class DecisionView(LoginRequiredMixin, View):
    """Found among the decisions the person may read (404), then, with `permission`,
    the action asked for (403)."""

    permission: str | None = None

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        decisions = Decision.objects.visible_to(request.user).defer("search_vector")
        self.decision = get_object_or_404(decisions, key=kwargs["key"])
        if self.permission:
            permissions.require(request.user, self.permission)
        return super().dispatch(request, *args, **kwargs)


def detail_context(request, decision, dismissing=None, refused=None) -> dict:
    """The page of a decision: its themes, the newsletters it appeared in, the cases it
    is linked to; for those who keep it, the findings to resolve and the dismissals."""
    user = request.user
    keeper = permissions.has_perm(user, KEEP)
    newsletters = Newsletter.objects.filter(chosen_decisions__decision=decision)
    if not permissions.has_perm(user, "legal.view_newsletter"):
        newsletters = newsletters.published()
    context = {
        "decision": decision,
        "themes": list(decision.themes.all()),
        "newsletters": list(
            newsletters.only("key", "year", "quarter", "status").order_by("-year", "-quarter")
        ),
        "reads_newsletters": permissions.has_perm(user, "legal.view_newsletter"),
        "cases": list(
            LitigationCase.objects.visible_to(user)
            .filter(decisions=decision)
            .only("key", "title", "status", "court")
        ),
        "keeper": keeper,
        "missing": [language_label(code) for code in decision.missing_languages],
        "refused": refused,
    }
    if keeper:
        dismissals = list(decision.dismissals.select_related("dismissed_by").order_by("pk"))
        findings = unresolved_findings(decision, dismissals)
        for finding in findings:
            finding.form = None
            if dismissing and (dismissing.data.get("kind"), dismissing.data.get("text")) == (
                finding.kind,
                finding.text,
            ):
                finding.form = dismissing
        context |= {"findings": findings, "dismissals": dismissals}
    return context


class DecisionDetail(DecisionView):
    def get(self, request, key):
        return render(request, "legal/decision_detail.html", detail_context(request, self.decision))


class DecisionUpdate(DecisionView):
    permission = KEEP
    template_name = "legal/decision_form.html"

    def get(self, request, key):
        return self.render(DecisionForm(instance=self.decision))

    def post(self, request, key):
        form = DecisionForm(request.POST, request.FILES, instance=self.decision)
        if form.is_valid():
            try:
                decision, unpublished = save_decision(form, by=request.user)
            except Concurrent:
                pass
            except IntegrityError:
                form.add_error("ecli", _("Another decision already has this ECLI."))
            else:
                if unpublished:
                    messages.warning(
                        request,
                        _(
                            "Saved. The decision went back to draft: its texts must be "
                            "complete and checked before it is published again."
                        ),
                    )
                else:
                    messages.success(request, _("The decision was saved."))
                return redirect("legal:decision-detail", key=decision.key)
        return self.render(form, status=400)

    def render(self, form, status=200):
        context = {"form": form, "decision": self.decision}
        return render(self.request, self.template_name, context, status=status)


class DecisionPublish(DecisionView):
    """POST: publish, or say why not (the decision stays a draft)."""

    permission = KEEP
    http_method_names = ["post"]

    def post(self, request, key):
        try:
            published = publish(self.decision, by=request.user)
        except ValidationError as error:
            for text in error.messages:
                messages.error(request, text)
        else:
            if published:
                messages.success(request, _("The decision is published."))
            else:
                messages.info(request, _("This decision was already published."))
        return redirect("legal:decision-detail", key=key)


class DecisionDismiss(DecisionView):
    """POST: a finding dismissed with a reason. Bad input answers 400 with the page of
    the decision, the reason typed shown again with the error."""

    permission = KEEP
    http_method_names = ["post"]

    def post(self, request, key):
        form = DismissForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                dismiss(
                    self.decision,
                    kind=data["kind"],
                    text=data["text"],
                    reason=data["reason"],
                    by=request.user,
                )
            except ValidationError as error:
                for text in error.messages:
                    form.add_error(None, text)
            else:
                messages.success(request, _("The finding was dismissed; the reason is kept."))
                return redirect("legal:decision-detail", key=key)
        problems = [str(error) for errors in form.errors.values() for error in errors]
        if not form.data.get("kind") or not form.data.get("text"):
            problems = [_("Choose a finding of the decision to dismiss, and say why.")]
        context = detail_context(request, self.decision, dismissing=form, refused=problems)
        return render(request, "legal/decision_detail.html", context, status=400)


class DecisionPdf(DecisionView):
    """The decision's PDF, to whoever reads the decision; always a download."""

    def get(self, request, key):
        path = decision_files.stored_path(self.decision)
        if path is None or not path.is_file():
            raise Http404
        response = FileResponse(
            path.open("rb"),
            as_attachment=True,
            filename=self.decision.pdf_name or "decision.pdf",
            content_type=decision_files.PDF,
        )
        response["X-Content-Type-Options"] = "nosniff"
        response["Content-Security-Policy"] = "default-src 'none'; sandbox"
        add_never_cache_headers(response)
        patch_cache_control(response, private=True, no_store=True)
        return response
