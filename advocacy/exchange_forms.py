"""Forms of the exchange meetings (advocacy/exchange_views.py)."""

from django import forms
from django.db.models import CharField, Value
from django.utils.translation import gettext_lazy as _

from advocacy.models import ExchangeMeeting, PointOfAttention
from legal.decision_forms import SeenMixin
from move.accounts.models import Organisation
from visits.models import Theme


class PointsField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.code} — {obj.title}"


class ExchangeForm(SeenMixin, forms.ModelForm):
    """An exchange meeting; a change saved by someone else since the form was shown is
    not overwritten (SeenMixin, checked by exchange_views.save_exchange under a lock).
    The themes, organisations and points are read for the form in one query (`linked`)."""

    themes = forms.ModelMultipleChoiceField(
        queryset=Theme.objects.none(),
        label=_("Focus themes"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    organisations = forms.ModelMultipleChoiceField(
        queryset=Organisation.objects.none(),
        label=_("Organisations present"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Partners included: their members read the notes of the meetings their "
            "organisation attended."
        ),
    )
    points = PointsField(
        queryset=PointOfAttention.objects.none(),
        label=_("Points raised"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = ExchangeMeeting
        fields = ["date", "notes"]
        widgets = {
            "date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "notes": forms.Textarea(attrs={"rows": 8}),
        }
        help_texts = {
            "notes": _("Partners present read these notes: speak of people by code only."),
        }
        error_messages = {"date": {"invalid": _("Type a date, e.g. 2022-05-17.")}}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        linked = self.linked() if self.instance.pk else {}
        themes = Theme.objects.filter(active=True)
        organisations = Organisation.objects.filter(active=True)
        if linked.get("themes"):
            themes = themes | Theme.objects.filter(pk__in=linked["themes"])
        if linked.get("organisations"):
            organisations = organisations | Organisation.objects.filter(
                pk__in=linked["organisations"]
            )
        self.fields["themes"].queryset = themes.distinct()
        self.fields["organisations"].queryset = organisations.distinct()
        self.fields["points"].queryset = PointOfAttention.objects.visible_to(user).order_by("code")
        for name, pks in linked.items():
            self.initial.setdefault(name, pks)
        # The fields follow the date, as on the page.
        self.order_fields(["date", "themes", "organisations", "notes", "points"])
        self.add_seen_field()

    def linked(self) -> dict[str, list[int]]:
        """The meeting's themes, organisations and points, in one query."""
        pk = self.instance.pk
        parts = [
            (name, ExchangeMeeting._meta.get_field(name).remote_field.through, column)
            for name, column in (
                ("themes", "theme_id"),
                ("organisations", "organisation_id"),
                ("points", "pointofattention_id"),
            )
        ]
        queries = [
            model.objects.filter(exchangemeeting_id=pk)
            .annotate(field=Value(name, output_field=CharField()))
            .values_list("field", column)
            for name, model, column in parts
        ]
        found: dict[str, list[int]] = {name: [] for name, _m, _c in parts}
        for name, value in queries[0].union(*queries[1:], all=True):
            found[name].append(value)
        return found

    def save(self, commit=True):
        meeting = super().save(commit=True)
        for name in ("themes", "organisations", "points"):
            getattr(meeting, name).set(self.cleaned_data[name])
        return meeting


class ExchangeFilterForm(forms.Form):
    """The list's filters (GET): a year among those with meetings, a focus theme."""

    year = forms.TypedChoiceField(label=_("Year"), required=False, coerce=int, empty_value=None)
    theme = forms.TypedChoiceField(label=_("Theme"), required=False, coerce=int, empty_value=None)

    def __init__(self, data, years, themes):
        super().__init__(data)
        self.fields["year"].choices = [("", _("Any year"))] + [(y, str(y)) for y in years]
        self.fields["theme"].choices = [("", _("Any theme"))] + [(t.pk, str(t)) for t in themes]

    def apply(self, qs):
        if not self.is_bound:
            return qs
        self.is_valid()
        data = {k: v for k, v in self.cleaned_data.items() if k not in self.errors}
        if data.get("year"):
            qs = qs.filter(date__year=data["year"])
        if data.get("theme"):
            qs = qs.filter(
                pk__in=ExchangeMeeting.themes.through.objects.filter(theme_id=data["theme"]).values(
                    "exchangemeeting_id"
                )
            )
        return qs

    def chosen_year(self):
        return self.cleaned_data.get("year") if self.is_bound and self.is_valid() else None

    @property
    def filtered(self) -> bool:
        return self.is_bound and any(self.data.get(name) for name in self.fields)
