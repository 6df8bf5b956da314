from django import forms
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Q
from django.db.models.expressions import RawSQL
from django.forms.models import ModelChoiceIterator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from move.accounts import permissions
from move.accounts.forms import VersionedModelForm
from move.accounts.models import Membership, User
from move.accounts.permissions import Role
from move.centres.models import Centre
from visits import listing, search
from visits.models import Observation, Visit, VisitReport


class VisitorChoices(forms.CheckboxSelectMultiple):
    """The visitors as check boxes (a phone has no Ctrl key). Those the person may not
    take off the visit are shown ticked and greyed, and stay whatever is posted."""

    locked: frozenset[int] = frozenset()

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        if getattr(value, "value", value) in self.locked:
            option["attrs"]["disabled"] = True
        return option

    def value_from_datadict(self, data, files, name):
        posted = super().value_from_datadict(data, files, name) or []
        return [*posted, *(str(pk) for pk in self.locked if str(pk) not in posted)]


class VisitForm(VersionedModelForm):
    """Plan a visit or change it. `user` is who saves: a visitor takes off the visit
    only themself, a coordinator anyone, and nobody once the visit has a report
    (permissions.removable_visitors)."""

    class Meta:
        model = Visit
        fields = ["centre", "date", "status", "visitors"]
        widgets = {
            "date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "visitors": VisitorChoices,
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["centre"].queryset = Centre.objects.filter(active=True)
        going = list(self.instance.visitors.all()) if self.instance.pk else []
        visitors = Membership.objects.filter(
            role=Role.VISITOR, organisation__active=True, user__is_active=True
        ).values("user_id")
        # Those already going stay listed even if they are visitors no more.
        self.fields["visitors"].queryset = User.objects.filter(
            Q(pk__in=visitors) | Q(pk__in=[person.pk for person in going])
        )
        removable = permissions.removable_visitors(user, self.instance)
        locked = frozenset(person.pk for person in going) - removable
        self.fields["visitors"].widget.locked = locked
        if locked and hasattr(self.instance, "report"):
            self.fields["visitors"].help_text = _(
                "This visit has a report: its visitors stay. You may add others."
            )
        elif locked:
            self.fields["visitors"].help_text = _(
                "You may add visitors and take yourself off; only a coordinator takes "
                "someone else off."
            )

    def clean(self):
        cleaned = super().clean()
        day, status = cleaned.get("date"), cleaned.get("status")
        if day and status == Visit.Status.DONE and day > timezone.localdate():
            self.add_error("date", _("A visit in the future cannot be done yet."))
        if self.instance.pk and hasattr(self.instance, "report"):
            changed = (
                status != Visit.Status.DONE
                or day != self.instance.date
                or cleaned.get("centre") != self.instance.centre
            )
            if changed:
                raise forms.ValidationError(
                    _("This visit has a report: it stays done, on its day, at its centre.")
                )
        return cleaned


class _LoadedChoices(ModelChoiceIterator):
    """The options from the field's queryset, read once and then from its cache."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.queryset:
            yield self.choice(obj)


class LoadedChoiceField(forms.ModelChoiceField):
    """A ModelChoiceField that reads its rows once, for its options and to check the
    value given: one query instead of two, and no server-side cursor (iterator())."""

    iterator = _LoadedChoices

    def to_python(self, value):
        if value in self.empty_values:
            return None
        for obj in self.queryset:
            if str(obj.pk) == str(value):
                return obj
        raise ValidationError(
            self.error_messages["invalid_choice"],
            code="invalid_choice",
            params={"value": value},
        )


class ListedSelect(forms.Select):
    """A <select> whose choices are given as (value, label) pairs already: not normalised
    again each time a form is made (a Select's copy normalises them)."""

    @property
    def choices(self):
        return self._listed

    @choices.setter
    def choices(self, value):
        self._listed = value if isinstance(value, list) else list(value)


class ListedChoiceField(forms.Field):
    """A choice among rows read beforehand (`offer`): offering and checking them asks no
    query (visits/listing.py keeps the reference rows). Its value is the row chosen, as
    a ModelChoiceField's, and so is its error."""

    widget = ListedSelect
    default_error_messages = {
        "invalid_choice": forms.ModelChoiceField.default_error_messages["invalid_choice"]
    }

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.rows, self.choices = [], []

    def offer(self, rows, choices) -> None:
        """`choices`: the rows' (pk, label) pairs, after an empty one."""
        self.rows, self.choices = rows, choices
        self.widget.choices = choices

    def to_python(self, value):
        if value in self.empty_values:
            return None
        for row in self.rows:
            if str(row.pk) == str(value):
                return row
        raise ValidationError(
            self.error_messages["invalid_choice"],
            code="invalid_choice",
            params={"value": value},
        )


def _observed(observed: dict) -> RawSQL:
    """The reports with an observation matching `observed` (field name → value: the
    theme, to raise with the authorities), as a subquery written out: built with the
    ORM, it was a sixth of the filtered list's Python (`make bench`)."""
    meta, quote = Observation._meta, connection.ops.quote_name
    table = quote(meta.db_table)
    conditions = [f"{table}.{quote(meta.get_field(name).column)} = %s" for name in observed]
    params = [getattr(value, "pk", value) for value in observed.values()]
    report = f"{table}.{quote(meta.get_field('report').column)}"
    return RawSQL(f"SELECT {report} FROM {table} WHERE {' AND '.join(conditions)}", params)


class ReportFilterForm(forms.Form):
    """The filters of the report list (GET): every field optional. The centres, themes
    and organisations offered are the reference rows this process keeps
    (listing.reference()): no query to offer them or to check the one chosen."""

    q = forms.CharField(label=_("Words in the text"), required=False, max_length=200)
    centre = ListedChoiceField(label=_("Centre"), required=False)
    theme = ListedChoiceField(label=_("Theme"), required=False)
    organisation = ListedChoiceField(label=_("Organisation"), required=False)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Any")), *VisitReport.Status.choices],
        widget=ListedSelect,
    )
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    raise_only = forms.BooleanField(label=_("To raise with the authorities"), required=False)

    # What a reader of shared reports only (a partner) is not offered: they read one
    # status, and look for what was seen rather than for who wrote it.
    INTERNAL_FILTERS = ("organisation", "status")

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.reference = known = listing.reference()
        self.fields["centre"].offer(known.centres, known.choices["centre"])
        self.fields["theme"].offer(known.themes, known.choices["theme"])
        self.fields["organisation"].offer(known.organisations, known.choices["organisation"])
        # Observations under a correction awaiting the authors' check are read by its
        # editors only: for anyone else they must not decide what a filter finds.
        self.reads_unchecked = user is not None and permissions.reads_every_unchecked_correction(
            user
        )
        if user is not None and not permissions.has_perm(user, "visits.view_submitted_report"):
            for name in self.INTERNAL_FILTERS:
                del self.fields[name]

    def select_names(self) -> list[str]:
        """The filters shown as a list of choices, in their order on the page."""
        names = ("centre", "theme", "organisation", "status")
        return [name for name in names if name in self.fields]

    def select_fields(self) -> list[tuple]:
        """Each list of choices with its <option>s, the one chosen selected."""
        return [
            (self[name], self.reference.options(name, self[name].value()))
            for name in self.select_names()
        ]

    def apply(self, reports):
        """The filters given, those with a bad value left out (the form says which)."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})  # an empty list page has no form data
        given = {
            "centre": data.get("centre"),
            "organisation": data.get("organisation"),
            "status": data.get("status"),
            "visit_date__gte": data.get("date_from"),
            "visit_date__lte": data.get("date_to"),
        }
        conditions = {name: value for name, value in given.items() if value}
        observed = {"theme": data.get("theme"), "raise_with_authorities": data.get("raise_only")}
        observed = {name: value for name, value in observed.items() if value}
        if observed:
            # A subquery rather than a join: one row per report, no DISTINCT.
            conditions["pk__in"] = _observed(observed)
            if not self.reads_unchecked:
                # Their observations as last checked are not rows to filter on: a report
                # awaiting the check leaves the theme filters until it is confirmed,
                # rather than being found through words its reader cannot see.
                conditions["awaiting_check"] = False
        if conditions:  # one filter(): each call copies the query
            reports = reports.filter(**conditions)
        if data.get("q"):
            reports = search.matching(reports, data["q"])
        return reports
