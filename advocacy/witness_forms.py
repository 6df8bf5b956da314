"""Forms of the witness pool (advocacy/witness_views.py)."""

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from advocacy.models import LANGUAGES, SCOPES, Anonymity, Consent, Witness
from detainees.clock import add_months
from detainees.models import Person
from legal.attachments import content_type_of
from legal.decision_forms import SeenMixin
from move.accounts import permissions
from move.accounts.models import User

KEEP = "advocacy.view_witness"
CONSENT_YEARS = 2
NO_CASE_FILE = _(
    "No case file with this code that you may open. Check the code, or leave it empty."
)
EXPIRY_AFTER_GIVEN = _("A consent expires after the day it was given.")
DATE_INVALID = _("Type a date, e.g. 2026-05-17.")


def keeper_choices():
    """Active people who keep the pool now: one query, no has_perm per candidate."""
    return permissions.holders(KEEP)


class KeeperField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.get_full_name() or obj.email


class WitnessForm(SeenMixin, forms.ModelForm):
    """A witness; `user` is the keeper filling it in: the case-file code is checked
    against the files they may open (one they may not see gives the same message as
    one that does not exist)."""

    languages = forms.MultipleChoiceField(
        label=_("Languages"),
        choices=LANGUAGES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    case_file = forms.CharField(
        label=_("Case file (code)"),
        required=False,
        max_length=20,
        help_text=_("Optional: the code of their case file, e.g. P-2026-0042."),
    )
    keeper = KeeperField(
        label=_("Contact kept by"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("Nobody in particular (every witness-pool member is reminded)"),
        help_text=_("Who keeps in touch with the witness and is reminded to renew the consent."),
    )

    class Meta:
        model = Witness
        fields = ["relation", "languages", "name", "contact", "keeper", "notes"]
        widgets = {
            "name": forms.TextInput(attrs={"autocomplete": "off"}),
            "contact": forms.Textarea(attrs={"rows": 3, "autocomplete": "off"}),
            "notes": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {
            "name": _("Encrypted; only the pool's keepers read it, and every read is logged."),
        }

    field_order = ["relation", "languages", "name", "contact", "case_file", "keeper", "notes"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.add_seen_field()
        if not permissions.has_perm(user, "advocacy.view_witness_contact"):
            # Neither shown nor changed by who may not read the contact.
            for name in ("name", "contact"):
                self.fields.pop(name, None)
        current = self.instance.keeper if self.instance.pk else None
        choices = Q(pk__in=keeper_choices().values("pk"))
        if current is not None:
            choices |= Q(pk=current.pk)  # kept while they are the keeper
        self.fields["keeper"].queryset = User.objects.filter(choices).order_by(
            "first_name", "last_name", "email"
        )
        self.fields["keeper"].initial = current.pk if current else user.pk
        self.initial["languages"] = self.instance.languages.split()
        self.hidden_link = False
        if self.instance.person_id:
            person = Person.objects.visible_to(user).filter(pk=self.instance.person_id).first()
            if person is not None:
                self.initial["case_file"] = person.code
            else:
                # Linked to a file this keeper may not open: the code is not shown.
                self.hidden_link = True
                self.fields["case_file"].help_text = _(
                    "This witness is linked to a case file you may not open: leave this "
                    "empty to keep that link."
                )

    def clean_case_file(self):
        code = (self.cleaned_data.get("case_file") or "").strip().upper()
        if not code:
            self.person = None
            return ""
        self.person = Person.objects.visible_to(self.user).filter(code=code).first()
        if self.person is None:
            raise ValidationError(NO_CASE_FILE, code="case_file")
        return code

    def clean_languages(self):
        return " ".join(self.cleaned_data.get("languages") or [])

    def save(self, commit=True):
        witness = super().save(commit=False)
        if self.person is not None or not self.hidden_link:
            witness.person = self.person
        if witness.name or witness.contact:
            witness.contact_erased_on = None
        if commit:
            witness.save()
        return witness


class WitnessFilterForm(forms.Form):
    """The list's filters (GET); a value not offered is shown as an error and ignored."""

    VALID, EXPIRING, EXPIRED, WITHDRAWN = "valid", "expiring", "expired", "withdrawn"

    relation = forms.ChoiceField(label=_("Relation to detention"), required=False)
    consent = forms.ChoiceField(label=_("Consent"), required=False)

    def __init__(self, data):
        super().__init__(data)
        self.fields["relation"].choices = [("", _("Any relation")), *Witness.Relation.choices]
        self.fields["consent"].choices = [
            ("", _("Any consent")),
            (self.VALID, _("Valid today")),
            (self.EXPIRING, _("Expiring within 30 days")),
            (self.EXPIRED, _("Expired")),
            (self.WITHDRAWN, _("Withdrawn")),
        ]

    def chosen(self) -> dict:
        if not self.is_bound:
            return {}
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {name: data.get(name) for name in ("relation", "consent") if data.get(name)}


class ConsentForm(forms.ModelForm):
    """A consent; a signed form is required when given on paper (a PDF or an image,
    checked by its content), the volunteer's statement when given orally."""

    scopes = forms.MultipleChoiceField(
        label=_("Scopes"),
        choices=SCOPES,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one scope the witness agreed to.")},
    )
    form_upload = forms.FileField(
        label=_("Signed form"),
        required=False,
        widget=forms.FileInput(attrs={"accept": "application/pdf,image/jpeg,image/png"}),
        help_text=_("A PDF or a photo (JPEG, PNG) of the signed form."),
        error_messages={
            "empty": _("This file is empty. Choose the file again, or another one."),
            "invalid": _("No file was received. Choose the file again."),
        },
    )
    expires_on = forms.DateField(
        label=_("Expires on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Leave it empty for two years after the day it was given."),
        error_messages={"invalid": DATE_INVALID},
    )

    class Meta:
        model = Consent
        fields = ["scopes", "anonymity", "given_on", "how", "form_upload", "statement"]
        widgets = {
            "anonymity": forms.RadioSelect,
            "how": forms.RadioSelect,
            "given_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "statement": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {
            "statement": _(
                "For an oral consent: what the witness agreed to, when and how, in your words."
            ),
        }
        error_messages = {"given_on": {"invalid": DATE_INVALID}}

    field_order = [
        "scopes",
        "anonymity",
        "given_on",
        "expires_on",
        "how",
        "form_upload",
        "statement",
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["anonymity"].choices = Anonymity.choices
        self.fields["how"].choices = Consent.How.choices
        if not self.is_bound:
            self.initial.setdefault("given_on", timezone.localdate())
        self.content_type = None

    def clean_scopes(self):
        return " ".join(self.cleaned_data["scopes"])

    def clean(self):
        cleaned = super().clean()
        given, expires = cleaned.get("given_on"), cleaned.get("expires_on")
        if given and not expires and "expires_on" not in self.errors:
            cleaned["expires_on"] = add_months(given, 12 * CONSENT_YEARS)
        elif given and expires and expires <= given:
            self.add_error("expires_on", EXPIRY_AFTER_GIVEN)
        if given and given > timezone.localdate():
            self.add_error("given_on", _("A consent cannot be given in the future."))
        how, upload = cleaned.get("how"), cleaned.get("form_upload")
        if how == Consent.How.SIGNED_FORM:
            if upload is None and "form_upload" not in self.errors:
                self.add_error(
                    "form_upload", _("Add the signed form: a PDF or a photo of the paper.")
                )
            elif upload is not None:
                try:
                    self.content_type = content_type_of(upload)
                except ValidationError as error:
                    self.add_error("form_upload", error)
        elif how == Consent.How.ORAL and not (cleaned.get("statement") or "").strip():
            self.add_error(
                "statement",
                _("Write your statement: what the witness agreed to orally, when and how."),
            )
        return cleaned

    def save(self, commit=True):
        consent = super().save(commit=False)
        consent.expires_on = self.cleaned_data["expires_on"]
        if commit:
            consent.save()
        return consent
