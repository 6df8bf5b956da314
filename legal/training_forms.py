"""Forms of the trainings and the coalition's documents (legal/training_views.py)."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from legal import library_files
from legal.decision_forms import SeenMixin
from legal.models import Resource, Training

LANGUAGES = [("fr", _("French")), ("nl", _("Dutch"))]


class TrainingForm(SeenMixin, forms.ModelForm):
    """A training; a change saved by someone else since the form was shown is not
    overwritten (SeenMixin, checked by training_views.save_training under a row lock)."""

    class Meta:
        model = Training
        fields = [
            "topic",
            "date",
            "audience",
            "audience_detail",
            "trainer",
            "language",
            "attendance",
            "notes",
        ]
        widgets = {
            "date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "attendance": forms.NumberInput(attrs={"min": 0, "inputmode": "numeric"}),
            "notes": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {
            "attendance": _("How many people came; leave it empty until the training is given."),
            "audience_detail": _("E.g. the Red Cross, the Brussels bar."),
        }
        error_messages = {
            "attendance": {
                "min_value": _("The attendance cannot be negative."),
                "invalid": _("Type the number of people who came, e.g. 18."),
            },
            "date": {"invalid": _("Type a date, e.g. 2022-05-17.")},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_seen_field()

    def clean(self):
        cleaned = super().clean()
        day, attendance = cleaned.get("date"), cleaned.get("attendance")
        if day and attendance and day > timezone.localdate():
            self.add_error(
                "attendance",
                _("This training is still to come: record its attendance once it has been given."),
            )
        return cleaned


class MaterialForm(forms.Form):
    file = library_files.UploadField(label=_("File"), widget=forms.FileInput())
    name = forms.CharField(
        label=_("Name shown"),
        max_length=150,
        required=False,
        help_text=_("Leave it empty to keep the file's own name."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = library_files.help_text()
        self.fields["file"].widget.attrs["accept"] = library_files.ACCEPT


class TrainingFilterForm(forms.Form):
    """The list's filters (GET): a year among those with trainings, the audience, the
    language. A value that is not offered is an error shown by the field, and ignored."""

    year = forms.TypedChoiceField(label=_("Year"), required=False, coerce=int, empty_value=None)
    audience = forms.ChoiceField(label=_("Audience"), required=False)
    language = forms.ChoiceField(label=_("Language"), required=False)

    def __init__(self, data, years):
        super().__init__(data)
        self.fields["year"].choices = [("", _("Any year"))] + [(y, str(y)) for y in years]
        self.fields["audience"].choices = [("", _("Any audience")), *Training.Audience.choices]
        self.fields["language"].choices = [
            ("", _("Any language")),
            *Training._meta.get_field("language").choices,
        ]

    def filters(self) -> dict:
        if not self.is_valid():
            return {
                name: value
                for name, value in self._valid_values().items()
                if value not in (None, "")
            }
        data = self.cleaned_data
        found = {"date__year": data.get("year"), "audience": data.get("audience")}
        found["language"] = data.get("language")
        return {name: value for name, value in found.items() if value not in (None, "")}

    def _valid_values(self) -> dict:
        """The fields that were valid, when another was not."""
        keys = {"year": "date__year", "audience": "audience", "language": "language"}
        return {keys[name]: value for name, value in self.cleaned_data.items()}


class ResourceForm(forms.ModelForm):
    """A document: its kind, its title and description in French and Dutch, a file for
    each language (replacing the one kept, or removed), public or internal. `seen` is
    when the document was read with the form: a change saved meanwhile is not
    overwritten (`concurrent()`, asked by training_views.save_resource under a row
    lock, never here: a check outside the transaction lets two saves through)."""

    file_fr_upload = library_files.UploadField(
        label=_("File in French"), required=False, widget=forms.FileInput()
    )
    remove_fr = forms.BooleanField(label=_("Remove the French file"), required=False)
    file_nl_upload = library_files.UploadField(
        label=_("File in Dutch"), required=False, widget=forms.FileInput()
    )
    remove_nl = forms.BooleanField(label=_("Remove the Dutch file"), required=False)
    seen = forms.CharField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Resource
        fields = ["kind", "title_fr", "title_nl", "description_fr", "description_nl", "public"]
        labels = {
            "title_fr": _("Title in French"),
            "title_nl": _("Title in Dutch"),
            "description_fr": _("Description in French"),
            "description_nl": _("Description in Dutch"),
            "public": _("Public (anyone may download it, without signing in)"),
        }
        widgets = {
            "description_fr": forms.Textarea(attrs={"rows": 3}),
            "description_nl": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for code in ("fr", "nl"):
            upload = self.fields[f"file_{code}_upload"]
            upload.help_text = library_files.help_text()
            upload.widget.attrs["accept"] = library_files.ACCEPT
            if not self.instance.file_path(code):
                del self.fields[f"remove_{code}"]
        self.fields["seen"].initial = self._stamp(self.instance)

    @staticmethod
    def _stamp(resource) -> str:
        return resource.updated_at.isoformat() if resource.pk and resource.updated_at else ""

    def clean(self):
        cleaned = super().clean()
        if not (cleaned.get("title_fr") or cleaned.get("title_nl")):
            raise ValidationError(_("Give the document a title, in French or in Dutch."))
        for code in ("fr", "nl"):
            if cleaned.get(f"file_{code}_upload") and cleaned.get(f"remove_{code}"):
                self.add_error(
                    f"remove_{code}",
                    _("Either choose a new file or remove the one kept, not both."),
                )
        return cleaned

    def concurrent(self, current_updated_at) -> bool:
        """Whether the document changed since the form was shown; if so, the form shown
        again carries the new time (saving again is then the person's choice)."""
        current = current_updated_at.isoformat() if current_updated_at else ""
        if self.cleaned_data.get("seen") == current:
            return False
        self.data = self.data.copy()
        self.data["seen"] = current
        message = _(
            "Someone else saved this document while you were editing it. Your text is "
            "still below: open the list in a new tab to see their version, then save again."
        )
        self.add_error(None, ValidationError(message, code="concurrent"))
        return True

    def uploads(self) -> dict:
        """{language: upload} of the new files chosen."""
        return {
            code: self.cleaned_data[f"file_{code}_upload"]
            for code in ("fr", "nl")
            if self.cleaned_data.get(f"file_{code}_upload")
        }

    def removed(self) -> list[str]:
        return [code for code in ("fr", "nl") if self.cleaned_data.get(f"remove_{code}")]
