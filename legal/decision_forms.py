"""The forms of the jurisprudence: a decision (its texts in French and Dutch, its PDF),
the filters of the list, the dismissal of a finding of the PII scanner."""

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from legal import decision_files, decision_search
from legal.library import Court, ecli_validator
from legal.models import Decision
from visits.models import Theme

# Courts whose decision names its judicial district (Brussels, Leuven…).
DISTRICT_COURTS = frozenset({Court.COUNCIL_CHAMBER, Court.INDICTMENT_CHAMBER})
MAX_SUMMARY = 20000

CONCURRENT_EDIT = _(
    "Someone else saved this record while you were editing it. Your text is still below: "
    "open the record in a new tab to see their version, then save again."
)


class SeenMixin:
    """Detects concurrent edits without a version column: the time of the last change,
    read with the form, must still be the one in the database when saving (checked by
    the view under a row lock, `concurrent()`)."""

    def add_seen_field(self):
        self.fields["seen"] = forms.CharField(widget=forms.HiddenInput, required=False)
        if self.instance.pk and self.instance.updated_at:
            self.fields["seen"].initial = self.instance.updated_at.isoformat()

    def concurrent(self, current_updated_at) -> bool:
        """Whether the record changed since the form was shown; if so, the form shown
        again carries the new time (saving again is then the person's choice)."""
        if current_updated_at is None:
            return False
        current = current_updated_at.isoformat()
        if self.cleaned_data.get("seen") == current:
            return False
        self.data = self.data.copy()
        self.data["seen"] = current
        self.add_error(None, CONCURRENT_EDIT)
        return True


class DecisionForm(SeenMixin, forms.ModelForm):
    pdf_file = forms.FileField(
        label=_("PDF of the decision"),
        required=False,
        widget=forms.FileInput(attrs={"accept": "application/pdf"}),
        error_messages={
            "empty": _("This file is empty. Choose the file again, or another one."),
            "invalid": _("No file was received. Choose the file again."),
        },
    )
    remove_pdf = forms.BooleanField(label=_("Remove the current PDF"), required=False)

    class Meta:
        model = Decision
        fields = [
            "court",
            "district",
            "date",
            "reference",
            "ecli",
            "outcome",
            "title_fr",
            "summary_fr",
            "title_nl",
            "summary_nl",
            "themes",
            "public",
        ]
        labels = {
            "title_fr": _("Title in French"),
            "title_nl": _("Title in Dutch"),
            "summary_fr": _("Summary in French"),
            "summary_nl": _("Summary in Dutch"),
        }
        help_texts = {
            "ecli": _("If it has one, e.g. ECLI:BE:RVV:2022:ARR.271234."),
            "summary_fr": _(
                "Pseudonymised: no name, date of birth, file number or contact. Both "
                "languages are needed before the decision is published."
            ),
            "summary_nl": _(
                "Pseudonymised: no name, date of birth, file number or contact. Both "
                "languages are needed before the decision is published."
            ),
        }
        widgets = {
            "date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "summary_fr": forms.Textarea(attrs={"rows": 8, "lang": "fr"}),
            "summary_nl": forms.Textarea(attrs={"rows": 8, "lang": "nl"}),
            "title_fr": forms.TextInput(attrs={"lang": "fr"}),
            "title_nl": forms.TextInput(attrs={"lang": "nl"}),
            "themes": forms.CheckboxSelectMultiple,
            "ecli": forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        themes = Q(active=True)
        if self.instance.pk:
            themes |= Q(decisions=self.instance)
        self.fields["themes"].queryset = Theme.objects.filter(themes).distinct()
        for name in ("summary_fr", "summary_nl"):
            self.fields[name].max_length = MAX_SUMMARY
        self.fields["district"].help_text = _(
            "Needed for a council chamber or an indictment chamber: Brussels, Leuven…"
        )
        self.fields["pdf_file"].help_text = _(
            "The pseudonymised decision, as a PDF, up to %(limit)s MB."
        ) % {"limit": decision_files.max_bytes() // (1024 * 1024)}
        if not self.instance.pdf:
            del self.fields["remove_pdf"]
        self.add_seen_field()

    def clean_ecli(self):
        ecli = "".join((self.cleaned_data.get("ecli") or "").split()).upper()
        if not ecli:
            return ""
        ecli_validator(ecli)
        others = Decision.objects.filter(ecli=ecli)
        if self.instance.pk:
            others = others.exclude(pk=self.instance.pk)
        if others.exists():
            raise ValidationError(
                _("Another decision already has this ECLI: look it up in the list."),
                code="unique",
            )
        return ecli

    def clean_pdf_file(self):
        upload = self.cleaned_data.get("pdf_file")
        if upload:
            decision_files.check(upload)
        return upload

    def clean(self):
        cleaned = super().clean()
        court = cleaned.get("court")
        if court in DISTRICT_COURTS:
            if not (cleaned.get("district") or "").strip():
                self.add_error(
                    "district",
                    _("Say in which judicial district this chamber sits (Brussels, Leuven…)."),
                )
        elif court:
            # Hidden for the other courts: nothing there means anything.
            cleaned["district"] = ""
        return cleaned

    def _get_validation_exclusions(self):
        # The ECLI's uniqueness is checked by clean_ecli, with a clearer message.
        exclude = super()._get_validation_exclusions()
        exclude.add("ecli")
        return exclude


def _choices(pairs, empty):
    return [("", empty), *((str(value), str(label)) for value, label in pairs)]


class DecisionFilterForm(forms.Form):
    """The filters of the list; those who keep the jurisprudence also filter by status
    and by missing language. Invalid filters are left out (and marked)."""

    q = forms.CharField(
        label=_("Words"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    court = forms.ChoiceField(label=_("Court"), required=False)
    year = forms.IntegerField(
        label=_("Year"),
        required=False,
        min_value=1950,
        max_value=2100,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    theme = forms.ChoiceField(label=_("Theme"), required=False)
    outcome = forms.ChoiceField(label=_("Outcome"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False)
    missing = forms.ChoiceField(label=_("Language missing"), required=False)

    def __init__(self, *args, keeper=False, **kwargs):
        super().__init__(*args, **kwargs)
        any_label = _("Any")
        self.fields["court"].choices = _choices(Court.choices, any_label)
        themes = Theme.objects.filter(active=True)
        self.fields["theme"].choices = _choices(((t.pk, str(t)) for t in themes), any_label)
        self.fields["outcome"].choices = _choices(Decision.Outcome.choices, any_label)
        if keeper:
            self.fields["status"].choices = _choices(Decision.Status.choices, any_label)
            self.fields["missing"].choices = [
                ("", _("Any")),
                ("fr", _("French missing")),
                ("nl", _("Dutch missing")),
                ("any", _("A language missing")),
            ]
        else:
            del self.fields["status"]
            del self.fields["missing"]

    def apply(self, decisions):
        if not self.is_bound:
            return decisions
        self.is_valid()
        data = {k: v for k, v in self.cleaned_data.items() if k not in self.errors}
        decisions = decision_search.matching(decisions, data.get("q", ""))
        if data.get("court"):
            decisions = decisions.filter(court=data["court"])
        if data.get("year"):
            decisions = decisions.filter(date__year=data["year"])
        if data.get("theme"):
            decisions = decisions.filter(themes=data["theme"])
        if data.get("outcome"):
            decisions = decisions.filter(outcome=data["outcome"])
        if data.get("status"):
            decisions = decisions.filter(status=data["status"])
        if data.get("missing"):
            decisions = decisions.filter(missing_language(data["missing"]))
        return decisions


def missing_language(code: str) -> Q:
    """Decisions whose title or summary in `code` ("fr", "nl", or "any") is empty."""
    if code == "any":
        return missing_language("fr") | missing_language("nl")
    condition = Q()
    for name in (f"title_{code}", f"summary_{code}"):
        condition |= Q(**{name: ""}) | Q(**{f"{name}__isnull": True})
    return condition


class DismissForm(forms.Form):
    """A finding judged harmless, with the reason (kept as the record of it)."""

    kind = forms.CharField(max_length=40, widget=forms.HiddenInput)
    text = forms.CharField(max_length=300, widget=forms.HiddenInput, strip=False)
    reason = forms.CharField(
        label=_("Why is this not personal data?"),
        max_length=500,
        error_messages={"required": _("Say why this is not personal data.")},
    )
