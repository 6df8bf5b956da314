"""The forms of strategic litigation: a case (its decisions and help requests), a
hearing (its date and time in Brussels), the list's status filter."""

import re
from datetime import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from legal.decision_forms import SeenMixin
from legal.models import Decision, Hearing, HelpRequest, LitigationCase

REQUEST_CODE = re.compile(r"H-\d{4}-\d{4,}")
SEPARATORS = re.compile(r"[\s,;]+")
LINKABLE = 200  # the published decisions a case form offers, the most recent first


class DecisionChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, decision):
        title = decision.title or decision.reference or _("Untitled decision")
        return f"{decision.date:%Y-%m-%d} — {title} ({decision.get_court_display()})"


class CaseForm(SeenMixin, forms.ModelForm):
    """Given `user`: the decisions offered are the LINKABLE most recent published ones
    they read, plus those already linked (never another draft); the help requests are
    typed by code and found among those they read (a code they may not read and one
    that does not exist get the same message)."""

    decisions = DecisionChoiceField(
        label=_("Linked decisions"),
        queryset=Decision.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    help_request_codes = forms.CharField(
        label=_("Linked help requests"),
        required=False,
        max_length=2000,
        help_text=_("Their codes, separated by spaces or commas, e.g. H-2026-0001, H-2026-0002."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    class Meta:
        model = LitigationCase
        fields = ["title", "court", "reference", "our_role", "status", "parties", "summary"]
        widgets = {"summary": forms.Textarea(attrs={"rows": 6})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        # The published decisions, the most recent LINKABLE of them, and those already
        # linked (a draft among them stays linked); never the other drafts.
        visible = Decision.objects.visible_to(user).defer("search_vector")
        recent = visible.filter(status=Decision.Status.PUBLISHED).order_by("-date", "-pk")
        offered = Q(pk__in=recent.values("pk")[:LINKABLE])
        if self.instance.pk:
            offered |= Q(pk__in=self.instance.decisions.values("pk"))
        self.fields["decisions"].queryset = visible.filter(offered).order_by("-date", "-pk")
        if self.instance.pk:
            self.initial["decisions"] = [d.pk for d in self.instance.decisions.all()]
            codes = self.instance.help_requests.visible_to(user).order_by("code")
            self.initial["help_request_codes"] = ", ".join(codes.values_list("code", flat=True))
        self.add_seen_field()

    def clean_help_request_codes(self):
        text = self.cleaned_data.get("help_request_codes", "").upper()
        codes = [code for code in SEPARATORS.split(text) if code]
        wrong = [code for code in codes if not REQUEST_CODE.fullmatch(code)]
        if wrong:
            raise ValidationError(
                _("%(codes)s: type each code as H-YEAR-NUMBER, e.g. H-2026-0001.")
                % {"codes": ", ".join(wrong)}
            )
        found = list(
            HelpRequest.objects.visible_to(self.user).filter(code__in=codes).only("pk", "code")
        )
        unknown = sorted(set(codes) - {request.code for request in found})
        if unknown:
            raise ValidationError(
                _("No help request with the code %(codes)s among those you may read.")
                % {"codes": ", ".join(unknown)}
            )
        return found

    def save_links(self):
        """The decisions and help requests, once the case is saved. Links the person
        may not read (none for legal, who reads all) are kept as they were."""
        case = self.instance
        unseen_decisions = case.decisions.exclude(pk__in=self.fields["decisions"].queryset)
        case.decisions.set([*self.cleaned_data["decisions"], *unseen_decisions])
        unseen_requests = case.help_requests.exclude(
            pk__in=HelpRequest.objects.visible_to(self.user).values("pk")
        )
        case.help_requests.set([*self.cleaned_data["help_request_codes"], *unseen_requests])


class CaseFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("Any status")), *LitigationCase.Status.choices]

    def apply(self, cases):
        if self.is_bound and self.is_valid() and self.cleaned_data.get("status"):
            return cases.filter(status=self.cleaned_data["status"])
        return cases


class HearingForm(SeenMixin, forms.ModelForm):
    """A hearing: its date and its time, both in Brussels time. A change saved by
    someone else since the form was shown is not overwritten (SeenMixin)."""

    day = forms.DateField(
        label=_("Date"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    time = forms.TimeField(
        label=_("Time (Brussels)"),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )

    class Meta:
        model = Hearing
        fields = ["place", "note"]
        widgets = {"note": forms.Textarea(attrs={"rows": 4})}
        help_texts = {"note": _("What to prepare. No personal data beyond the public judgment.")}

    field_order = ["day", "time", "place", "note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.previous_starts_at = self.instance.starts_at if self.instance.pk else None
        if self.instance.pk:
            local = timezone.localtime(self.instance.starts_at, timezone.get_default_timezone())
            self.initial["day"], self.initial["time"] = local.date(), local.time()
        self.add_seen_field()

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("day") and cleaned.get("time"):
            moment = datetime.combine(cleaned["day"], cleaned["time"])
            self.instance.starts_at = timezone.make_aware(moment, timezone.get_default_timezone())
        return cleaned

    @property
    def moved(self) -> bool:
        """Whether the hearing's date and time changed (its reminder is then due again)."""
        return self.previous_starts_at != self.instance.starts_at
