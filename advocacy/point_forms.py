"""Forms of the points of attention (advocacy/point_views.py): a point, the register's
filters, and raising observations of a report."""

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from advocacy import points
from advocacy.models import PointOfAttention
from legal.decision_forms import SeenMixin
from move.accounts.models import User
from move.centres.models import Centre
from visits.models import Theme


class OwnerField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return points.person_label(obj)


class PointForm(SeenMixin, forms.ModelForm):
    """A point; a change saved by someone else since the form was shown is not
    overwritten (SeenMixin, checked by point_views.save_point under a row lock). The
    status moves as points.MOVES allows, from the status the point has."""

    owner = OwnerField(queryset=None, label=_("Owner"), required=False)

    class Meta:
        model = PointOfAttention
        fields = ["title", "description", "theme", "centres", "status", "owner"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 5}),
            "centres": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        instance = self.instance
        themes = Theme.objects.filter(active=True)
        centres = Centre.objects.filter(active=True)
        if instance.pk:
            themes = themes | Theme.objects.filter(pk=instance.theme_id)
            centres = centres | Centre.objects.filter(pk__in=instance.centres.all())
            self.fields["status"].help_text = points.STATUS_HELP
        else:
            del self.fields["status"]  # a new point is open
        self.fields["theme"].queryset = themes.distinct()
        self.fields["centres"].queryset = centres.distinct()
        # The current owner stays offered, so that the form never drops them unseen; one
        # who no longer keeps the points is refused with the reason (clean_owner).
        self.fields["owner"].queryset = User.objects.filter(
            Q(pk__in=points.possible_owners().values("pk")) | Q(pk=instance.owner_id)
        ).order_by("first_name", "last_name", "email")
        self.fields["owner"].help_text = _("Someone who keeps the points of attention.")
        self.add_seen_field()

    def clean_owner(self):
        owner = self.cleaned_data["owner"]
        if owner is not None and not points.possible_owners().filter(pk=owner.pk).exists():
            raise ValidationError(
                _(
                    "%(name)s no longer keeps the points of attention: choose another owner, "
                    "or none."
                )
                % {"name": points.person_label(owner)}
            )
        return owner

    def clean_status(self):
        status = self.cleaned_data["status"]
        if self.instance.pk:
            try:
                points.check_move(self.instance.status, status)
            except ValidationError as error:
                raise ValidationError(error.message_dict["status"]) from None
        return status


class PointFilterForm(forms.Form):
    """The register's filters (GET); a value that cannot be read is marked and left out."""

    q = forms.CharField(
        label=_("Title"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    status = forms.ChoiceField(label=_("Status"), required=False)
    theme = forms.TypedChoiceField(label=_("Theme"), required=False, coerce=int, empty_value=None)
    centre = forms.TypedChoiceField(label=_("Centre"), required=False, coerce=int, empty_value=None)
    since = forms.DateField(
        label=_("Raised since"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Type a date, e.g. 2022-05-17.")},
    )

    def __init__(self, data, themes, centres):
        super().__init__(data)
        self.fields["status"].choices = [
            ("", _("Any status")),
            ("still_open", _("Still open (not resolved nor dropped)")),
            *PointOfAttention.Status.choices,
        ]
        self.fields["theme"].choices = [("", _("Any theme"))] + [
            (theme.pk, str(theme)) for theme in themes
        ]
        self.fields["centre"].choices = [("", _("Any centre"))] + [
            (centre.pk, str(centre)) for centre in centres
        ]

    def apply(self, qs):
        if not self.is_bound:
            return qs
        self.is_valid()
        data = {k: v for k, v in self.cleaned_data.items() if k not in self.errors}
        if data.get("q"):
            qs = qs.filter(title__icontains=data["q"])
        if data.get("status") == "still_open":
            qs = qs.still_open()
        elif data.get("status"):
            qs = qs.filter(status=data["status"])
        if data.get("theme"):
            qs = qs.filter(theme_id=data["theme"])
        if data.get("centre"):
            qs = qs.filter(
                pk__in=PointOfAttention.centres.through.objects.filter(
                    centre_id=data["centre"]
                ).values("pointofattention_id")
            )
        if data.get("since"):
            qs = qs.filter(first_raised_on__gte=data["since"])
        return qs

    @property
    def filtered(self) -> bool:
        return self.is_bound and any(self.data.get(name) for name in self.fields)


class RaiseForm(forms.Form):
    """Raising observations of a report: the observations chosen, and either a new point
    (its title, description, theme) or an open point to add them to. The choices are
    given (the report's observations, the open points, the active themes): a value that
    is not among them is refused with its reason."""

    NEW, EXISTING = "new", "existing"

    observations = forms.TypedMultipleChoiceField(
        label=_("Observations to raise"),
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("Choose at least one observation to raise."),
            "invalid_choice": _(
                "Only the observations of this report can be raised from it: choose among "
                "those listed."
            ),
        },
    )
    choice = forms.ChoiceField(
        label=_("Raise them as"),
        widget=forms.RadioSelect,
        choices=[(NEW, _("A new point of attention")), (EXISTING, _("Part of an open point"))],
        initial=NEW,
    )
    point = forms.TypedChoiceField(
        label=_("Open point to add them to"),
        coerce=int,
        empty_value=None,
        required=False,
        help_text=_("Points of the same theme first."),
        error_messages={"invalid_choice": _("This point is no longer open: choose another.")},
    )
    title = forms.CharField(label=_("Title of the new point"), max_length=200, required=False)
    description = forms.CharField(
        label=_("Description of the new point"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    theme = forms.TypedChoiceField(
        label=_("Theme of the new point"),
        coerce=int,
        empty_value=None,
        required=False,
        error_messages={"invalid_choice": _("Choose one of the themes listed.")},
    )

    def __init__(self, *args, observations, open_points, themes, **kwargs):
        super().__init__(*args, **kwargs)
        self.observation_rows = observations
        self.open_points = {point.pk: point for point in open_points}
        self.themes = {theme.pk: theme for theme in themes}
        self.fields["observations"].choices = [
            (observation.pk, observation.label) for observation in observations
        ]
        self.fields["point"].choices = [("", _("Choose a point"))] + [
            (point.pk, f"{point.code} — {point.title} ({point.theme})") for point in open_points
        ]
        self.fields["theme"].choices = [("", _("Choose a theme"))] + [
            (theme.pk, str(theme)) for theme in themes
        ]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("choice") == self.EXISTING:
            if not cleaned.get("point") and "point" not in self.errors:
                self.add_error("point", _("Choose the open point to add the observations to."))
        elif cleaned.get("choice") == self.NEW:
            if not cleaned.get("title"):
                self.add_error("title", _("Give the new point a title."))
            if not cleaned.get("theme") and "theme" not in self.errors:
                self.add_error("theme", _("Choose the theme of the new point."))
        return cleaned

    def chosen_observations(self):
        chosen = set(self.cleaned_data["observations"])
        return [o for o in self.observation_rows if o.pk in chosen]

    def chosen_point(self):
        return self.open_points.get(self.cleaned_data.get("point"))

    def chosen_theme(self):
        return self.themes.get(self.cleaned_data.get("theme"))
