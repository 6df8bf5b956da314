"""Advocacy (DESIGN.md §2, §3, §4; issue 12): the points of attention drawn from the
visits and carried to the authorities, the meetings with those authorities (agenda,
individual situations by case-file code only, minutes and follow-ups), the exchange
meetings with the partners, and the pool of witnesses who agreed to testify, on the
basis of their consent.

Access (move/accounts/permissions.py): points and authority meetings are read by
visitors, legal, coordinators and advocacy, kept by coordinators and legal (visitors
raise points from reports); exchange meetings are read by the internal roles and, for
the meetings their organisation attended, by partners; the witness pool is kept by the
witness-pool volunteer and coordinators (contacts encrypted, every read logged), and
advocacy reads testimonies within their consented scopes only.
"""

import uuid
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from detainees.models import next_code
from move.accounts import permissions
from move.privacy.crypto import EncryptedTextField

LANGUAGES = [("fr", _("French")), ("nl", _("Dutch")), ("en", _("English"))]


# --- Points of attention ----------------------------------------------------------------


class PointQuerySet(models.QuerySet):
    def visible_to(self, user):
        return permissions.all_if(self, user, "advocacy.view_point")

    def still_open(self):
        """Not resolved nor dropped: carried into the next meeting's draft agenda."""
        return self.exclude(status__in=PointOfAttention.CLOSED)


class PointOfAttention(models.Model):
    """Something seen in the detention centres that the coalition carries to the
    authorities, gathered from the observations flagged "raise with the authorities",
    followed across meetings (AgendaItem) until it is resolved or dropped."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        RAISED = "raised", _("Raised")
        ANSWERED = "answered", _("Answered")
        RESOLVED = "resolved", _("Resolved")
        DROPPED = "dropped", _("Dropped")

    CLOSED = (Status.RESOLVED, Status.DROPPED)

    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    code = models.CharField(_("code"), max_length=20, unique=True, editable=False)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    theme = models.ForeignKey(
        "visits.Theme", verbose_name=_("theme"), on_delete=models.PROTECT, related_name="+"
    )
    centres = models.ManyToManyField(
        "centres.Centre", verbose_name=_("centres concerned"), blank=True, related_name="+"
    )
    # Where it comes from: observations of reports, gathered over time.
    observations = models.ManyToManyField(
        "visits.Observation",
        verbose_name=_("observations"),
        blank=True,
        related_name="points_of_attention",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # The first time it was on the agenda of a meeting held (the register's "raised since").
    first_raised_on = models.DateField(_("first raised on"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("raised by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("added"), auto_now_add=True)
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    objects = PointQuerySet.as_manager()

    class Meta:
        verbose_name = _("point of attention")
        verbose_name_plural = _("points of attention")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "created_at"], name="point_by_status")]

    def __str__(self):
        return f"{self.code} {self.title}"

    def save(self, *args, **kwargs):
        if not self.code:
            self.code = next_code(PointOfAttention, "PA")
        super().save(*args, **kwargs)


# --- Meetings with the authorities ------------------------------------------------------


class AuthorityMeetingQuerySet(models.QuerySet):
    def visible_to(self, user):
        return permissions.all_if(self, user, "advocacy.view_point")


class AuthorityMeeting(models.Model):
    """A meeting with the Immigration Office's detention directorate (quarterly), a
    centre's management or another authority."""

    class Authority(models.TextChoices):
        IMMIGRATION_OFFICE = "immigration_office", _("Immigration Office, detention directorate")
        CENTRE = "centre", _("Management of a centre")
        OTHER = "other", _("Other authority")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Agenda in preparation")
        HELD = "held", _("Held")

    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    date = models.DateField(_("date"))
    authority = models.CharField(_("authority"), max_length=20, choices=Authority.choices)
    centre = models.ForeignKey(
        "centres.Centre",
        verbose_name=_("centre"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    authority_detail = models.CharField(_("authority (detail)"), max_length=200, blank=True)
    our_attendees = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("attending for us"), blank=True, related_name="+"
    )
    their_attendees = models.TextField(
        _("attending for them"), blank=True, help_text=_("By function, not by name.")
    )
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.DRAFT
    )
    notes = models.TextField(_("general notes"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("added by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("added"), auto_now_add=True)
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    objects = AuthorityMeetingQuerySet.as_manager()

    class Meta:
        verbose_name = _("meeting with the authorities")
        verbose_name_plural = _("meetings with the authorities")
        ordering = ["-date", "-pk"]

    def __str__(self):
        return f"{self.get_authority_display()} — {self.date}"


class AgendaItem(models.Model):
    """A point of attention on a meeting's agenda, in its place, and what became of it:
    what was asked, what the authority answered, what was agreed, by when, by whom."""

    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    meeting = models.ForeignKey(
        AuthorityMeeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="items"
    )
    point = models.ForeignKey(
        PointOfAttention,
        verbose_name=_("point of attention"),
        on_delete=models.PROTECT,
        related_name="agenda_items",
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    asked = models.TextField(_("what we asked"), blank=True)
    answer = models.TextField(_("what the authority answered"), blank=True)
    follow_up = models.TextField(_("what was agreed"), blank=True)
    follow_up_due = models.DateField(_("follow-up due on"), null=True, blank=True)
    follow_up_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("follow-up by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    follow_up_done = models.BooleanField(_("follow-up done"), default=False)

    class Meta:
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "point"], name="a_point_once_an_agenda")
        ]
        indexes = [
            models.Index(fields=["follow_up_done", "follow_up_due"], name="follow_up_by_due")
        ]

    def __str__(self):
        return f"{self.meeting} — {self.point}"


class Situation(models.Model):
    """An individual situation discussed at a meeting: a case-file code only. Each
    reader sees the code as a link only if they may open that file."""

    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    meeting = models.ForeignKey(
        AuthorityMeeting,
        verbose_name=_("meeting"),
        on_delete=models.CASCADE,
        related_name="situations",
    )
    person = models.ForeignKey(
        "detainees.Person", verbose_name=_("case file"), on_delete=models.CASCADE, related_name="+"
    )
    note = models.TextField(
        _("what was asked and answered"),
        blank=True,
        help_text=_("Speak of the person by the case-file code only."),
    )

    class Meta:
        verbose_name = _("individual situation")
        verbose_name_plural = _("individual situations")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "person"], name="a_person_once_a_meeting")
        ]

    def __str__(self):
        return f"{self.meeting} — {self.person_id}"


class FollowUpReminder(models.Model):
    """A follow-up due, reminded to its owner once a day at most."""

    item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="reminders")
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    on = models.DateField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["item", "recipient", "on"], name="one_follow_up_reminder_a_day"
            )
        ]

    def __str__(self):
        return f"{self.item_id} {self.on}"


# --- Exchange meetings ------------------------------------------------------------------


class ExchangeMeetingQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Internal roles read every one; a partner the meetings their organisation
        attended."""
        if permissions.has_perm(user, "advocacy.view_every_exchange_meeting"):
            return self.all()
        if not permissions.has_perm(user, "advocacy.view_exchange_meeting"):
            return self.none()
        organisations = permissions.organisations_of(user)
        return self.filter(organisations__in=organisations).distinct()


class ExchangeMeeting(models.Model):
    """One of the ten yearly meetings of the visitors, the advocacy team and the
    partners (Myria, Nansen), with its focus themes."""

    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    date = models.DateField(_("date"))
    themes = models.ManyToManyField(
        "visits.Theme", verbose_name=_("focus themes"), blank=True, related_name="+"
    )
    organisations = models.ManyToManyField(
        "accounts.Organisation",
        verbose_name=_("organisations present"),
        blank=True,
        related_name="exchange_meetings",
    )
    notes = models.TextField(_("notes"), blank=True)
    points = models.ManyToManyField(
        PointOfAttention,
        verbose_name=_("points raised"),
        blank=True,
        related_name="exchange_meetings",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("added by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("added"), auto_now_add=True)
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    objects = ExchangeMeetingQuerySet.as_manager()

    class Meta:
        verbose_name = _("exchange meeting")
        verbose_name_plural = _("exchange meetings")
        ordering = ["-date", "-pk"]

    def __str__(self):
        return str(self.date)


# --- The witness pool -------------------------------------------------------------------

SCOPES = [
    ("website", _("Coalition website")),
    ("press", _("Press")),
    ("partners", _("Partner publications")),
    ("video", _("Video")),
    ("parliament", _("Parliament")),
    ("training", _("Internal training")),
]


class Anonymity(models.TextChoices):
    """From the most open to the most protective: a use may be as protective as the
    consent or more, never less (ANONYMITY_ORDER)."""

    NAMED = "named", _("Named")
    FIRST_NAME = "first_name", _("First name only")
    ANONYMOUS = "anonymous", _("Anonymous")


ANONYMITY_ORDER = {Anonymity.NAMED: 0, Anonymity.FIRST_NAME: 1, Anonymity.ANONYMOUS: 2}


class WitnessQuerySet(models.QuerySet):
    def visible_to(self, user):
        return permissions.all_if(self, user, "advocacy.view_witness")


class Witness(models.Model):
    """A person who went through detention (or a relative, a lawyer, a former visitor)
    and agreed to testify. Their contact is encrypted and every read of it logged; it is
    erased some months after they withdraw (advocacy/retention.py)."""

    class Relation(models.TextChoices):
        FORMER_DETAINEE = "former_detainee", _("Former detainee")
        RELATIVE = "relative", _("Relative")
        LAWYER = "lawyer", _("Lawyer")
        FORMER_VISITOR = "former_visitor", _("Former visitor")

    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    code = models.CharField(_("code"), max_length=20, unique=True, editable=False)
    relation = models.CharField(_("relation to detention"), max_length=20, choices=Relation.choices)
    languages = models.CharField(_("languages"), max_length=60, blank=True)  # codes, spaced
    # Encrypted (move/privacy/crypto.py), read by the pool's keepers, each read logged.
    name = EncryptedTextField(_("name"), blank=True)
    contact = EncryptedTextField(_("contact"), blank=True, help_text=_("Phone, e-mail, address."))
    contact_erased_on = models.DateField(_("contact erased on"), null=True, blank=True)
    person = models.ForeignKey(
        "detainees.Person",
        verbose_name=_("case file"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    keeper = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("contact kept by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    withdrawn_on = models.DateField(_("withdrew on"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(_("added"), auto_now_add=True)
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    objects = WitnessQuerySet.as_manager()

    class Meta:
        verbose_name = _("witness")
        verbose_name_plural = _("witnesses")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return self.code

    def save(self, *args, **kwargs):
        if not self.code:
            self.code = next_code(Witness, "W")
        super().save(*args, **kwargs)


class Consent(models.Model):
    """What a witness agreed to, on which day, how, until when; withdrawn at any time."""

    class How(models.TextChoices):
        SIGNED_FORM = "signed_form", _("Signed form (stored)")
        ORAL = "oral", _("Oral, with the volunteer's statement")

    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    witness = models.ForeignKey(
        Witness, verbose_name=_("witness"), on_delete=models.CASCADE, related_name="consents"
    )
    scopes = models.CharField(_("scopes"), max_length=200)  # codes of SCOPES, spaced
    anonymity = models.CharField(_("anonymity"), max_length=12, choices=Anonymity.choices)
    given_on = models.DateField(_("given on"))
    how = models.CharField(_("how"), max_length=12, choices=How.choices)
    form_file = models.CharField(_("signed form"), max_length=300, blank=True, editable=False)
    statement = models.TextField(_("volunteer's statement"), blank=True)
    expires_on = models.DateField(_("expires on"))
    withdrawn_on = models.DateField(_("withdrawn on"), null=True, blank=True)
    renewal_reminded_on = models.DateField(null=True, blank=True, editable=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("added"), auto_now_add=True)

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        ordering = ["-given_on", "-pk"]

    def __str__(self):
        return f"{self.witness} {self.given_on}"

    def clean(self):
        if self.given_on and self.expires_on and self.expires_on <= self.given_on:
            raise ValidationError(
                {"expires_on": _("A consent expires after the day it was given.")}
            )

    @property
    def scope_list(self) -> list[str]:
        return self.scopes.split()

    def valid_on(self, day: date) -> bool:
        return (
            self.given_on <= day
            and day < self.expires_on
            and (self.withdrawn_on is None or day < self.withdrawn_on)
        )


class TestimonyQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The pool's keepers read every testimony; advocacy those with a scope that a
        consent valid today still covers, approved, the witness not withdrawn
        (advocacy/services.py usable_filter)."""
        if permissions.has_perm(user, "advocacy.view_witness"):
            return self.all()
        if not permissions.has_perm(user, "advocacy.view_testimony"):
            return self.none()
        from django.utils import timezone

        from advocacy.services import usable_filter  # services import these models

        return self.filter(usable_filter(timezone.localdate()))


class Testimony(models.Model):
    """What a witness told, in their words, approved by them, usable in some scopes only
    (never wider than their consent)."""

    __test__ = False  # not a test class, whatever pytest makes of its name

    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    witness = models.ForeignKey(
        Witness, verbose_name=_("witness"), on_delete=models.CASCADE, related_name="testimonies"
    )
    title = models.CharField(_("title"), max_length=200)
    text = EncryptedTextField(_("testimony"))
    language = models.CharField(_("language"), max_length=2, choices=LANGUAGES)
    recorded_on = models.DateField(_("recorded on"))
    approved_on = models.DateField(_("approved by the witness on"), null=True, blank=True)
    scopes = models.CharField(_("may be used in"), max_length=200, blank=True)  # codes, spaced
    created_at = models.DateTimeField(_("added"), auto_now_add=True)
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    objects = TestimonyQuerySet.as_manager()

    class Meta:
        verbose_name = _("testimony")
        verbose_name_plural = _("testimonies")
        ordering = ["-recorded_on", "-pk"]

    def __str__(self):
        return self.title

    @property
    def scope_list(self) -> list[str]:
        return self.scopes.split()


class UseQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The keepers read every use; advocacy the uses of the testimonies it may read,
        and those to take down (their testimonies are then out of its sight: it must
        take them down all the same); nobody else any."""
        if permissions.has_perm(user, "advocacy.view_witness"):
            return self.all()
        if not permissions.has_perm(user, "advocacy.view_testimony"):
            return self.none()
        readable = Testimony.objects.visible_to(user).values("pk")
        return self.filter(
            models.Q(testimony__in=readable) | models.Q(status=Use.Status.TO_TAKE_DOWN)
        )


class Use(models.Model):
    """A testimony used somewhere: recorded only when the consent allowed it that day
    (advocacy.services.record_use); to take down once the witness withdraws."""

    class Status(models.TextChoices):
        ONLINE = "online", _("In use")
        TO_TAKE_DOWN = "to_take_down", _("To take down")
        TAKEN_DOWN = "taken_down", _("Taken down")

    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    testimony = models.ForeignKey(
        Testimony, verbose_name=_("testimony"), on_delete=models.PROTECT, related_name="uses"
    )
    publication = models.CharField(_("where"), max_length=200)
    used_on = models.DateField(_("used on"))
    scope = models.CharField(_("scope"), max_length=12, choices=SCOPES)
    anonymity = models.CharField(_("anonymity"), max_length=12, choices=Anonymity.choices)
    link = models.URLField(_("link"), blank=True)
    status = models.CharField(
        _("status"), max_length=14, choices=Status.choices, default=Status.ONLINE
    )
    taken_down_on = models.DateField(_("taken down on"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("added"), auto_now_add=True)

    objects = UseQuerySet.as_manager()

    class Meta:
        verbose_name = _("use of a testimony")
        verbose_name_plural = _("uses of testimonies")
        ordering = ["-used_on", "-pk"]
        indexes = [models.Index(fields=["status", "used_on"], name="use_by_status")]

    def __str__(self):
        return f"{self.testimony} — {self.publication}"
