"""Pages of the help desk. Who may see or do what is asked of permissions.py; what crosses
records is done by legal/services.py. A request is found once among those the person may
read (else 404), then the action is asked for (else 403)."""

import uuid

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Subquery
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.generic import TemplateView

from detainees.models import DetentionSpell, Person
from legal import attachments, listing, search, services
from legal.deadline_forms import DeadlineForm
from legal.forms import (
    OPEN,
    AskForm,
    MessageForm,
    RecordForm,
    RequestFilterForm,
    ShareForm,
    StatusForm,
    UpdateForm,
)
from legal.models import HelpRequest, HelpRequestGroupObjectPermission, Message
from move.accounts import permissions
from move.accounts.access_changes import acting
from move.accounts.forms import CONCURRENT_EDIT, ConcurrentEditError
from move.accounts.mixins import PermissionRequiredMixin
from move.privacy import access
from move.privacy.models import AccessLogEntry
from visits.models import VisitReport

CONTACT_FIELDS = ("contact_name", "contact_phone", "contact_email")


def add_errors(form, error: ValidationError) -> None:
    problems = error.message_dict if hasattr(error, "error_dict") else {None: error.messages}
    for field, texts in problems.items():
        for text in texts:
            form.add_error(field if field in form.fields else None, text)


def _uuid(value):
    try:
        return uuid.UUID(str(value))
    except (TypeError, ValueError, AttributeError):
        return None


# --- The queue -----------------------------------------------------------------------------


class RequestList(PermissionRequiredMixin, TemplateView):
    """The requests a person may read, nearest deadline first, then the oldest; the
    lawyer sees the open ones unless she asks for others."""

    permission = "legal.view_help_request"
    template_name = "legal/request_list.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        data = self.request.GET.copy()
        answers = permissions.may_answer_help_request(user)
        if answers and not any(name != "after" for name in data):
            data["status"] = OPEN
        every = permissions.has_perm(user, "legal.view_every_help_request")
        form = RequestFilterForm(data, every=every)
        page = listing.request_page(user, form, data.get("after"))
        following = first = None
        if page.following:
            data["after"] = page.following
            following = data.urlencode()
        if "after" in self.request.GET:
            top = data.copy()
            top.pop("after", None)
            first = top.urlencode()
        return super().get_context_data(**kwargs) | {
            "form": form,
            "select_fields": form.select_fields(),
            "requests": page.requests,
            "following": following,
            "first": first,
            "may_ask": permissions.has_perm(user, "legal.ask_help"),
            "may_record": answers,
        }


# --- Asking and recording ------------------------------------------------------------------


class RequestAsk(PermissionRequiredMixin, View):
    """A visitor asks the lawyer, from the help desk, a case file (?person=<key>) or a
    visit report (?report=<code>), which fill in what they know."""

    permission = "legal.ask_help"
    template_name = "legal/request_form.html"

    def get(self, request):
        return self.render(AskForm(user=request.user, initial=self.initial()))

    def post(self, request):
        form = AskForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                help_request = services.ask(request.user, **form.ask_arguments())
            except ValidationError as error:
                add_errors(form, error)
            else:
                messages.success(
                    request,
                    _(
                        "Your question was sent to the lawyer as %(code)s. You will be told "
                        "by e-mail when she answers."
                    )
                    % {"code": help_request.code},
                )
                return redirect("legal:request-detail", key=help_request.key)
        return self.render(form, status=400)

    def initial(self) -> dict:
        language = self.request.LANGUAGE_CODE
        initial = {"language": language if language in ("fr", "nl", "en") else "fr"}
        person = self.person()
        if person is not None:
            initial["case_file"] = person.code
            initial["centre"] = person.held_in
        report = self.report()
        if report is not None:
            initial["centre"] = report["centre_id"]
        return initial

    def person(self):
        """The case file the question comes from, if the visitor may open it."""
        key = _uuid(self.request.GET.get("person"))
        if key is None:
            return None
        held = DetentionSpell.objects.filter(person=OuterRef("pk"), end__isnull=True)
        return (
            Person.objects.visible_to(self.request.user)
            .filter(key=key)
            .only("pk", "code")
            .annotate(held_in=Subquery(held.order_by("-start").values("centre_id")[:1]))
            .first()
        )

    def report(self):
        """The submitted report the question comes from, if the visitor may read it."""
        code = _uuid(self.request.GET.get("report"))
        if code is None:
            return None
        return (
            VisitReport.objects.visible_to(self.request.user)
            .exclude(status=VisitReport.Status.DRAFT)
            .filter(code=code)
            .values("centre_id")
            .first()
        )

    def render(self, form, status=200):
        return render(
            self.request, self.template_name, {"form": form, "recording": False}, status=status
        )


class RequestRecord(PermissionRequiredMixin, View):
    """The lawyer records a request that came by phone, e-mail or in person."""

    permission = "legal.answer_help_request"
    template_name = "legal/request_form.html"

    def get(self, request):
        language = request.LANGUAGE_CODE
        initial = {"language": language if language in ("fr", "nl", "en") else "fr"}
        return self.render(RecordForm(user=request.user, initial=initial))

    def post(self, request):
        form = RecordForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                help_request = services.record(request.user, **form.record_arguments())
            except ValidationError as error:
                add_errors(form, error)
            else:
                messages.success(
                    request, _("Request %(code)s recorded.") % {"code": help_request.code}
                )
                return redirect("legal:request-detail", key=help_request.key)
        return self.render(form, status=400)

    def render(self, form, status=200):
        return render(
            self.request, self.template_name, {"form": form, "recording": True}, status=status
        )


# --- One request ---------------------------------------------------------------------------


class RequestView(LoginRequiredMixin, View):
    """Base for the pages of one request: found among those the person reads (404),
    then, with `answers`, the lawyer's right to work on it asked for (403)."""

    answers = False

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.help_request = get_object_or_404(self.requests(request.user), key=kwargs["key"])
        if self.answers:
            permissions.require_answer_help_request(request.user)
        return super().dispatch(request, *args, **kwargs)

    def requests(self, user):
        """The request with what its page shows, and whether the reader may open its
        case file and whether it is shared with its organisation: one query."""
        requests = (
            HelpRequest.objects.visible_to(user)
            .select_related("topic", "centre", "assignee", "requester", "person", "organisation")
            .defer("search_vector")
            .annotate(
                person_readable=Exists(
                    Person.objects.visible_to(user).filter(pk=OuterRef("person_id"))
                ),
                shared=Exists(
                    HelpRequestGroupObjectPermission.objects.filter(
                        content_object=OuterRef("pk"),
                        group=OuterRef("organisation__group"),
                        permission__codename="view_helprequest",
                    )
                ),
            )
        )
        if not permissions.reads_help_contact(user):
            requests = requests.defer(*CONTACT_FIELDS)
        return requests

    def detail(self, status=200, **forms):
        context = detail_context(self.request, self.help_request, **forms)
        return render(self.request, "legal/request_detail.html", context, status=status)

    def done(self, message):
        messages.success(self.request, message)
        return redirect("legal:request-detail", key=self.help_request.key)


def message_kinds(user, help_request) -> list[str]:
    """What the reader may add to the thread, the request being open."""
    if permissions.may_answer_help_request(user):
        return [Message.Kind.ANSWER, Message.Kind.NOTE]
    if permissions.may_add_information(user, help_request):
        return [Message.Kind.INFORMATION]
    return []


def detail_context(request, help_request, message_form=None, status_form=None, **shown) -> dict:
    """Everything the request's page shows, for a request found by RequestView.requests().
    `shown` replaces parts of it: a bound `deadline_form` or `attachment_form` shown
    again with its errors by another view."""
    user = request.user
    notes = permissions.reads_internal_notes(user)
    answers = permissions.may_answer_help_request(user)
    thread = help_request.messages.select_related("author")
    if not notes:
        thread = thread.exclude(kind=Message.Kind.NOTE)
    kinds = message_kinds(user, help_request)
    if message_form is None and kinds and help_request.is_open:
        message_form = MessageForm(kinds=kinds)
    if "deadline_form" not in shown:
        shown["deadline_form"] = DeadlineForm(help_request=help_request) if answers else None
    if "attachment_form" not in shown:
        adds = bool(kinds) and attachments.refusal(user, help_request) is None
        shown["attachment_form"] = attachments.AttachmentForm(user=user) if adds else None
    return {
        "today": timezone.localdate(),
        "help_request": help_request,
        "thread": list(thread),
        "message_form": message_form,
        "may_answer": answers,
        "reads_notes": notes,
        # The caller's contact is read on a page of its own (RequestDetail, ?contact).
        "has_contact": permissions.reads_help_contact(user) and help_request.has_contact,
        # Annotated by RequestView.requests(): a link only for those who may open it.
        "person_readable": bool(
            help_request.person_id and getattr(help_request, "person_readable", False)
        ),
        "transitions": _transitions(help_request) if answers else [],
        "status_form": status_form,
        "may_share": permissions.may_share_help_request(user, help_request),
        # The partials of legal/deadline_views.py and legal/attachment_views.py.
        "deadlines": list(help_request.deadlines.select_related("rule")),
        "attachments": list(attachments.visible_attachments(user, help_request)),
    } | shown


def _transitions(help_request) -> list[tuple[str, str]]:
    """The statuses the lawyer may give the request now, as (value, button label)."""
    labels = {
        HelpRequest.Status.IN_PROGRESS: (
            _("Reopen") if help_request.status == HelpRequest.Status.CLOSED else _("In progress")
        ),
        HelpRequest.Status.WAITING: _("Waiting for information"),
        HelpRequest.Status.CLOSED: _("Close"),
    }
    allowed = services.TRANSITIONS.get(help_request.status, set())
    return [(status, label) for status, label in labels.items() if status in allowed]


@method_decorator(never_cache, name="dispatch")
class RequestDetail(RequestView):
    """The request and its thread; with `?contact`, the outside caller's contact on a
    page of its own: reading it is a deliberate act, written in the access log under
    the request's code (never a name), as the reading of an identity is."""

    def get(self, request, key):
        if "contact" in request.GET:
            return self.contact()
        return self.detail()

    def contact(self):
        user, help_request = self.request.user, self.help_request
        permissions.require(user, "legal.view_contact")
        if help_request.has_contact:
            access.record(
                user,
                AccessLogEntry.Action.READ_CONTACT,
                help_request.code,
                self.request.get_full_path(),
                "help request contact",
            )
        context = {
            "help_request": help_request,
            "contact": {field: getattr(help_request, field) for field in CONTACT_FIELDS},
        }
        return render(self.request, "legal/request_contact.html", context)


class RequestMessage(RequestView):
    """Add to the thread: an answer or an internal note (legal), more information (the
    asker). A closed request takes nothing: the text stays in the form with the reason."""

    def post(self, request, key):
        user, help_request = request.user, self.help_request
        kind = request.POST.get("kind", "")
        if kind in (Message.Kind.ANSWER, Message.Kind.NOTE):
            permissions.require_answer_help_request(user)
        elif not permissions.may_add_information(user, help_request):
            raise PermissionDenied(_("Only the person who asked adds information to a request."))
        form = MessageForm(request.POST, kinds=message_kinds(user, help_request))
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.add_message(user, help_request, data["kind"], data["text"])
            except ValidationError as error:
                add_errors(form, error)
            else:
                return self.done(self.sent(form.cleaned_data["kind"]))
        return self.detail(status=400, message_form=form)

    def sent(self, kind) -> str:
        if kind == Message.Kind.ANSWER:
            if self.help_request.requester_id:
                return _("Answer sent: the person who asked is told by e-mail.")
            return _("Answer recorded.")
        if kind == Message.Kind.NOTE:
            return _("Internal note added.")
        return _("Information added: the lawyer will read it.")


class RequestStatus(RequestView):
    """The lawyer moves a request on, closes or reopens it."""

    answers = True

    def post(self, request, key):
        form = StatusForm(request.POST)
        if form.is_valid():
            status = form.cleaned_data["status"]
            try:
                services.set_status(request.user, self.help_request, status)
            except ValidationError as error:
                add_errors(form, error)
            else:
                return self.done(self.changed(status))
        return self.detail(status=400, status_form=form)

    def changed(self, status) -> str:
        if status == HelpRequest.Status.CLOSED:
            return _("Request closed.")
        return _("The request is now “%(status)s”.") % {"status": HelpRequest.Status(status).label}


class RequestShare(RequestView):
    """The lawyer lets the requester's organisation follow the request (its visitors
    read it and add information), or stops it."""

    answers = True

    def post(self, request, key):
        help_request = self.help_request
        form = ShareForm(request.POST)
        if help_request.organisation is None:
            messages.error(
                request,
                _("This request was not asked from an organisation: it cannot be shared."),
            )
            return self.detail(status=400)
        if not form.is_valid():
            messages.error(request, _("Choose to share the request or to stop sharing it."))
            return self.detail(status=400)
        organisation = help_request.organisation
        with transaction.atomic(), acting(request.user):
            if form.cleaned_data["action"] == "share":
                permissions.share(help_request, organisation, "view_helprequest")
                message = _("The visitors of %(organisation)s now follow this request.")
            else:
                permissions.unshare(help_request, organisation, "view_helprequest")
                message = _("Only the person who asked follows this request now.")
        return self.done(message % {"organisation": organisation.short_name})


class RequestUpdate(RequestView):
    """The lawyer changes the topic, subject, assignee, urgency, case file or centre;
    someone else's change meanwhile is never written over."""

    answers = True
    template_name = "legal/request_update.html"

    def get(self, request, key):
        return self.render(UpdateForm(instance=self.help_request, user=request.user))

    def post(self, request, key):
        form = UpdateForm(request.POST, instance=self.help_request, user=request.user)
        if form.is_valid():
            try:
                with transaction.atomic():
                    form.save()
                    search.update_search_vector(self.help_request)
            except ConcurrentEditError:
                form.add_error(None, CONCURRENT_EDIT)
            else:
                return self.done(_("Request saved."))
        return self.render(form, status=400)

    def render(self, form, status=200):
        context = {"help_request": self.help_request, "form": form}
        return render(self.request, self.template_name, context, status=status)
