import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from move.accounts import permissions


class KeyCanary(models.Model):
    """One value encrypted with the key in use: a wrong key is noticed at start-up
    (crypto.verify_keys), before anything is read or written with it."""

    VALUE = "move-encryption-canary"

    token = models.TextField()

    class Meta:
        verbose_name = _("encryption check")

    def __str__(self):
        return "canary"


class AppendOnly(Exception):
    """The access log is never changed nor deleted."""


class AccessLogQuerySet(models.QuerySet):
    def visible_to(self, user):
        return permissions.all_if(self, user, "privacy.view_access_log")

    def update(self, **kwargs):
        raise AppendOnly("The access log is append-only.")

    def delete(self):
        raise AppendOnly("The access log is append-only.")


class AccessLogEntry(models.Model):
    """Who read or handled whose personal data, when, and from which page. Written by
    `move.privacy.access.record`, read by coordinators, changed by nobody (a trigger
    refuses UPDATE and DELETE on PostgreSQL)."""

    class Action(models.TextChoices):
        READ_IDENTITY = "read_identity", _("Read the identity")
        CHANGE_IDENTITY = "change_identity", _("Changed the identity")
        SHARE = "share", _("Shared the case file")
        UNSHARE = "unshare", _("Withdrew a share")
        EXPORT = "export", _("Exported everything held")
        DOWNLOAD = "download", _("Downloaded an export")
        ERASE = "erase", _("Erased the person")
        RETENTION = "retention", _("Erased by the retention rules")
        READ_CONTACT = "read_contact", _("Read the contact of a help desk caller")

    at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    # PROTECT: an account that read personal data is switched off, never deleted, so
    # that the log keeps who it was (the database refuses to rewrite the log anyway).
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # Kept as written: the account may be renamed or removed later.
    user_label = models.CharField(_("who"), max_length=254)
    action = models.CharField(_("what"), max_length=20, choices=Action.choices)
    subject = models.CharField(_("person"), max_length=40, db_index=True)
    page = models.CharField(_("page"), max_length=300, blank=True)
    detail = models.CharField(_("detail"), max_length=300, blank=True)

    objects = AccessLogQuerySet.as_manager()

    class Meta:
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["user", "at"])]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.user_label} {self.action} {self.subject}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnly("The access log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnly("The access log is append-only.")


class JobQuerySet(models.QuerySet):
    def visible_to(self, user):
        # A job and its file are its requester's alone.
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(owner=user)


class Job(models.Model):
    """A long piece of work started from a page (an export): its status and progress
    are shown while a worker does it, and its file is downloaded by its owner only.

    It survives a worker that dies half-way (move/privacy/jobs.py): it records the task
    that does it and its arguments, the worker stamps `heartbeat_at` at each step, and a
    job silent for too long is queued again (`attempts` counts the runs it was given) or
    failed. `run` names the run that holds it: a late run that lost it writes nothing."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        PROCESSING = "processing", _("In progress")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    code = models.UUIDField(_("code"), default=uuid.uuid4, unique=True, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.CASCADE,
        related_name="jobs",
    )
    kind = models.CharField(_("kind"), max_length=40)
    subject = models.CharField(_("about"), max_length=40, db_index=True)
    language = models.CharField(_("language"), max_length=2, default="fr")
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PENDING
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    step = models.CharField(_("current step"), max_length=200, blank=True)
    file = models.CharField(_("file"), max_length=300, blank=True)
    filename = models.CharField(_("file name"), max_length=200, blank=True)
    last_error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("requested on"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished on"), null=True, blank=True)
    # What does the work, to queue it again: a Celery task name and its arguments.
    task = models.CharField(_("task"), max_length=200, blank=True)
    arguments = models.JSONField(_("arguments"), default=list, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    # The last sign of life: queued, claimed by a worker, or a step done.
    heartbeat_at = models.DateTimeField(_("last heard of"), null=True, blank=True)
    run = models.UUIDField(_("run"), null=True, blank=True, editable=False)

    objects = JobQuerySet.as_manager()

    class Meta:
        verbose_name = _("job")
        verbose_name_plural = _("jobs")
        ordering = ["-created_at"]
        indexes = [
            # What recover_jobs reads each minute: the unfinished jobs, by their last sign.
            models.Index(
                fields=["heartbeat_at"],
                name="privacy_job_unfinished",
                condition=models.Q(status__in=["pending", "processing"]),
            )
        ]

    def __str__(self):
        return f"{self.kind} {self.subject} ({self.status})"

    @property
    def done(self) -> bool:
        return self.status in (self.Status.READY, self.Status.FAILED)
