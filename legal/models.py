"""The lawyer's help desk (DESIGN.md §2, §3): requests, their threads and attachments,
the legal deadlines that run on them, and the reminders sent about them.

A request asked in the application names its requester (a user); one recorded by the
lawyer from a phone call or an e-mail may hold the caller's contact, encrypted like an
identity, read by legal only and erased by the retention registry (legal/retention.py)
some months after the request was closed.
"""

import uuid

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from detainees.models import next_code
from move.accounts import permissions
from move.privacy.crypto import EncryptedTextField

LANGUAGES = [("fr", _("French")), ("nl", _("Dutch")), ("en", _("English"))]


class TopicQuerySet(models.QuerySet):
    def visible_to(self, user):
        return permissions.all_if(self, user, "legal.view_help_request")


class Topic(models.Model):
    """What a request is about (detention and its review, Dublin…): reference data in
    French and Dutch (legal/translation.py)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    position = models.PositiveSmallIntegerField(_("position in lists"), default=0)
    active = models.BooleanField(_("active"), default=True)

    objects = TopicQuerySet.as_manager()

    class Meta:
        verbose_name = _("topic")
        verbose_name_plural = _("topics")
        ordering = ["position", "code"]

    def __str__(self):
        return self.name


class DeadlineRuleQuerySet(models.QuerySet):
    def visible_to(self, user):
        return permissions.all_if(self, user, "legal.use_calculator")


class DeadlineRule(models.Model):
    """A legal time limit as data: so many days (or hours) from the notification of a
    decision, with the article it comes from. Kept by legal; each change is in the
    history (django-auditlog)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    days = models.PositiveSmallIntegerField(
        _("days"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(366)]
    )
    hours = models.PositiveSmallIntegerField(
        _("hours"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(240)],
        help_text=_("For a limit counted in hours from the moment of notification (24 h)."),
    )
    renewable_monthly = models.BooleanField(
        _("renewable every month"),
        default=False,
        help_text=_(
            "The request can be made again each month while the detention lasts: a reminder "
            "is sent every month."
        ),
    )
    source = models.CharField(
        _("source"), max_length=200, help_text=_("The article of law the limit comes from.")
    )
    position = models.PositiveSmallIntegerField(_("position in lists"), default=0)
    active = models.BooleanField(_("active"), default=True)

    objects = DeadlineRuleQuerySet.as_manager()

    class Meta:
        verbose_name = _("deadline rule")
        verbose_name_plural = _("deadline rules")
        ordering = ["position", "code"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(days__isnull=False, hours__isnull=True))
                | (models.Q(days__isnull=True, hours__isnull=False)),
                name="deadline_rule_in_days_or_hours",
                violation_error_message=_("A rule counts either days or hours, not both."),
            )
        ]

    def __str__(self):
        return self.name

    def clean(self):
        if (self.days is None) == (self.hours is None):
            raise ValidationError(_("A rule counts either days or hours, not both."))


class HelpRequestQuerySet(models.QuerySet):
    def visible_to(self, user):
        return permissions.readable_help_requests(self, user)


class HelpRequest(models.Model):
    """A legal question put to the coalition's lawyer."""

    class Channel(models.TextChoices):
        APP = "app", _("In the application")
        EMAIL = "email", _("E-mail")
        PHONE = "phone", _("Phone")
        IN_PERSON = "in_person", _("In person")

    class RequesterKind(models.TextChoices):
        VISITOR = "visitor", _("Visitor")
        DETAINEE = "detainee", _("Detained person")
        RELATIVE = "relative", _("Relative")
        PARTNER = "partner", _("Partner organisation")
        LAWYER = "lawyer", pgettext_lazy("asked by", "Lawyer")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        NEW = "new", _("New")
        IN_PROGRESS = "in_progress", _("In progress")
        WAITING = "waiting", _("Waiting for information")
        ANSWERED = "answered", _("Answered")
        CLOSED = "closed", _("Closed")

    class Urgency(models.TextChoices):
        NORMAL = "normal", _("Normal")
        URGENT = "urgent", _("Urgent")

    # Waiting for the lawyer's work; "answered" is not closed: the asker may add to it.
    PENDING_STATUSES = (Status.NEW, Status.IN_PROGRESS, Status.WAITING)

    code = models.CharField(_("code"), max_length=20, unique=True, editable=False)
    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    channel = models.CharField(
        _("channel"), max_length=12, choices=Channel.choices, default=Channel.APP
    )
    requester_kind = models.CharField(
        _("asked by"), max_length=12, choices=RequesterKind.choices, default=RequesterKind.VISITOR
    )
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requester"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="help_requests",
    )
    # The requester's organisation when asked in the application: the lawyer may share
    # the request with it (HelpRequestGroupObjectPermission).
    organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="help_requests",
    )
    # An outside caller's contact: encrypted, read by legal only, erased after closing.
    contact_name = EncryptedTextField(_("contact name"), blank=True)
    contact_phone = EncryptedTextField(_("contact phone"), blank=True)
    contact_email = EncryptedTextField(_("contact e-mail"), blank=True)
    contact_erased_on = models.DateField(_("contact erased on"), null=True, blank=True)
    language = models.CharField(_("language"), max_length=2, choices=LANGUAGES, default="fr")
    topic = models.ForeignKey(
        Topic, verbose_name=_("topic"), on_delete=models.PROTECT, related_name="requests"
    )
    subject = models.CharField(
        _("subject"),
        max_length=200,
        help_text=_("A few words, without names: the question itself goes below."),
    )
    person = models.ForeignKey(
        "detainees.Person",
        verbose_name=_("case file"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="help_requests",
    )
    centre = models.ForeignKey(
        "centres.Centre",
        verbose_name=_("centre"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.NEW
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned to"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_help_requests",
    )
    urgency = models.CharField(
        _("urgency"), max_length=10, choices=Urgency.choices, default=Urgency.NORMAL
    )
    created_at = models.DateTimeField(_("asked"), default=timezone.now)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)
    # The service level: a first answer within 2 working days (legal/deadlines.py).
    first_answer_due = models.DateField(_("first answer due"), null=True, blank=True)
    first_answered_at = models.DateTimeField(_("first answered"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    # The nearest deadline still running (legal/services.py keeps it): the queue's order.
    next_deadline_at = models.DateTimeField(_("next deadline"), null=True, blank=True)
    # The words of the subject and the thread, stemmed in the request's language, on
    # PostgreSQL only (legal/search.py); a GIN index covers it there.
    search_vector = SearchVectorField(_("search words"), null=True, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = HelpRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("help request")
        verbose_name_plural = _("help requests")
        ordering = [models.F("next_deadline_at").asc(nulls_last=True), "created_at", "pk"]
        indexes = [
            models.Index(fields=["next_deadline_at", "created_at"], name="help_queue"),
            # The lawyer's queue by default: the open requests only, so that a filter
            # (asked by, topic) reads them alone, not the closed ones of past years
            # (48 ms -> 0.7 ms at 50,000 requests, 2,500 open).
            models.Index(
                fields=["next_deadline_at", "created_at"],
                name="help_queue_open",
                condition=~models.Q(status="closed"),
            ),
            models.Index(fields=["status", "next_deadline_at", "created_at"]),
            models.Index(fields=["requester", "created_at"]),
            models.Index(fields=["created_at"]),
        ]
        permissions = [("view_contact", "Can read the outside caller's contact")]

    def __str__(self):
        return self.code

    def save(self, *args, **kwargs):
        with transaction.atomic():
            if not self.code:
                year = (self.created_at or timezone.now()).year
                self.code = next_code(HelpRequest, "H", year)
            super().save(*args, **kwargs)

    @property
    def is_open(self) -> bool:
        return self.status != self.Status.CLOSED

    @property
    def has_contact(self) -> bool:
        return bool(self.contact_name or self.contact_phone or self.contact_email)


class HelpRequestUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(HelpRequest, on_delete=models.CASCADE)


class HelpRequestGroupObjectPermission(GroupObjectPermissionBase):
    """A request the lawyer shared with its requester's organisation (view_helprequest),
    granted to the organisation's group."""

    content_object = models.ForeignKey(HelpRequest, on_delete=models.CASCADE)


class Message(models.Model):
    """One entry of a request's thread."""

    class Kind(models.TextChoices):
        QUESTION = "question", _("Question")
        INFORMATION = "information", _("More information")
        ANSWER = "answer", _("Answer")
        NOTE = "note", _("Internal note")

    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    request = models.ForeignKey(
        HelpRequest, verbose_name=_("request"), on_delete=models.CASCADE, related_name="messages"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("written by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    text = models.TextField(_("text"))
    created_at = models.DateTimeField(_("written"), default=timezone.now)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["request", "created_at"])]

    def __str__(self):
        return f"{self.request} — {self.get_kind_display()}"

    @property
    def internal(self) -> bool:
        return self.kind == self.Kind.NOTE


class Attachment(models.Model):
    """A decision or a letter joined to a request: a PDF or an image, checked by its
    content, kept outside the web root (legal/attachments.py) and served only through a
    permission check. Deleted, file included, with its request."""

    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    request = models.ForeignKey(
        HelpRequest,
        verbose_name=_("request"),
        on_delete=models.CASCADE,
        related_name="attachments",
    )
    message = models.ForeignKey(
        Message,
        verbose_name=_("message"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="attachments",
    )
    file = models.CharField(_("file"), max_length=300, editable=False)
    name = models.CharField(_("name"), max_length=200)
    content_type = models.CharField(_("type"), max_length=60)
    size = models.PositiveIntegerField(_("size (bytes)"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("added by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("added"), auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return self.name

    @property
    def internal(self) -> bool:
        return self.message_id is not None and self.message.kind == Message.Kind.NOTE


class Deadline(models.Model):
    """A time limit running on a request: a rule and the moment the decision was
    notified give the due date (legal/deadlines.py), kept here with the reason for any
    move so that the queue sorts on it."""

    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    request = models.ForeignKey(
        HelpRequest, verbose_name=_("request"), on_delete=models.CASCADE, related_name="deadlines"
    )
    rule = models.ForeignKey(
        DeadlineRule, verbose_name=_("rule"), on_delete=models.PROTECT, related_name="+"
    )
    notified_on = models.DateField(_("notified on"))
    notified_at = models.TimeField(
        _("notified at"), null=True, blank=True, help_text=_("For a limit counted in hours.")
    )
    due_on = models.DateField(_("due on"))
    due_at = models.DateTimeField(_("due at"))  # the last moment: end of day for day rules
    reason = models.CharField(_("why this day"), max_length=300, blank=True)
    # A monthly request for release follows the person's detention (detainees).
    spell = models.ForeignKey(
        "detainees.DetentionSpell",
        verbose_name=_("detention"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    done = models.BooleanField(_("done"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("added by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("added"), auto_now_add=True)

    class Meta:
        verbose_name = _("deadline")
        verbose_name_plural = _("deadlines")
        ordering = ["due_at", "pk"]
        indexes = [models.Index(fields=["done", "due_at"])]

    def __str__(self):
        return f"{self.rule} — {self.due_on}"


class ReminderSent(models.Model):
    """One reminder e-mailed about one request to one person on one day: the unique row
    makes the morning job send it once, however many times the job runs."""

    class Kind(models.TextChoices):
        DEADLINE = "deadline", _("Deadline due")
        FIRST_ANSWER = "first_answer", _("First answer overdue")
        MONTHLY_RELEASE = "monthly_release", _("Monthly request for release")

    request = models.ForeignKey(
        HelpRequest, on_delete=models.CASCADE, related_name="reminders_sent"
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    on = models.DateField()
    kind = models.CharField(max_length=20, choices=Kind.choices)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["request", "recipient", "on"], name="one_reminder_per_request_a_day"
            )
        ]

    def __str__(self):
        return f"{self.request} → {self.recipient_id} on {self.on}"


# The directory, jurisprudence, newsletter, litigation, trainings and documents (issue 11).
from legal.library import (  # noqa: E402,F401
    Bar,
    Decision,
    DecisionFindingDismissal,
    Delivery,
    Hearing,
    Lawyer,
    LitigationCase,
    NewsItem,
    Newsletter,
    NewsletterDecision,
    QuarterReminder,
    Resource,
    Speciality,
    Training,
    TrainingMaterial,
)
