"""The help desk's forms. Who may do what is asked of move.accounts.permissions; what
crosses records is done by legal/services.py. A case file is named by its code and
found only among the files the person may open (Person.objects.visible_to): a code that
does not exist and one they may not see get the same message."""

import re
from datetime import timedelta

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.choices import BaseChoiceIterator
from django.utils.translation import gettext_lazy as _

from detainees.models import Person
from legal import listing
from legal.models import LANGUAGES, HelpRequest, Message, Topic
from move.accounts.forms import VersionedModelForm
from move.centres.models import Centre

CASE_FILE_CODE = re.compile(r"P-\d{4}-\d{4,}")
REQUEST_CODE = re.compile(r"H-\d{4}-\d{4,}", re.IGNORECASE)

UNKNOWN_CASE_FILE = _(
    "No case file with this code among those you may open. Check the code, or leave the "
    "field empty."
)

MAX_TEXT = 20000


lawyers, user_label = listing.lawyers, listing.user_label


class CaseFileField(forms.CharField):
    """A case-file code (P-2026-0042), typed or pasted in any case."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Case file"))
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 20)
        kwargs.setdefault(
            "help_text",
            _("Its code, e.g. P-2026-0042, if the question is about a person you follow."),
        )
        super().__init__(**kwargs)
        self.widget.attrs.update({"autocomplete": "off", "spellcheck": "false"})

    def to_python(self, value):
        return super().to_python(value).strip().upper()


class CaseFileMixin:
    """Turns the `case_file` code into the case file, among those `self.user` may open."""

    def clean_case_file(self):
        code = self.cleaned_data.get("case_file", "")
        if not code:
            return None
        if not CASE_FILE_CODE.fullmatch(code):
            raise ValidationError(
                _("Type the code of the case file as P-YEAR-NUMBER, e.g. P-2026-0042.")
            )
        person = Person.objects.visible_to(self.user).filter(code=code).only("pk", "code").first()
        if person is None:
            raise ValidationError(UNKNOWN_CASE_FILE)
        return person


def _text(label, rows=6, **kwargs):
    return forms.CharField(
        label=label,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": rows}),
        **kwargs,
    )


def _subject():
    return forms.CharField(
        label=_("Subject"),
        max_length=200,
        help_text=_("A few words, without names: the question itself goes below."),
    )


def _topics():
    return forms.ModelChoiceField(
        label=_("Topic"),
        queryset=Topic.objects.filter(active=True),
        empty_label=_("Choose a topic"),
    )


def _centres():
    return forms.ModelChoiceField(
        label=_("Centre"),
        queryset=Centre.objects.filter(active=True),
        required=False,
        help_text=_("Where the person is held, if the question is about a centre."),
    )


def _language():
    return forms.ChoiceField(label=_("Language of the request"), choices=LANGUAGES)


def _urgency():
    return forms.ChoiceField(
        label=_("Urgency"),
        choices=HelpRequest.Urgency.choices,
        initial=HelpRequest.Urgency.NORMAL,
        help_text=_("Urgent: a decision was notified or a removal is near."),
    )


class AskForm(CaseFileMixin, forms.Form):
    """A visitor asks the lawyer (services.ask)."""

    topic = _topics()
    subject = _subject()
    question = _text(
        _("Your question"),
        help_text=_(
            "Speak of people by their case-file code, never by their name. Say which "
            "decision was notified and when, if any."
        ),
    )
    language = _language()
    urgency = _urgency()
    case_file = CaseFileField()
    centre = _centres()

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def ask_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "topic": data["topic"],
            "subject": data["subject"],
            "question": data["question"],
            "language": data["language"],
            "urgency": data["urgency"],
            "person": data["case_file"],
            "centre": data["centre"],
        }


def _local_minute(moment):
    return timezone.localtime(moment).replace(second=0, microsecond=0)


class RecordForm(CaseFileMixin, forms.Form):
    """The lawyer records a request that came by phone, e-mail or in person
    (services.record): one short form, in the order a call goes, the first field
    focused; every field but the topic, the subject and the question has a default."""

    channel = forms.ChoiceField(
        label=_("Came by"),
        choices=[
            (value, label)
            for value, label in HelpRequest.Channel.choices
            if value != HelpRequest.Channel.APP
        ],
        initial=HelpRequest.Channel.PHONE,
    )
    requester_kind = forms.ChoiceField(
        label=_("Asked by"),
        choices=HelpRequest.RequesterKind.choices,
        initial=HelpRequest.RequesterKind.RELATIVE,
    )
    contact_name = forms.CharField(label=_("Caller's name"), max_length=200, required=False)
    contact_phone = forms.CharField(label=_("Caller's phone"), max_length=40, required=False)
    contact_email = forms.EmailField(label=_("Caller's e-mail"), required=False)
    language = _language()
    topic = _topics()
    subject = _subject()
    question = _text(_("Question"), rows=5)
    urgency = _urgency()
    case_file = CaseFileField(
        help_text=_("Its code, e.g. P-2026-0042: one already linked to a request.")
    )
    centre = _centres()
    asked_at = forms.DateTimeField(
        label=_("Asked at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("When the call or the e-mail came."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["asked_at"].initial = _local_minute(timezone.now())
        self.fields["channel"].widget.attrs["autofocus"] = True
        self.fields["contact_phone"].widget.input_type = "tel"
        self.fields["contact_phone"].widget.attrs["autocomplete"] = "off"
        self.fields["contact_name"].widget.attrs["autocomplete"] = "off"
        self.fields["contact_email"].widget.attrs["autocomplete"] = "off"

    def clean_asked_at(self):
        asked_at = self.cleaned_data["asked_at"]
        # The form shows minutes: "now" typed in the same minute is not the future.
        if asked_at > _local_minute(timezone.now()) + timedelta(minutes=1):
            raise ValidationError(_("A request cannot have been asked in the future."))
        return min(asked_at, timezone.now())

    def record_arguments(self) -> dict:
        data = self.cleaned_data
        names = ["channel", "requester_kind", "language", "topic", "subject", "question"]
        names += ["urgency", "centre", "asked_at", "contact_name", "contact_phone"]
        names += ["contact_email"]
        return {name: data[name] for name in names} | {"person": data["case_file"]}


class UpdateForm(CaseFileMixin, VersionedModelForm):
    """The lawyer changes what a request is filed under (its thread is not changed)."""

    case_file = CaseFileField(
        help_text=_("Its code, e.g. P-2026-0042: one already linked to a request.")
    )

    class Meta:
        model = HelpRequest
        fields = ["topic", "subject", "assignee", "urgency", "centre"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["topic"].queryset = Topic.objects.all()
        self.fields["centre"].queryset = Centre.objects.all()
        assignee = self.fields["assignee"]
        assignee.queryset = lawyers()
        assignee.label_from_instance = user_label
        if self.instance.person_id and not self.is_bound:
            self.fields["case_file"].initial = self.instance.person.code
        self.order_fields(["topic", "subject", "assignee", "urgency", "case_file", "centre"])

    def clean(self):
        cleaned = super().clean()
        if "case_file" in cleaned:
            self.instance.person = cleaned["case_file"]
        return cleaned


class MessageForm(forms.Form):
    """One entry of the thread: the kinds offered are those the reader may write."""

    kind = forms.ChoiceField(label=_("Kind"), widget=forms.RadioSelect)
    text = _text(_("Message"))

    def __init__(self, *args, kinds=(), **kwargs):
        super().__init__(*args, **kwargs)
        labels = {
            Message.Kind.ANSWER: _("Answer (the asker reads it and is told by e-mail)"),
            Message.Kind.NOTE: _("Internal note (legal and coordinators only)"),
            Message.Kind.INFORMATION: _("More information"),
        }
        self.fields["kind"].choices = [(kind, labels[kind]) for kind in kinds]
        if kinds:
            self.fields["kind"].initial = kinds[0]
        if len(kinds) == 1:
            self.fields["kind"].widget = forms.HiddenInput()
            self.fields["text"].label = labels[kinds[0]]


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("New status"), choices=HelpRequest.Status.choices)


class ShareForm(forms.Form):
    action = forms.ChoiceField(choices=[("share", "share"), ("unshare", "unshare")])


# --- The queue's filters -------------------------------------------------------------------

OPEN = listing.OPEN


class _Kept(BaseChoiceIterator):
    """Choices kept with the reference rows, (value, label) pairs already as Django
    normalises them: given as they are, not copied and normalised again for the field
    and again for its widget at every request (a tenth of a millisecond of the queue)."""

    def __init__(self, choices):
        self.choices = choices

    def __iter__(self):
        return iter(self.choices)


class RequestFilterForm(forms.Form):
    """The filters of the queue (GET): every field optional; a bad value is left out
    (and said). The choices are the reference rows legal/listing.py keeps: no query to
    offer them or to check the one chosen."""

    q = forms.CharField(label=_("Words or code"), required=False, max_length=200)
    status = forms.ChoiceField(label=_("Status"), required=False)
    topic = forms.TypedChoiceField(label=_("Topic"), required=False, coerce=int)
    requester_kind = forms.ChoiceField(label=_("Asked by"), required=False)
    centre = forms.TypedChoiceField(label=_("Centre"), required=False, coerce=int)
    assignee = forms.TypedChoiceField(label=_("Assigned to"), required=False, coerce=int)

    SELECTS = ("status", "topic", "requester_kind", "centre", "assignee")

    def __init__(self, *args, every=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.reference = listing.reference()
        if not every:
            del self.fields["assignee"]
        for name in self.select_names():
            self.fields[name].choices = _Kept(self.reference.choices[name])

    def select_names(self) -> list[str]:
        return [name for name in self.SELECTS if name in self.fields]

    def select_fields(self) -> list[tuple]:
        """Each list of choices with its <option>s, the one chosen selected."""
        return [
            (self[name], self.reference.options(name, self[name].value()))
            for name in self.select_names()
        ]

    def apply(self, requests):
        from legal import search

        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        status = data.get("status")
        if status == OPEN:
            requests = requests.exclude(status=HelpRequest.Status.CLOSED)
        elif status:
            requests = requests.filter(status=status)
        exact = {
            "topic_id": data.get("topic"),
            "requester_kind": data.get("requester_kind"),
            "centre_id": data.get("centre"),
            "assignee_id": data.get("assignee"),
        }
        requests = requests.filter(**{name: value for name, value in exact.items() if value})
        words = (data.get("q") or "").strip()
        if REQUEST_CODE.fullmatch(words):
            return requests.filter(code=words.upper())  # along the unique index
        if words:
            requests = search.matching(requests, words)
        return requests
