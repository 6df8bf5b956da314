"""The forms of the newsletter's pages: the quarter of a new one, its texts (with the
version read, so that a save over someone else's is refused), the decisions chosen and
their order, the news items."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from legal import newsletter as services
from legal.models import NewsItem, Newsletter
from move.accounts.forms import VersionedModelForm

QUARTERS = [(number, _("Quarter %(number)s") % {"number": number}) for number in (1, 2, 3, 4)]


class NewsletterCreateForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    quarter = forms.TypedChoiceField(label=_("Quarter"), choices=QUARTERS, coerce=int)
    title_fr = forms.CharField(label=_("Title in French"), max_length=200, required=False)
    title_nl = forms.CharField(label=_("Title in Dutch"), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            # Written once the quarter is over: the one that just ended.
            year, quarter = services.previous_quarter(*services.quarter_of(timezone.localdate()))
            self.initial.setdefault("year", year)
            self.initial.setdefault("quarter", quarter)

    def clean(self):
        cleaned = super().clean()
        year, quarter = cleaned.get("year"), cleaned.get("quarter")
        if year and quarter and Newsletter.objects.filter(year=year, quarter=quarter).exists():
            raise ValidationError(services.already_exists(year, quarter), code="unique")
        return cleaned


class NewsletterForm(VersionedModelForm):
    class Meta:
        model = Newsletter
        fields = ["title_fr", "title_nl", "editorial_fr", "editorial_nl"]
        labels = {
            "title_fr": _("Title in French"),
            "title_nl": _("Title in Dutch"),
            "editorial_fr": _("Editorial in French"),
            "editorial_nl": _("Editorial in Dutch"),
        }
        widgets = {
            "editorial_fr": forms.Textarea(attrs={"rows": 8, "lang": "fr"}),
            "editorial_nl": forms.Textarea(attrs={"rows": 8, "lang": "nl"}),
            "title_fr": forms.TextInput(attrs={"lang": "fr"}),
            "title_nl": forms.TextInput(attrs={"lang": "nl"}),
        }


class DecisionChoiceForm(forms.Form):
    """One candidate decision: chosen or not, and its place."""

    decision = forms.IntegerField(widget=forms.HiddenInput)
    chosen = forms.BooleanField(required=False)
    position = forms.IntegerField(min_value=0, max_value=999, required=False)


class BaseDecisionChoices(forms.BaseFormSet):
    def __init__(self, *args, candidates=(), **kwargs):
        self.candidates = {row["pk"]: row for row in candidates}
        super().__init__(*args, **kwargs)

    def clean(self):
        if any(self.errors):
            return
        for form in self.forms:
            if form.cleaned_data.get("decision") not in self.candidates:
                raise ValidationError(
                    _("A decision chosen is no longer public: reload the page."), code="gone"
                )

    def chosen(self) -> list[int]:
        """The ids of the decisions chosen, in the order given (ties: by date)."""
        rows = [
            form.cleaned_data
            for form in self.forms
            if form.cleaned_data.get("chosen") and form.cleaned_data.get("decision")
        ]
        rows.sort(
            key=lambda row: (
                row["position"] if row["position"] is not None else 1000,
                self.candidates[row["decision"]]["date"],
            )
        )
        return [row["decision"] for row in rows]

    def rows(self):
        """Each form with its decision, for the template."""
        for form in self.forms:
            pk = form["decision"].value()
            try:
                row = self.candidates.get(int(pk))
            except (TypeError, ValueError):
                row = None
            if row is not None:
                yield form, row


DecisionChoices = forms.formset_factory(
    DecisionChoiceForm, formset=BaseDecisionChoices, extra=0, max_num=500, validate_max=True
)


class NewsItemForm(forms.ModelForm):
    class Meta:
        model = NewsItem
        fields = ["title_fr", "title_nl", "body_fr", "body_nl", "position"]
        labels = {
            "title_fr": _("Title in French"),
            "title_nl": _("Title in Dutch"),
            "body_fr": _("Text in French"),
            "body_nl": _("Text in Dutch"),
            "position": _("Position"),
        }
        widgets = {
            "body_fr": forms.Textarea(attrs={"rows": 4, "lang": "fr"}),
            "body_nl": forms.Textarea(attrs={"rows": 4, "lang": "nl"}),
            "title_fr": forms.TextInput(attrs={"lang": "fr"}),
            "title_nl": forms.TextInput(attrs={"lang": "nl"}),
        }


class BaseNewsItems(forms.BaseInlineFormSet):
    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = _("Remove this news item")


NewsItems = forms.inlineformset_factory(
    Newsletter,
    NewsItem,
    form=NewsItemForm,
    formset=BaseNewsItems,
    extra=1,
    can_delete=True,
    max_num=100,
    validate_max=True,
)
