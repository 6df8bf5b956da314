"""Legal deadlines: the calculator (every internal role), the rules (read by every
internal role, edited by legal, with their history) and the deadlines of one request
(added and marked done by legal).

Access is asked of move.accounts.permissions: a rule or a request the person may not see
is not found (404); a refused action on one they see is a 403 with its reason."""

from datetime import timedelta

from auditlog.models import LogEntry
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import FieldDoesNotExist
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import ListView, TemplateView

from legal import deadlines, services
from legal.deadline_forms import (
    CONCURRENT_RULE_EDIT,
    CalculatorForm,
    ConcurrentRuleEdit,
    DeadlineForm,
    RuleForm,
)
from legal.models import Deadline, DeadlineRule, HelpRequest
from move.accounts import permissions
from move.accounts.mixins import PermissionRequiredMixin

# --- The calculator -----------------------------------------------------------------------


class Calculator(PermissionRequiredMixin, TemplateView):
    """Pick a rule, type the day (and for a limit in hours the time) of notification:
    the last day to act, and why it is that day. A GET form: the address of an answer
    can be kept, and it works without JavaScript."""

    permission = "legal.use_calculator"
    template_name = "legal/calculator.html"

    def get_context_data(self, **kwargs):
        rules = list(DeadlineRule.objects.visible_to(self.request.user).filter(active=True))
        form = CalculatorForm.bound_to(self.request.GET, rules)
        context = super().get_context_data(**kwargs) | {
            "form": form,
            "rules": rules,
            "result": None,
        }
        if form.is_bound and form.is_valid():
            context.update(self._answer(form))
        return context

    @staticmethod
    def _answer(form) -> dict:
        data, result = form.cleaned_data, form.result()
        now = timezone.now()
        if result.in_hours:
            passed = deadlines.has_passed(result.due_at, now)
        else:
            passed = result.due_on < timezone.localdate(now)
        return {
            "result": result,
            "rule": data["rule"],
            "notified_on": data["notified_on"],
            "notified_at": form.moment() if result.in_hours else None,
            "counting_starts": data["notified_on"] + timedelta(days=1),
            "passed": passed,
        }


# --- The rules ----------------------------------------------------------------------------


class RuleList(PermissionRequiredMixin, ListView):
    """Every rule, with its time limit and source, and the names still missing in
    French or Dutch. One query for the rows."""

    permission = "legal.use_calculator"
    template_name = "legal/rule_list.html"
    context_object_name = "rules"

    def get_queryset(self):
        return DeadlineRule.objects.visible_to(self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        rules = context["rules"]
        context["can_change"] = permissions.has_perm(
            self.request.user, "legal.change_deadline_rule"
        )
        context["missing_names"] = sum(1 for rule in rules if not (rule.name_fr and rule.name_nl))
        return context


class RuleUpdate(LoginRequiredMixin, View):
    """Legal edits a rule; every change is kept (django-auditlog) and shown below."""

    template_name = "legal/rule_form.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.rule = get_object_or_404(
            DeadlineRule.objects.visible_to(request.user), code=kwargs["code"]
        )
        permissions.require(request.user, "legal.change_deadline_rule")
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, code):
        return self.page(RuleForm(instance=self.rule))

    def post(self, request, code):
        form = RuleForm(request.POST, instance=self.rule)
        if form.is_valid():
            try:
                rule = form.save()
            except ConcurrentRuleEdit:
                form.add_error(None, CONCURRENT_RULE_EDIT)
            else:
                messages.success(request, _("Rule “%(name)s” saved.") % {"name": rule.name})
                return redirect("legal:rule-list")
        return self.page(form, status=400)

    def page(self, form, status=200):
        # The rule as it is in the database, not as typed: the title and the history.
        rule = DeadlineRule.objects.get(pk=self.rule.pk) if form.is_bound else self.rule
        return render(
            self.request,
            self.template_name,
            {"rule": rule, "form": form, "history": rule_history(rule)},
            status=status,
        )


# A changed name is recorded both in its language's field and in the field that
# modeltranslation keeps for the default language: the language's field says it.
_SHADOW_FIELDS = {"name"}


def rule_history(rule: DeadlineRule) -> list[dict]:
    """The recorded changes of a rule, newest first, each field named as on the form."""
    entries = (
        LogEntry.objects.get_for_object(rule).select_related("actor").order_by("-timestamp", "-pk")
    )
    labels = {name: field.label for name, field in RuleForm.base_fields.items()}
    rows = []
    for entry in entries:
        changes = entry.changes_dict
        shown = [name for name in changes if name not in _SHADOW_FIELDS] or list(changes)
        rows.append(
            {
                "entry": entry,
                "changes": [_change(name, changes[name], labels) for name in shown],
            }
        )
    return rows


def _change(name: str, values, labels: dict) -> dict:
    try:
        field = DeadlineRule._meta.get_field(name)
    except FieldDoesNotExist:
        field = None
    label = labels.get(name) or getattr(field, "verbose_name", name)

    def shown(value):
        if value in (None, "None", ""):
            return "—"
        # Compared by identity: with JSON changes, 1 and 0 arrive as numbers, and
        # `1 in (True,)` is true in Python.
        if value is True or value == "True":
            return _("yes")
        if value is False or value == "False":
            return _("no")
        return str(value)

    old, new = (list(values) + [None, None])[:2]
    return {"label": label, "old": shown(old), "new": shown(new)}


# --- The deadlines of a request -----------------------------------------------------------


class RequestDeadlineView(LoginRequiredMixin, View):
    """POST only, by legal: a request the person may not read is not found (404); one
    they read but may not work on is a refused action (403)."""

    http_method_names = ["post"]

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if request.method.lower() not in self.http_method_names:
            return self.http_method_not_allowed(request, *args, **kwargs)
        self.find(request.user, kwargs["key"])
        permissions.require_answer_help_request(request.user)
        return super().dispatch(request, *args, **kwargs)

    def back(self):
        url = reverse("legal:request-detail", args=[self.help_request.key])
        return redirect(f"{url}#deadlines")


def _due_text(deadline) -> str:
    if deadline.rule.hours:
        return date_format(timezone.localtime(deadline.due_at), "l j F Y, H:i")
    return date_format(deadline.due_on, "l j F Y")


class DeadlineAdd(RequestDeadlineView):
    """A rule and the moment of notification → a deadline on the request. On success,
    back to the request; on bad input, a page with the form, its errors and what was
    typed, and nothing saved."""

    template_name = "legal/deadline_form.html"

    def find(self, user, key):
        self.help_request = get_object_or_404(HelpRequest.objects.visible_to(user), key=key)

    def post(self, request, key):
        form = DeadlineForm(request.POST, help_request=self.help_request)
        deadline = form.save(request.user) if form.is_valid() else None
        if deadline is None:
            return self.refused(form)
        messages.success(
            request,
            _("Deadline added: %(rule)s, last day %(due)s.")
            % {"rule": deadline.rule.name, "due": _due_text(deadline)},
        )
        return self.back()

    def refused(self, form):
        rows = Deadline.objects.filter(request=self.help_request).select_related("rule")
        context = {"help_request": self.help_request, "deadlines": rows, "deadline_form": form}
        return render(self.request, self.template_name, context, status=400)


class DeadlineDone(RequestDeadlineView):
    """Mark a deadline done (done=1) or running again (done=0)."""

    def find(self, user, key):
        readable = HelpRequest.objects.visible_to(user)
        self.deadline = get_object_or_404(
            Deadline.objects.filter(request__in=readable).select_related("request", "rule"),
            key=key,
        )
        self.help_request = self.deadline.request

    def post(self, request, key):
        done = request.POST.get("done", "1") not in ("0", "false", "")
        services.mark_deadline_done(request.user, self.deadline, done)
        if done:
            message = _("Deadline marked done: %(rule)s.")
        else:
            message = _("Deadline running again: %(rule)s.")
        messages.success(request, message % {"rule": self.deadline.rule.name})
        return self.back()
