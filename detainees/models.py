"""Case files of the people the visitors accompany (DESIGN.md §3, §4).

A `Person` is pseudonymised: a code, figures-relevant facts, the meetings. Who the
person is (names, date of birth, file number, contacts) sits apart in `Identity`, whose
fields are encrypted and whose every read is logged (detainees/services.py).
"""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from move.accounts import permissions
from move.centres.models import Centre
from move.privacy.crypto import EncryptedTextField

# Languages a visitor may note that a person speaks (ISO 639-1), those met most often.
LANGUAGES = [
    ("fr", _("French")),
    ("nl", _("Dutch")),
    ("en", _("English")),
    ("ar", _("Arabic")),
    ("es", _("Spanish")),
    ("pt", _("Portuguese")),
    ("ru", _("Russian")),
    ("uk", _("Ukrainian")),
    ("ro", _("Romanian")),
    ("sq", _("Albanian")),
    ("ka", _("Georgian")),
    ("tr", _("Turkish")),
    ("fa", _("Persian")),
    ("ps", _("Pashto")),
    ("ur", _("Urdu")),
    ("hi", _("Hindi")),
    ("bn", _("Bengali")),
    ("ti", _("Tigrinya")),
    ("am", _("Amharic")),
    ("so", _("Somali")),
    ("wo", _("Wolof")),
    ("ln", _("Lingala")),
    ("ff", _("Fula")),
    ("zh", _("Chinese")),
    ("other", _("Another language")),
]


class Vulnerability(models.TextChoices):
    MEDICAL = "medical", _("Medical")
    PSYCHOLOGICAL = "psychological", _("Psychological")
    CLAIMED_MINOR = "claimed_minor", _("Says they are a minor")
    PREGNANCY = "pregnancy", _("Pregnancy")
    TRAFFICKING = "trafficking", _("Victim of trafficking")
    OTHER = "other", _("Other")


def current_year() -> int:
    return timezone.localdate().year


class FamilyQuerySet(models.QuerySet):
    def visible_to(self, user):
        return permissions.readable_case_files(self, user)


class Family(models.Model):
    """A family with children held in a family unit or a return house."""

    code = models.CharField(_("code"), max_length=20, unique=True, editable=False)
    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="families",
    )
    adults = models.PositiveSmallIntegerField(
        _("adults"), default=1, validators=[MaxValueValidator(20)]
    )
    children_ages = models.JSONField(
        _("ages of the children"), default=list, blank=True, help_text=_("In years.")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = FamilyQuerySet.as_manager()

    class Meta:
        verbose_name = _("family")
        verbose_name_plural = _("families")
        ordering = ["-created_at"]

    def __str__(self):
        return self.code

    def save(self, *args, **kwargs):
        with transaction.atomic():
            if not self.code:
                self.code = next_code(Family, "F")
            super().save(*args, **kwargs)


class CodeSequence(models.Model):
    """The last number given to the codes of one prefix and year. A code is never given
    out again, even after an erasure: the access log and the reports quote it."""

    prefix = models.CharField(max_length=2)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["prefix", "year"], name="one_sequence_per_year")
        ]

    def __str__(self):
        return f"{self.prefix}-{self.year}: {self.last}"


def next_code(model, prefix: str, year: int | None = None) -> str:
    """The next code of the year (P-2026-0042). The sequence row stays locked until the
    caller's transaction ends, so two files created at once get different numbers."""
    year = year or current_year()
    start = f"{prefix}-{year}-"
    with transaction.atomic():
        sequence = CodeSequence.objects.select_for_update().filter(prefix=prefix, year=year)
        if not sequence.exists():
            # The year's first code: after any code already there (the demo's).
            used = model.objects.filter(code__startswith=start).values_list("code", flat=True)
            last = max((int(code.rsplit("-", 1)[1]) for code in used), default=0)
            with transaction.atomic():
                CodeSequence.objects.get_or_create(
                    prefix=prefix, year=year, defaults={"last": last}
                )
        sequence.update(last=models.F("last") + 1)
        number = sequence.values_list("last", flat=True).get()
    return f"{start}{number:04d}"


class PersonQuerySet(models.QuerySet):
    def visible_to(self, user):
        return permissions.readable_case_files(self, user)


# Kept by detainees/meeting_days.py, never by saving a case file.
MEETING_DAYS = ("first_met_on", "last_met_on")


class Person(models.Model):
    """A pseudonymised case file: what the figures and the follow-up need, never who
    the person is (see Identity)."""

    class Sex(models.TextChoices):
        FEMALE = "f", _("Female")
        MALE = "m", _("Male")
        OTHER = "x", _("Other")
        UNKNOWN = "u", _("Unknown")

    class Status(models.TextChoices):
        DETAINED = "detained", _("Detained")
        RELEASED = "released", _("Released")
        REMOVED = "removed", _("Removed")
        TRANSFERRED_ABROAD = "transferred_abroad", _("Transferred abroad")
        UNKNOWN = "unknown", _("Unknown")

    class LegalBasis(models.TextChoices):
        CONSENT = "consent", _("Consent of the person")
        VITAL_INTEREST = "vital_interest", _("Vital interest of the person")
        LEGITIMATE_INTEREST = "legitimate_interest", _("Legitimate interest (assistance)")
        PUBLIC_INTEREST = "public_interest", _("Task in the public interest")

    code = models.CharField(_("code"), max_length=20, unique=True, editable=False)
    # What addresses carry: a code can be guessed, a random key cannot.
    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="case_files",
    )
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices, default=Sex.UNKNOWN)
    birth_year = models.PositiveSmallIntegerField(
        _("year of birth"), null=True, blank=True, validators=[MinValueValidator(1900)]
    )
    nationality = CountryField(_("nationality"), blank=True)
    languages = models.JSONField(_("languages spoken"), default=list, blank=True)
    vulnerabilities = models.JSONField(_("vulnerabilities"), default=list, blank=True)
    family = models.ForeignKey(
        Family,
        verbose_name=_("family"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="members",
    )
    cannot_be_removed = models.BooleanField(
        _("cannot be removed"),
        default=False,
        help_text=_("Removal is impossible in fact or in law (inéloignable / onverwijderbaar)."),
    )
    legal_basis = models.CharField(
        _("legal basis for keeping this file"),
        max_length=30,
        choices=LegalBasis.choices,
        default=LegalBasis.LEGITIMATE_INTEREST,
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DETAINED
    )
    notes = models.TextField(
        _("notes"),
        blank=True,
        help_text=_("No names, dates of birth or numbers: they belong in the identity."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    # Filled by the retention rules (move/privacy/retention.py, detainees/retention.py).
    identity_erased_on = models.DateField(_("identity erased on"), null=True, blank=True)
    reduced_on = models.DateField(_("reduced to figures on"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    # The days of the earliest and the latest visit where the person was met: whether
    # they are new or returning in a period's figures (figures/yearly.py), and "last met"
    # in the list of case files, without reading every meeting of every person. Kept by
    # the writes of meetings and visits alone (meeting_days.refresh); never saved with
    # the rest of the file, which may have been read before a meeting was recorded.
    first_met_on = models.DateField(_("first met on"), null=True, editable=False)
    last_met_on = models.DateField(_("last met on"), null=True, editable=False)

    objects = PersonQuerySet.as_manager()

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["organisation", "created_at"]),
            models.Index(fields=["birth_year", "nationality"]),
        ]
        permissions = [("view_identity", "Can read the identity")]

    def __str__(self):
        return self.code

    def save(self, *args, **kwargs):
        if not self._state.adding and kwargs.get("update_fields") is None:
            kwargs["update_fields"] = [
                field.name
                for field in self._meta.concrete_fields
                if not field.primary_key and field.name not in MEETING_DAYS
            ]
        super().save(*args, **kwargs)

    def clean(self):
        if self.birth_year and self.birth_year > current_year():
            raise ValidationError({"birth_year": _("The year of birth cannot be in the future.")})


class PersonUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Person, on_delete=models.CASCADE)


class PersonGroupObjectPermission(GroupObjectPermissionBase):
    """A case file shared with another organisation: granted to its group
    (view_person; view_identity when the identity is shared too)."""

    content_object = models.ForeignKey(Person, on_delete=models.CASCADE)


class Identity(models.Model):
    """Who the person is. Every field is encrypted at rest; read only through
    detainees.services.read_identity, which writes the access log."""

    person = models.OneToOneField(
        Person, verbose_name=_("person"), on_delete=models.CASCADE, related_name="identity"
    )
    surname = EncryptedTextField(_("surname"), blank=True)
    given_names = EncryptedTextField(_("given names"), blank=True)
    date_of_birth = EncryptedTextField(_("date of birth"), blank=True)
    office_number = EncryptedTextField(
        _("Immigration Office file number"), blank=True, help_text=_("OE/DVZ number.")
    )
    contacts = EncryptedTextField(
        _("contacts"), blank=True, help_text=_("Relatives, lawyer: names, phones, addresses.")
    )
    notes = EncryptedTextField(_("notes"), blank=True)
    # Keyed digest of the full name, to warn of duplicates without decrypting.
    name_index = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)

    class Meta:
        verbose_name = _("identity")
        verbose_name_plural = _("identities")

    def __str__(self):
        return str(_("Identity of %(code)s") % {"code": self.person.code})

    def full_name(self) -> str:
        return " ".join(part for part in (self.given_names, self.surname) if part)


class DetentionSpell(models.Model):
    """One stay in one centre. A transfer ends a spell and starts the next one under the
    same detention order; a new order (e.g. after refusing to board) restarts the count
    of the legal maximum (Kabongo v. Belgium)."""

    class Ground(models.TextChoices):
        IRREGULAR_STAY = "irregular_stay", _("Irregular stay (removal)")
        DUBLIN = "dublin", _("Dublin transfer")
        BORDER = "border", _("Border (refused entry)")
        PUBLIC_ORDER = "public_order", _("Public order or national security")
        BORDER_PUBLIC_ORDER = "border_public_order", _("Border, public order")

    class Outcome(models.TextChoices):
        ONGOING = "", _("Still detained")
        TRANSFERRED = "transferred", _("Transferred to another centre")
        NEW_ORDER = "new_order", _("New detention order")
        RELEASED = "released", _("Released")
        REMOVED = "removed", _("Removed")
        TRANSFERRED_ABROAD = "transferred_abroad", _("Transferred abroad (Dublin)")
        OTHER = "other", _("Other")

    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.CASCADE, related_name="spells"
    )
    centre = models.ForeignKey(
        Centre, verbose_name=_("centre"), on_delete=models.PROTECT, related_name="spells"
    )
    start = models.DateField(_("from"))
    end = models.DateField(_("until"), null=True, blank=True)
    ground = models.CharField(
        _("legal ground"), max_length=30, choices=Ground.choices, default=Ground.IRREGULAR_STAY
    )
    new_order = models.BooleanField(
        _("new detention order"),
        default=True,
        help_text=_("A new order restarts the count of the legal maximum; a transfer does not."),
    )
    outcome = models.CharField(
        _("outcome"), max_length=20, choices=Outcome.choices, default="", blank=True
    )
    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)

    class Meta:
        verbose_name = _("detention spell")
        verbose_name_plural = _("detention spells")
        ordering = ["start", "pk"]  # not by person: that would join the people to sort
        indexes = [
            models.Index(fields=["centre", "start"]),
            # The figures (figures/yearly.py): the detentions that ended in a period
            # (13 ms instead of 53 ms at 200,000 spells).
            models.Index(fields=["end"], name="spell_by_end"),
            # The spells not ended yet, for the case-file list (detainees/listing.py): each
            # row's current centre read from the index alone, and the people held in a
            # centre found in the order of the list (measured at 200,000 people).
            models.Index(
                fields=["person", "-start"],
                include=["centre"],
                condition=models.Q(end__isnull=True),
                name="spell_open_by_person",
            ),
            models.Index(
                fields=["centre", "person"],
                condition=models.Q(end__isnull=True),
                name="spell_open_by_centre",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__isnull=True) | models.Q(end__gte=models.F("start")),
                name="spell_ends_after_it_starts",
                violation_error_message=_("A spell cannot end before it starts."),
            )
        ]

    def __str__(self):
        return f"{self.centre} {self.start}–{self.end or '…'}"


class AccompanimentQuerySet(models.QuerySet):
    def visible_to(self, user):
        people = Person.objects.visible_to(user).values("pk")
        return self.filter(person__in=people)


class Accompaniment(models.Model):
    """One meeting with a person during a visit."""

    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.CASCADE, related_name="accompaniments"
    )
    visit = models.ForeignKey(
        "visits.Visit",
        verbose_name=_("visit"),
        on_delete=models.PROTECT,
        related_name="accompaniments",
    )
    met_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("met by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    topics = models.ManyToManyField(
        "visits.Theme", verbose_name=_("topics discussed"), blank=True, related_name="+"
    )
    actions = models.TextField(_("actions agreed"), blank=True)
    next_step = models.CharField(_("next step"), max_length=300, blank=True)
    next_step_on = models.DateField(_("next step on"), null=True, blank=True)
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)

    objects = AccompanimentQuerySet.as_manager()

    class Meta:
        verbose_name = _("accompaniment")
        verbose_name_plural = _("accompaniments")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["person", "created_at"]),
            # The figures (figures/yearly.py): the people met at a period's visits, read
            # from the index alone instead of every meeting ever recorded.
            models.Index(fields=["visit", "person"], name="accompaniment_visit_person"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "visit"],
                name="one_accompaniment_per_person_and_visit",
                violation_error_message=_("This meeting is already recorded for this visit."),
            )
        ]

    def __str__(self):
        return f"{self.person} — {self.visit}"


# The case file's fields copied onto each of its MeetingTally rows.
TALLY_COPIED = ("organisation", "family", "nationality", "vulnerabilities", "first_met_on")


class MeetingTally(models.Model):
    """How many times a person was met in a centre in a quarter of a year, and in the
    whole year (quarter 0), with the person's fields that the yearly figures group by:
    the meetings counted once, instead of over every meeting and every case file at each
    reading of the figures. Kept by the writes of meetings, visits and case files
    (detainees/meeting_days.py, which counts a person's rows again from their meetings
    and case file), never written otherwise; a test compares them with a recount after
    each kind of write. Nothing here that the case file and its meetings do not already
    say: no identity, no text."""

    WHOLE_YEAR = 0
    COPIED = TALLY_COPIED

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    quarter = models.PositiveSmallIntegerField()  # 1 to 4, or WHOLE_YEAR
    centre = models.ForeignKey("centres.Centre", on_delete=models.CASCADE, related_name="+")
    meetings = models.PositiveIntegerField()
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    family = models.ForeignKey(Family, on_delete=models.SET_NULL, null=True, related_name="+")
    nationality = models.CharField(max_length=2, blank=True)
    vulnerabilities = models.JSONField(default=list)
    first_met_on = models.DateField(null=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["person", "year", "quarter", "centre"], name="one_tally_per_period"
            )
        ]
        indexes = [
            # A period's rows read from the index alone (PostgreSQL's INCLUDE).
            models.Index(
                fields=["year", "quarter"],
                include=["person", "centre", "meetings", *TALLY_COPIED],
                name="tally_period",
            )
        ]

    def __str__(self):
        return f"{self.person_id} {self.year}-{self.quarter} {self.centre_id}: {self.meetings}"


class Referral(models.Model):
    class Kind(models.TextChoices):
        LAWYER = "lawyer", _("A lawyer")
        HELP_DESK = "help_desk", _("The coalition's legal help desk")
        OUTSIDE = "outside", _("An outside organisation")

    class Outcome(models.TextChoices):
        PENDING = "pending", _("Waiting for an answer")
        TAKEN_UP = "taken_up", _("Taken up")
        DECLINED = "declined", _("Declined")
        NO_ANSWER = "no_answer", _("No answer")

    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.CASCADE, related_name="referrals"
    )
    kind = models.CharField(_("referred to"), max_length=20, choices=Kind.choices)
    to_whom = models.CharField(
        _("to whom"),
        max_length=200,
        blank=True,
        help_text=_("E.g. the lawyer's office, Medimmigrant."),
    )
    on = models.DateField(_("on"), default=timezone.localdate)
    outcome = models.CharField(
        _("outcome"), max_length=20, choices=Outcome.choices, default=Outcome.PENDING
    )
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("referred by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        ordering = ["-on", "-pk"]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.get_outcome_display()})"
