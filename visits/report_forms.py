"""The forms of the report editor, the start of a report, dismissals and sharing."""

from django import forms
from django.core.validators import MaxLengthValidator, MaxValueValidator
from django.utils.translation import gettext_lazy as _

from move.centres.models import Centre
from visits import services
from visits.models import Observation, Theme, VisitReport

TEXT_LIMIT = 20_000  # characters in one part of a report: about eight pages


class ReportForm(forms.ModelForm):
    """The parts of a report other than its observations. A draft may be saved
    incomplete; the version read with the form detects concurrent edits."""

    version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = VisitReport
        fields = [
            "language",
            "general_conditions",
            "atmosphere",
            "people_met",
            "people_new",
            "families",
            "minors_claimed",
        ]
        widgets = {
            "general_conditions": forms.Textarea(attrs={"rows": 6}),
            "atmosphere": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].initial = self.instance.version
        for name in ("general_conditions", "atmosphere"):
            self.fields[name].max_length = TEXT_LIMIT
            self.fields[name].widget.attrs["maxlength"] = TEXT_LIMIT
            self.fields[name].validators.append(MaxLengthValidator(TEXT_LIMIT))
        for name in ("people_met", "people_new", "families", "minors_claimed"):
            self.fields[name].widget.attrs.update({"min": 0, "max": 9999})
            self.fields[name].validators.append(MaxValueValidator(9999))
        for name, text in services.COUNT_HELP.items():
            self.fields[name].help_text = text

    def clean(self):
        cleaned = super().clean()
        met = cleaned.get("people_met", self.instance.people_met)
        new = cleaned.get("people_new")
        if new is not None and met is not None and new > met:
            self.add_error(
                "people_new",
                _("The people met for the first time are among the people met."),
            )
        counts = {name: cleaned.get(name) for name in services.COUNT_HELP}
        for name, message in services.count_errors(met, **counts).items():
            self.add_error(name, message)
        return cleaned

    def _post_clean(self):
        # The model's own checks would refuse the whole form; the fields are checked
        # one by one above, so that a draft keeps what is valid.
        pass


class ObservationForm(forms.ModelForm):
    class Meta:
        model = Observation
        fields = ["theme", "centre", "text", "severity", "raise_with_authorities"]
        widgets = {"text": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["theme"].queryset = Theme.objects.filter(active=True)
        self.fields["centre"].queryset = Centre.objects.filter(active=True)
        self.fields["text"].required = False  # a draft may hold an empty observation
        self.fields["text"].max_length = TEXT_LIMIT
        self.fields["text"].widget.attrs["maxlength"] = TEXT_LIMIT
        self.fields["text"].validators.append(MaxLengthValidator(TEXT_LIMIT))

    def _post_clean(self):
        pass


class BaseObservationFormSet(forms.BaseModelFormSet):
    """The theme and centre choices are read once for all the observations, not once
    for each (a page's queries stay the same whatever the number of observations)."""

    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        shared = self.__dict__.setdefault("_shared_choices", {})
        for name in ("theme", "centre"):
            if name not in shared:
                shared[name] = [choice for choice in form.fields[name].choices]  # no COUNT
            form.fields[name].choices = shared[name]
        return form


# Only the report's own observations can be changed: ids from elsewhere are refused,
# and no observation is created through the form (the "add" button does that).
ObservationFormSet = forms.modelformset_factory(
    Observation, form=ObservationForm, formset=BaseObservationFormSet, extra=0, edit_only=True
)


class StartReportForm(forms.Form):
    language = forms.ChoiceField(
        label=_("Language of the report"),
        choices=[("fr", "Français"), ("nl", "Nederlands")],
    )
    organisation = forms.ModelChoiceField(label=_("For the organisation"), queryset=None)

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
        if len(organisations) == 1:
            self.fields["organisation"].initial = organisations[0].pk
            self.fields["organisation"].widget = forms.HiddenInput()


class DismissForm(forms.Form):
    kind = forms.CharField(max_length=40, widget=forms.HiddenInput)
    text = forms.CharField(max_length=300, widget=forms.HiddenInput)
    reason = forms.CharField(label=_("Why is this not personal data?"), max_length=500, strip=True)


class ShareForm(forms.Form):
    """The active partner organisations that do not read the report yet, none ticked
    at first: sharing is a choice made each time, never a default."""

    organisations = forms.ModelMultipleChoiceField(
        label=_("Partner organisations"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one active partner organisation.")},
    )

    def __init__(self, *args, partners, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["organisations"]
        field.queryset = partners
        # Read once: the page also says when there is nobody left to share with.
        self.rows = list(partners)
        field.choices = [(item.pk, item.name) for item in self.rows]
