"""The forms of legal deadlines: the calculator (GET, bookmarkable), a deadline on a
request, and a rule as legal edits it. The rules themselves and the saving are in
legal/deadlines.py and legal/services.py; these forms only read and check what was
typed, and say what is wrong in the reader's language."""

import hashlib
from datetime import date, datetime, time

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from legal import deadlines, services
from legal.models import DeadlineRule

# A date before this is a typing mistake, not a decision whose time limit still runs.
EARLIEST_NOTIFICATION = date(1980, 1, 1)

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME_WIDGET = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


def limit_label(rule: DeadlineRule) -> str:
    """ "30 days", "24 hours"."""
    if rule.hours:
        return ngettext("%(count)s hour", "%(count)s hours", rule.hours) % {"count": rule.hours}
    return ngettext("%(count)s day", "%(count)s days", rule.days) % {"count": rule.days}


class RuleField(forms.ChoiceField):
    """A rule picked by its code among rules read once by the view (no query of its
    own): each named in the reader's language with its time limit."""

    default_error_messages = {
        "required": _("Choose a rule."),
        "invalid_choice": _(
            "This rule does not exist or is no longer used: choose one in the list."
        ),
    }

    def __init__(self, *, rules=(), **kwargs):
        super().__init__(**kwargs)
        self.set_rules(rules)

    def set_rules(self, rules):
        self.rules = {rule.code: rule for rule in rules}
        self.choices = [("", _("Choose a rule"))] + [
            (rule.code, f"{rule.name} — {limit_label(rule)}") for rule in rules
        ]

    def clean(self, value):
        code = super().clean(value)
        return self.rules[code] if code else None


class DayField(forms.DateField):
    """A date that quotes back what was typed when it is not one."""

    default_error_messages = {
        "required": _("Give the date of notification."),
        "invalid": _(
            "“%(value)s” is not a date that exists: check the day, the month and the year "
            "(for example 21/07/2026)."
        ),
    }

    def to_python(self, value):
        try:
            return super().to_python(value)
        except ValidationError as error:
            if error.code != "invalid":
                raise
            raise ValidationError(
                self.error_messages["invalid"], code="invalid", params={"value": value}
            ) from error


class TimeOfDayField(forms.TimeField):
    default_error_messages = {
        "invalid": _("“%(value)s” is not a time: write it as hours and minutes (14:30)."),
    }

    def to_python(self, value):
        try:
            return super().to_python(value)
        except ValidationError as error:
            if error.code != "invalid":
                raise
            raise ValidationError(
                self.error_messages["invalid"], code="invalid", params={"value": value}
            ) from error


class NotificationForm(forms.Form):
    """A rule and the moment a decision was notified: what the calculator and a
    request's deadline share."""

    rule = RuleField(label=_("Rule"))
    notified_on = DayField(
        label=_("Date of notification"),
        widget=DATE_WIDGET,
        help_text=_("The day the decision was handed over or sent."),
    )
    notified_at = TimeOfDayField(
        label=_("Time of notification"),
        required=False,
        widget=TIME_WIDGET,
        help_text=_("Only for a limit counted in hours (24 hours)."),
    )

    def __init__(self, *args, rules=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rule"].set_rules(rules)

    def clean(self):
        data = super().clean()
        rule, notified_on = data.get("rule"), data.get("notified_on")
        if notified_on is None:
            return data
        if notified_on > timezone.localdate():
            self.add_error(
                "notified_on",
                _(
                    "The date of notification cannot be in the future: give the day the "
                    "decision was notified."
                ),
            )
        elif notified_on < EARLIEST_NOTIFICATION:
            self.add_error(
                "notified_on",
                _("Give a date from %(date)s on.")
                % {"date": date_format(EARLIEST_NOTIFICATION, "DATE_FORMAT")},
            )
        elif rule is not None and rule.hours:
            self._check_moment(data.get("notified_at"))
        return data

    def _check_moment(self, notified_at):
        if self.has_error("notified_at"):
            return
        if notified_at is None:
            self.add_error(
                "notified_at",
                _("This limit is counted in hours: give the time of notification too."),
            )
        elif self.moment() > timezone.now():
            self.add_error("notified_at", _("The moment of notification cannot be in the future."))

    def moment(self) -> datetime:
        """The moment of notification, in the local time zone (hour rules)."""
        data = self.cleaned_data
        return timezone.make_aware(
            datetime.combine(data["notified_on"], data.get("notified_at") or time(0, 0))
        )

    def result(self) -> deadlines.Result:
        rule = self.cleaned_data["rule"]
        if rule.hours:
            return deadlines.explain_hours(self.moment(), rule.hours)
        return deadlines.explain(self.cleaned_data["notified_on"], rule.days)


class CalculatorForm(NotificationForm):
    """The calculator page (GET): the rules are those in use."""

    FIELDS = ("rule", "notified_on", "notified_at")

    @classmethod
    def bound_to(cls, query, rules):
        """Bound when the address carries one of its fields (a bookmark, a submit), so
        that the first visit shows no error."""
        data = query if any(name in query for name in cls.FIELDS) else None
        return cls(data, rules=rules)


def _spell_label(spell) -> str:
    return _("Held in %(centre)s since %(date)s") % {
        "centre": spell.centre.name,
        "date": date_format(spell.start, "DATE_FORMAT"),
    }


class DeadlineForm(NotificationForm):
    """A deadline on a request, added by legal. For a rule renewable every month (the
    request for release to the council chamber), the deadline may follow the ongoing
    detention of the request's case file: the monthly reminder runs while it lasts.

    Reads the rules in use (one query) and, for a request linked to a case file, that
    file's ongoing detention (one more)."""

    spell = forms.ChoiceField(
        label=_("Detention it follows"),
        required=False,
        help_text=_(
            "Only for a request renewable every month: a reminder is sent each month while "
            "this detention lasts."
        ),
    )

    def __init__(self, *args, help_request=None, **kwargs):
        kwargs.setdefault("prefix", "deadline")
        rules = list(DeadlineRule.objects.filter(active=True))
        super().__init__(*args, rules=rules, **kwargs)
        self.help_request = help_request
        self.spells = self._ongoing_spells(help_request)
        if self.spells:
            self.fields["spell"].choices = [("", _("Not linked"))] + [
                (key, _spell_label(spell)) for key, spell in self.spells.items()
            ]
        else:
            del self.fields["spell"]

    @staticmethod
    def _ongoing_spells(help_request) -> dict:
        if help_request is None or help_request.person_id is None:
            return {}
        from detainees.models import DetentionSpell

        ongoing = DetentionSpell.objects.filter(
            person_id=help_request.person_id, end__isnull=True
        ).select_related("centre")
        return {str(spell.key): spell for spell in ongoing.order_by("-start", "-pk")}

    def clean_spell(self):
        key = self.cleaned_data.get("spell")
        return self.spells[key] if key else None

    def clean(self):
        data = super().clean()
        rule, spell = data.get("rule"), data.get("spell")
        if spell is not None and rule is not None and not rule.renewable_monthly:
            self.add_error(
                "spell",
                _(
                    "Only a rule renewable every month follows a detention: choose that rule, "
                    "or leave the detention empty."
                ),
            )
        return data

    def save(self, user):
        """The deadline, through the help desk's service; its refusal becomes the
        form's error (HelpDeskError), with nothing saved."""
        data = self.cleaned_data
        try:
            return services.add_deadline(
                user,
                self.help_request,
                data["rule"],
                data["notified_on"],
                data.get("notified_at") if data["rule"].hours else None,
                spell=data.get("spell"),
            )
        except services.HelpDeskError as error:
            self.add_error(None, error)
            return None


# --- Editing a rule -----------------------------------------------------------------------

RULE_FIELDS = ["name_fr", "name_nl", "name_en", "days", "hours", "renewable_monthly", "source"]

CONCURRENT_RULE_EDIT = _(
    "Someone else saved this rule while you were editing it. What you typed is still "
    "below; the history at the bottom of the page shows their change: check it, then "
    "save again."
)


class ConcurrentRuleEdit(Exception):
    """The rule changed between the form being shown and being saved."""


def fingerprint(rule: DeadlineRule) -> str:
    """What the rule held when the form was shown: a rule has no version number, so its
    values stand for it."""
    values = repr([getattr(rule, name) for name in [*RULE_FIELDS, "active"]])
    return hashlib.sha256(values.encode()).hexdigest()[:32]


class RuleForm(forms.ModelForm):
    """A rule as legal edits it: its names in French and Dutch (English optional),
    days or hours (exactly one), renewable every month, its source, in use or not."""

    seen = forms.CharField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = DeadlineRule
        fields = [*RULE_FIELDS, "active"]
        labels = {
            "name_fr": _("Name in French"),
            "name_nl": _("Name in Dutch"),
            "name_en": _("Name in English (optional)"),
            "active": _("In use (offered in the calculator and on requests)"),
        }
        help_texts = {
            "days": _("For a limit counted in days from the day after notification."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["seen"].initial = fingerprint(self.instance)
        for name, language in (("name_fr", "fr"), ("name_nl", "nl"), ("name_en", "en")):
            self.fields[name].required = language != "en"
            self.fields[name].widget.attrs["lang"] = language
        self.fields["name_fr"].error_messages["required"] = _("Give the name in French.")
        self.fields["name_nl"].error_messages["required"] = _("Give the name in Dutch.")
        self.fields["source"].error_messages["required"] = _(
            "Give the article of law the limit comes from."
        )

    def clean(self):
        data = super().clean()
        days, hours = data.get("days"), data.get("hours")
        if self.has_error("days") or self.has_error("hours"):
            return data
        if days is None and hours is None:
            self.add_error(
                "days", _("Give the number of days, or the number of hours for a limit in hours.")
            )
        elif days is not None and hours is not None:
            self.add_error("hours", _("Give days or hours, not both: empty one of them."))
        return data

    def _post_clean(self):
        super()._post_clean()
        if self.has_error("days") or self.has_error("hours"):
            # The model says "days or hours" again, without naming a field: once is enough.
            self._errors.pop(NON_FIELD_ERRORS, None)

    def _offer(self, seen: str):
        # Shown again with the values saved meanwhile as the new reference: saving
        # again is then the person's choice, never a silent overwrite.
        self.data = self.data.copy()
        self.data["seen"] = seen

    @transaction.atomic
    def save(self, commit=True):
        current = DeadlineRule.objects.select_for_update().get(pk=self.instance.pk)
        if fingerprint(current) != self.cleaned_data.get("seen"):
            self._offer(fingerprint(current))
            raise ConcurrentRuleEdit
        return super().save(commit)
