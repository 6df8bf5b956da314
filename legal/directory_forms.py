"""Forms of the lawyer directory: the list's filters and the form that keeps a lawyer.

The bars, specialities and centres they offer are reference rows, the same for
everyone: `reference()` keeps them in the process, per language, with their <option>s
written once, and reads them again only once one of them has changed (`VERSION_KEY` in
the shared cache is replaced on every save or delete, see the receivers at the bottom),
as legal/listing.py does for the help desk. A page of the directory thus spends its
queries on the lawyers alone. Filters name bars, specialities and centres by their
code (`?centre=merksplas&language=nl`): addresses that can be written down and shared.

Phone numbers are read with `phonenumbers` (a Belgian number when no country code is
given), stored as E.164 and shown in the international format; e-mail addresses are
unique whatever their case."""

import time
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from html import escape

import phonenumbers
from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from legal.library import REGIONS, SPOKEN_LANGUAGES, linked_to
from legal.models import Bar, Lawyer, Speciality
from move.centres.models import Centre
from visits.listing import KeptRows, option_tags

PHONE_REGION = "BE"
DETENTION = "detention"  # the speciality the centres' quick links look for
YES, NO = "yes", "no"

BAD_PHONE = _(
    "This is not a phone number we can call. Write it with its country code "
    "(+32 470 12 34 56) or as a Belgian number (0470 12 34 56)."
)


# --- Phone numbers ----------------------------------------------------------------------


def e164(text: str) -> str:
    """The number in `text` as E.164 (+32470123456), or ValueError."""
    # "+32 (0)3 123 45 67": the trunk zero that the international form drops.
    text = text.replace("(0)", "")
    try:
        number = phonenumbers.parse(text, PHONE_REGION)
    except phonenumbers.NumberParseException as error:
        raise ValueError(str(error)) from error
    if not phonenumbers.is_valid_number(number):
        raise ValueError("not a valid number")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


@lru_cache(maxsize=20_000)
def international(stored: str) -> str:
    """An E.164 number as people read it (+32 470 12 34 56); as stored if unreadable."""
    if not stored:
        return ""
    try:
        number = phonenumbers.parse(stored, PHONE_REGION)
    except phonenumbers.NumberParseException:
        return stored
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


# --- Subscription -----------------------------------------------------------------------


def receives(lawyer: Lawyer) -> bool:
    """Whether the newsletter goes to the lawyer (LawyerQuerySet.subscribed)."""
    return bool(lawyer.pk and lawyer.subscribed and not lawyer.unsubscribed_on)


def settle_subscription(lawyer: Lawyer, received: bool, date_given: bool) -> None:
    """The dates that follow from ticking or unticking the subscription: a subscription
    that starts (again) starts today unless a date was given, and ends any former
    unsubscription; one that stops, stops today."""
    today = timezone.localdate()
    if lawyer.subscribed and not received:
        if not date_given or not lawyer.subscribed_on:
            lawyer.subscribed_on = today
        lawyer.unsubscribed_on = None
    elif lawyer.subscribed and not lawyer.subscribed_on:
        lawyer.subscribed_on = today
    elif not lawyer.subscribed and received:
        lawyer.unsubscribed_on = today


def duplicate_of(email: str, lawyer: Lawyer | None = None) -> Lawyer | None:
    """Another lawyer with this e-mail address, whatever its case."""
    others = Lawyer.objects.filter(email__iexact=email.strip())
    if lawyer is not None and lawyer.pk:
        others = others.exclude(pk=lawyer.pk)
    return others.only("pk", "name", "key").first()


def duplicate_message(other: Lawyer) -> str:
    return gettext(
        "Another lawyer of the directory, %(name)s, already has this e-mail address "
        "(capitals do not count). Open their page to change it, or use another address."
    ) % {"name": other.name}


# --- Reference rows ---------------------------------------------------------------------

VERSION_KEY = "legal:directory-reference"


@dataclass(frozen=True)
class Item:
    pk: int
    code: str
    name: str
    active: bool = True


@dataclass
class Reference:
    """The bars, specialities and centres in one language, read at `read_at`, with the
    filters' choices ((value, label) pairs, "any" first) and their <option>s."""

    bars: list[Item]
    specialities: list[Item]
    centres: list[Item]
    read_at: float
    choices: dict = field(init=False)
    values: dict = field(init=False)  # filter name → the set of its values
    by_code: dict = field(init=False)  # filter name → {code: Item}
    names: dict = field(init=False)  # "bar"/"speciality"/"centre" → {pk: name}
    _options: dict = field(init=False, default_factory=dict)
    _escaped: dict = field(init=False, default_factory=dict)

    def __post_init__(self):
        rows = {"bar": self.bars, "speciality": self.specialities, "centre": self.centres}
        self.by_code = {name: {item.code: item for item in items} for name, items in rows.items()}
        self.names = {name: {item.pk: item.name for item in items} for name, items in rows.items()}
        any_value = ("", gettext("Any"))
        either = [any_value, (YES, gettext("Yes")), (NO, gettext("No"))]
        self.choices = {
            "language": [any_value, *((code, str(label)) for code, label in SPOKEN_LANGUAGES)],
            "region": [any_value, *((code, str(label)) for code, label in REGIONS)],
            "bar": [any_value, *((item.code, item.name) for item in self.bars)],
            "speciality": [any_value, *((item.code, item.name) for item in self.specialities)],
            "centre": [
                any_value,
                *((item.code, item.name) for item in self.centres if item.active),
            ],
            "legal_aid": either,
            "subscribed": either,
        }
        self.values = {
            name: {str(v) for v, _label in pairs if v} for name, pairs in self.choices.items()
        }

    def escaped_names(self) -> dict:
        """`names`, each escaped for HTML (once per process and language)."""
        if not self._escaped:
            self._escaped.update(
                {
                    kind: {pk: escape(name) for pk, name in names.items()}
                    for kind, names in self.names.items()
                }
            )
        return self._escaped

    @property
    def active_centres(self) -> list[Item]:
        return [item for item in self.centres if item.active]

    def options(self, name: str, chosen) -> str:
        return option_tags(self._options, self.choices, name, chosen)


def _read() -> Reference:
    def items(queryset):
        return [Item(row.pk, row.code, str(row)) for row in queryset]

    centres = [
        Item(centre.pk, centre.code, str(centre), centre.active)
        for centre in Centre.objects.in_name_order()
    ]
    return Reference(
        items(Bar.objects.all()), items(Speciality.objects.all()), centres, time.monotonic()
    )


_kept_rows = KeptRows(VERSION_KEY, _read, (Bar, Speciality, Centre))


def reference() -> Reference:
    """The reference rows in the active language (visits.listing.KeptRows)."""
    return _kept_rows.get()


# --- The list's filters -----------------------------------------------------------------


class Chosen(forms.CharField):
    """One of a filter's values, checked against the reference rows' choices by the
    form (a ChoiceField would copy and check every choice on each page)."""

    def __init__(self, label):
        super().__init__(label=label, required=False, max_length=60)


NOT_OFFERED = _("“%(value)s” is not one of the values offered: it is left out.")


class LawyerFilterForm(forms.Form):
    """The filters of the list (GET): every field optional; a bad value is left out (and
    said). The choices are the reference rows above: no query to offer or check them."""

    q = forms.CharField(label=_("Name or firm"), required=False, max_length=100)
    language = Chosen(_("Speaks"))
    centre = Chosen(_("Covers the centre"))
    speciality = Chosen(_("Speciality"))
    region = Chosen(_("Covers the region"))
    bar = Chosen(_("Bar"))
    legal_aid = Chosen(_("Takes legal-aid cases"))
    subscribed = Chosen(_("Receives the newsletter"))

    SELECTS = ("language", "centre", "speciality", "region", "bar", "legal_aid", "subscribed")
    # What the quick links set: the form's other fields are "more filters".
    QUICK = ("centre", "language", "speciality")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.reference = reference()

    def clean(self):
        data = super().clean()
        for name in self.SELECTS:
            value = data.get(name)
            if value and value not in self.reference.values[name]:
                self.add_error(name, NOT_OFFERED % {"value": value})
        return data

    def select_options(self) -> list[tuple[str, str]]:
        """Each filter's name with its <option>s, the one chosen selected."""
        data = self.data
        return [(name, self.reference.options(name, data.get(name))) for name in self.SELECTS]

    @cached_property
    def chosen(self) -> dict:
        """The valid filters chosen, by name."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {name: value for name, value in data.items() if value}

    def apply(self, lawyers):
        chosen, codes = self.chosen, self.reference.by_code
        words = chosen.get("q", "").strip()
        if words:
            lawyers = lawyers.filter(Q(name__icontains=words) | Q(firm__icontains=words))
        if "language" in chosen:
            lawyers = lawyers.speaking(chosen["language"])
        if "region" in chosen:
            lawyers = lawyers.in_region(chosen["region"])
        if "bar" in chosen:
            lawyers = lawyers.filter(bar_id=codes["bar"][chosen["bar"]].pk)
        # One link row at most per lawyer and speciality (centre): a join, no duplicates.
        if "speciality" in chosen:
            speciality = codes["speciality"][chosen["speciality"]].pk
            lawyers = lawyers.filter(pk__in=linked_to(Lawyer, "specialities", speciality))
        if "centre" in chosen:
            centre = codes["centre"][chosen["centre"]].pk
            lawyers = lawyers.filter(pk__in=linked_to(Lawyer, "centres", centre))
        if "legal_aid" in chosen:
            lawyers = lawyers.filter(legal_aid=chosen["legal_aid"] == YES)
        if "subscribed" in chosen:
            # LawyerQuerySet.subscribed(), or its opposite.
            receiving = Q(subscribed=True, unsubscribed_on__isnull=True) & ~Q(email="")
            wanted = chosen["subscribed"] == YES
            lawyers = lawyers.subscribed() if wanted else lawyers.exclude(receiving)
        return lawyers

    def more_filters_chosen(self) -> bool:
        """Whether a filter outside the quick links is chosen: the form opens then."""
        return bool(self.errors) or any(name not in self.QUICK for name in self.chosen)


# --- Keeping a lawyer -------------------------------------------------------------------


def _checkboxes(label, choices=(), **kwargs):
    return forms.MultipleChoiceField(
        label=label,
        choices=choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        **kwargs,
    )


ORDER = [
    "name",
    "firm",
    "bar",
    "email",
    "phone",
    "languages",
    "specialities",
    "legal_aid",
    "centres",
    "regions",
    "notes",
    "subscribed",
    "subscription_basis",
    "subscribed_on",
    "newsletter_language",
]


class LawyerForm(forms.ModelForm):
    """A lawyer of the directory, added or changed by legal or a coordinator. The
    bars, specialities and centres come from the reference rows (no query to offer
    them); the centres offered are the active ones and those the lawyer already covers."""

    bar = forms.TypedChoiceField(label=_("Bar"), coerce=int)
    languages = _checkboxes(
        _("Languages spoken with clients"), SPOKEN_LANGUAGES, help_text=_("Tick every one.")
    )
    specialities = _checkboxes(_("Specialities"))
    centres = _checkboxes(
        _("Centres covered"), help_text=_("The detention centres where they see clients.")
    )
    regions = _checkboxes(_("Regions covered"), REGIONS)

    class Meta:
        model = Lawyer
        fields = [
            "name",
            "firm",
            "email",
            "phone",
            "languages",
            "legal_aid",
            "regions",
            "notes",
            "subscribed",
            "subscription_basis",
            "subscribed_on",
            "newsletter_language",
        ]
        widgets = {
            "notes": forms.Textarea(attrs={"rows": 4}),
            "subscribed_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "subscription_basis": forms.RadioSelect,
            "newsletter_language": forms.RadioSelect,
        }
        help_texts = {
            "phone": _("With its country code, or a Belgian number: 0470 12 34 56."),
            "subscribed_on": _("Left empty: today, when the subscription starts."),
        }

    def __init__(self, *args, chosen=None, **kwargs):
        """`chosen`: the lawyer's speciality and centre ids ({"specialities": [...],
        "centres": [...]}), read by the view."""
        super().__init__(*args, **kwargs)
        ref = reference()
        chosen = chosen or {"specialities": [], "centres": []}
        self.received = receives(self.instance)
        self.order_fields(ORDER)
        self.fields["bar"].choices = [
            ("", gettext("Choose a bar")),
            *((b.pk, b.name) for b in ref.bars),
        ]
        self.fields["specialities"].choices = [(s.pk, s.name) for s in ref.specialities]
        covered = set(chosen["centres"])
        self.fields["centres"].choices = [
            (c.pk, c.name) for c in ref.centres if c.active or c.pk in covered
        ]
        self.fields["subscription_basis"].choices = Lawyer.Basis.choices
        self.fields["subscription_basis"].required = False
        self.fields["email"].widget.attrs["autocomplete"] = "off"
        self.fields["phone"].widget.attrs.update({"type": "tel", "autocomplete": "off"})
        if self.instance.pk:
            self.initial.update(
                bar=self.instance.bar_id,
                languages=self.instance.language_list,
                regions=self.instance.region_list,
                specialities=[str(pk) for pk in chosen["specialities"]],
                centres=[str(pk) for pk in chosen["centres"]],
                phone=international(self.instance.phone),
                subscribed=self.received,
            )

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        other = duplicate_of(email, self.instance)
        if other is not None:
            raise ValidationError(duplicate_message(other), code="duplicate")
        return email

    def clean_phone(self):
        text = self.cleaned_data["phone"].strip()
        if not text:
            return ""
        try:
            return e164(text)
        except ValueError:
            raise ValidationError(BAD_PHONE, code="phone") from None

    def clean_languages(self):
        return _codes(self.cleaned_data["languages"], SPOKEN_LANGUAGES)

    def clean_regions(self):
        return _codes(self.cleaned_data["regions"], REGIONS)

    def clean_specialities(self):
        return [int(pk) for pk in self.cleaned_data["specialities"]]

    def clean_centres(self):
        return [int(pk) for pk in self.cleaned_data["centres"]]

    def _post_clean(self):
        bar = self.cleaned_data.get("bar")
        if bar:
            self.instance.bar_id = bar
        super()._post_clean()

    @transaction.atomic
    def save(self, commit=True):
        lawyer = super().save(commit=False)
        # A date typed on a form that started empty counts as given (not on a new one).
        given = "subscribed_on" in self.changed_data
        settle_subscription(lawyer, self.received, given)
        lawyer.save()
        lawyer.specialities.set(self.cleaned_data["specialities"])
        lawyer.centres.set(self.cleaned_data["centres"])
        return lawyer


def _codes(chosen, choices) -> str:
    """The codes ticked, space-separated, in the order of `choices`."""
    return " ".join(code for code, _label in choices if code in set(chosen))
