"""Forms of the meetings with the authorities (advocacy/meeting_views.py)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from advocacy import meetings
from advocacy.models import AuthorityMeeting, PointOfAttention
from detainees.models import Person
from legal.decision_forms import SeenMixin

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
ANSWER_STATUSES = [
    ("", _("Keep as it is")),
    (PointOfAttention.Status.RAISED, PointOfAttention.Status.RAISED.label),
    (PointOfAttention.Status.ANSWERED, PointOfAttention.Status.ANSWERED.label),
    (PointOfAttention.Status.RESOLVED, PointOfAttention.Status.RESOLVED.label),
    (PointOfAttention.Status.DROPPED, PointOfAttention.Status.DROPPED.label),
]


class MeetingForm(SeenMixin, forms.ModelForm):
    """A meeting's date, authority and who attends; a change saved by someone else since
    the form was shown is not overwritten (checked under the row's lock)."""

    our_attendees = forms.TypedMultipleChoiceField(
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Attending for us"),
        help_text=_("The coordinators, lawyers, advocacy team and visitors who go."),
    )

    class Meta:
        model = AuthorityMeeting
        fields = [
            "date",
            "authority",
            "centre",
            "authority_detail",
            "their_attendees",
            "notes",
        ]
        widgets = {
            "date": DATE,
            "their_attendees": forms.Textarea(attrs={"rows": 3}),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "centre": _("For a meeting with a centre's management."),
            "authority_detail": _("For another authority: which one."),
            "their_attendees": _("By function, one a line (e.g. head of the directorate)."),
        }
        error_messages = {"date": {"invalid": _("Type a date, e.g. 2026-03-10.")}}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # One query for the choices and who attends already.
        people = list(meetings.attendees_of(self.instance))
        self.fields["our_attendees"].choices = [
            (person.pk, meetings.user_label(person)) for person in people
        ]
        if self.instance.pk and "our_attendees" not in self.initial:
            self.initial["our_attendees"] = [p.pk for p in people if p.attending]
        self.add_seen_field()

    def _save_m2m(self):
        super()._save_m2m()
        self.instance.our_attendees.set(self.cleaned_data["our_attendees"])

    def clean(self):
        cleaned = super().clean()
        authority = cleaned.get("authority")
        if authority == AuthorityMeeting.Authority.CENTRE and not cleaned.get("centre"):
            self.add_error("centre", _("Choose the centre whose management you meet."))
        if authority != AuthorityMeeting.Authority.CENTRE:
            cleaned["centre"] = None
        if (
            authority == AuthorityMeeting.Authority.OTHER
            and not cleaned.get("authority_detail", "").strip()
        ):
            self.add_error("authority_detail", _("Say which authority you meet."))
        return cleaned


class MeetingEditForm(MeetingForm):
    """The meeting, its agenda (order, removal, open points added) and its individual
    situations (case-file codes only)."""

    add_points = forms.MultipleChoiceField(
        label=_("Add open points to the agenda"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Only points still open (not resolved nor dropped) can be put on an agenda."),
    )
    situations = forms.CharField(
        label=_("Individual situations"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5, "spellcheck": "false"}),
        help_text=_(
            "One case-file code a line, e.g. “P-2026-0042: release asked”. "
            "Codes only, never a name."
        ),
    )

    def __init__(self, *args, user, items, situations, offered, **kwargs):
        super().__init__(*args, **kwargs)
        self.user, self.items, self.kept_situations = user, items, situations
        self.fields["add_points"].choices = [(str(p.pk), str(p)) for p in offered]
        self.fields["add_points"].valid_value = lambda value: True  # checked in clean
        self.fields["situations"].initial = meetings.situations_text(situations)
        self.item_fields = []
        for item in items:
            order, remove = f"order_{item.pk}", f"remove_{item.pk}"
            self.fields[order] = forms.IntegerField(
                label=_("Place of %(point)s") % {"point": item.point.code},
                min_value=1,
                max_value=999,
                initial=item.position + 1,
                widget=forms.NumberInput(attrs={"inputmode": "numeric", "class": "short"}),
            )
            self.fields[remove] = forms.BooleanField(
                label=_("Remove %(point)s from the agenda") % {"point": item.point.code},
                required=False,
            )
            self.item_fields.append((item, order, remove))

    def agenda_rows(self):
        return [(item, self[order], self[remove]) for item, order, remove in self.item_fields]

    def detail_fields(self):
        names = ["date", "authority", "centre", "authority_detail", "our_attendees"]
        names += ["their_attendees", "notes"]
        return [self[name] for name in names]

    def clean_add_points(self):
        values = self.cleaned_data.get("add_points") or []
        wanted = set()
        for value in values:
            if not str(value).isdecimal():
                raise forms.ValidationError(_("A point chosen was not found."))
            wanted.add(int(value))
        points = list(PointOfAttention.objects.visible_to(self.user).filter(pk__in=wanted))
        if len(points) != len(wanted):
            raise forms.ValidationError(_("A point chosen was not found."))
        closed = [p for p in points if p.status in PointOfAttention.CLOSED]
        if closed:
            raise forms.ValidationError(
                _(
                    "%(points)s: already resolved or dropped. Only open points can be put "
                    "on an agenda; reopen the point first if it must be raised again."
                )
                % {"points": ", ".join(str(p) for p in closed)}
            )
        present = {item.point_id for item in self.items}
        return [p for p in sorted(points, key=lambda p: p.code) if p.pk not in present]

    def clean_situations(self):
        found, unreadable = meetings.parse_situations(self.cleaned_data.get("situations", ""))
        if unreadable:
            raise forms.ValidationError(
                _("Each line starts with a case-file code, e.g. P-2026-0042: “%(line)s” does not.")
                % {"line": unreadable[0][:60]}
            )
        codes = [code for code, _note in found]
        kept = {s.person.code: s.person_id for s in self.kept_situations}
        readable = dict(
            Person.objects.visible_to(self.user)
            .filter(code__in=[c for c in codes if c not in kept])
            .values_list("code", "pk")
        )
        # A code already on the meeting stays; another one must be a file the keeper may
        # open. One that they may not open gets the answer of one that does not exist.
        missing = [c for c in codes if c not in kept and c not in readable]
        if missing:
            raise forms.ValidationError(
                _("No case file you may open has the code %(code)s.") % {"code": missing[0]}
            )
        return [(kept.get(code) or readable[code], note) for code, note in found]


class MinutesForm(SeenMixin, forms.ModelForm):
    """Per agenda item: what was asked, answered, agreed, by when, by whom, done, and the
    point's status; the meeting marked held."""

    held = forms.BooleanField(
        label=_("The meeting was held"),
        required=False,
        help_text=_("Its points still open become “raised”."),
    )

    class Meta:
        model = AuthorityMeeting
        fields = ["notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    FIELDS = ("asked", "answer", "follow_up", "follow_up_due", "follow_up_owner", "done", "status")

    def __init__(self, *args, items, owners, **kwargs):
        super().__init__(*args, **kwargs)
        self.items = items
        self.fields["held"].initial = self.instance.status == AuthorityMeeting.Status.HELD
        self.add_seen_field()
        for item in items:
            code = item.point.code
            status = item.point.status
            self.fields[f"asked_{item.pk}"] = forms.CharField(
                label=_("What we asked"), required=False, initial=item.asked, widget=_area()
            )
            self.fields[f"answer_{item.pk}"] = forms.CharField(
                label=_("What the authority answered"),
                required=False,
                initial=item.answer,
                widget=_area(),
            )
            self.fields[f"follow_up_{item.pk}"] = forms.CharField(
                label=_("What was agreed (follow-up)"),
                required=False,
                initial=item.follow_up,
                widget=_area(),
            )
            self.fields[f"follow_up_due_{item.pk}"] = forms.DateField(
                label=_("Follow-up due on"),
                required=False,
                initial=item.follow_up_due,
                widget=DATE,
                error_messages={"invalid": _("Type a date, e.g. 2026-03-10.")},
            )
            self.fields[f"follow_up_owner_{item.pk}"] = forms.TypedChoiceField(
                label=_("Follow-up by"),
                choices=[("", _("Nobody yet")), *owners],
                coerce=int,
                empty_value=None,
                required=False,
                initial=item.follow_up_owner_id,
            )
            self.fields[f"done_{item.pk}"] = forms.BooleanField(
                label=_("Follow-up done"), required=False, initial=item.follow_up_done
            )
            self.fields[f"status_{item.pk}"] = forms.ChoiceField(
                label=_("Status of %(point)s") % {"point": code},
                choices=ANSWER_STATUSES,
                required=False,
                initial=status if status != PointOfAttention.Status.OPEN else "",
            )

    def item_rows(self):
        return [(item, [self[f"{name}_{item.pk}"] for name in self.FIELDS]) for item in self.items]

    def clean(self):
        cleaned = super().clean()
        for item in self.items:
            status = cleaned.get(f"status_{item.pk}")
            changed = status and status != item.point.status
            if changed and not cleaned.get("held"):
                self.add_error(
                    f"status_{item.pk}",
                    _("Mark the meeting held to change the status of its points."),
                )
            if (
                changed
                and status == PointOfAttention.Status.ANSWERED
                and not cleaned.get(f"answer_{item.pk}", "").strip()
            ):
                self.add_error(
                    f"answer_{item.pk}",
                    _("Write what the authority answered before setting the point answered."),
                )
            due, owner = (
                cleaned.get(f"follow_up_due_{item.pk}"),
                cleaned.get(f"follow_up_owner_{item.pk}"),
            )
            if due and not owner:
                self.add_error(
                    f"follow_up_owner_{item.pk}", _("Choose who does the follow-up by that day.")
                )
        return cleaned

    def item_values(self, item) -> dict:
        data = self.cleaned_data
        return {
            "asked": data[f"asked_{item.pk}"],
            "answer": data[f"answer_{item.pk}"],
            "follow_up": data[f"follow_up_{item.pk}"],
            "follow_up_due": data[f"follow_up_due_{item.pk}"],
            "follow_up_owner_id": data[f"follow_up_owner_{item.pk}"],
            "follow_up_done": data[f"done_{item.pk}"],
        }


def _area():
    return forms.Textarea(attrs={"rows": 2})


class MeetingFilterForm(forms.Form):
    """The list's filters (GET): a year among those with meetings, the authority."""

    year = forms.TypedChoiceField(label=_("Year"), required=False, coerce=int, empty_value=None)
    authority = forms.ChoiceField(label=_("Authority"), required=False)

    def __init__(self, data, years):
        super().__init__(data)
        self.fields["year"].choices = [("", _("Any year"))] + [(y, str(y)) for y in years]
        self.fields["authority"].choices = [
            ("", _("Any authority")),
            *AuthorityMeeting.Authority.choices,
        ]

    def filters(self) -> dict:
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        found = {"date__year": data.get("year"), "authority": data.get("authority")}
        return {name: value for name, value in found.items() if value not in (None, "")}


class PdfForm(forms.Form):
    document = forms.ChoiceField(
        label=_("Document"),
        choices=[("agenda", _("The agenda")), ("minutes", _("The minutes"))],
        error_messages={"required": _("Choose the agenda or the minutes.")},
    )
    language = forms.ChoiceField(
        label=_("Language"),
        choices=[("fr", _("French")), ("nl", _("Dutch"))],
        error_messages={"required": _("Choose French or Dutch.")},
    )
