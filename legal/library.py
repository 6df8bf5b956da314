"""The other half of the legal app (issue 11): the directory of lawyers who practise
detention law, the jurisprudence, the quarterly newsletter and its deliveries, the
strategic cases the coalition follows, its trainings and its documents.

Imported by legal/models.py, so that Django finds these models in the `legal` app.

Access (DESIGN.md §3): the directory and the jurisprudence are read by every internal
role and written by legal and coordinators; a newsletter is written by legal and public
once published; decisions, litigation, trainings and internal documents are internal.
None of these records belongs to an organisation: the rule is by role
(move/accounts/permissions.py), and every list is built with `visible_to(user)`.
"""

import uuid

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import connection, models
from django.db.models.expressions import RawSQL
from django.utils.translation import gettext_lazy as _

from move.accounts import permissions
from move.written import Condition

NEWSLETTER_LANGUAGES = [("fr", _("French")), ("nl", _("Dutch"))]

# Languages a lawyer may speak with a client (the newsletter itself is fr or nl).
SPOKEN_LANGUAGES = [
    ("fr", _("French")),
    ("nl", _("Dutch")),
    ("en", _("English")),
    ("de", _("German")),
    ("ar", _("Arabic")),
    ("es", _("Spanish")),
    ("pt", _("Portuguese")),
    ("ru", _("Russian")),
    ("tr", _("Turkish")),
]

# The provinces and Brussels, for "a lawyer near Merksplas" as well as the centres.
REGIONS = [
    ("brussels", _("Brussels")),
    ("antwerp", _("Antwerp")),
    ("limburg", _("Limburg")),
    ("east-flanders", _("East Flanders")),
    ("west-flanders", _("West Flanders")),
    ("flemish-brabant", _("Flemish Brabant")),
    ("walloon-brabant", _("Walloon Brabant")),
    ("hainaut", _("Hainaut")),
    ("liege", _("Liège")),
    ("luxembourg", _("Luxembourg")),
    ("namur", _("Namur")),
]


class Court(models.TextChoices):
    CCE = "cce", _("Council for Alien Law Litigation (CCE/RvV)")
    COUNCIL_CHAMBER = "council_chamber", _("Council chamber (chambre du conseil/raadkamer)")
    INDICTMENT_CHAMBER = (
        "indictment_chamber",
        _("Indictment chamber (chambre des mises en accusation/KI)"),
    )
    CASSATION = "cassation", _("Court of Cassation")
    COUNCIL_OF_STATE = "council_of_state", _("Council of State")
    CONSTITUTIONAL = "constitutional", _("Constitutional Court")
    ECTHR = "ecthr", _("European Court of Human Rights")
    CJEU = "cjeu", _("Court of Justice of the European Union")
    OTHER = "other", _("Other court")


def has_code(field: str, code: str) -> Condition:
    """Rows whose space-separated codes in `field` include `code` (any database): the
    directory's languages and regions, the witness pool's scopes (advocacy). Written out
    (move/written.py) rather than as four ORM lookups built at each request: the same
    condition, without their cost in the directory's filters."""
    like = connection.ops.prep_for_like_query(code)
    pattern = "{0} LIKE %s ESCAPE '\\'"
    return Condition(
        f"({{0}} = %s OR {pattern} OR {pattern} OR {pattern})",
        (code, f"{like} %", f"% {like}", f"% {like} %"),
        field,
    )


# --- Reference data -------------------------------------------------------------------


class ReferenceQuerySet(models.QuerySet):
    def visible_to(self, user):
        return permissions.all_if(self, user, "legal.view_directory")


class Bar(models.Model):
    """A Belgian bar (Ordre des avocats / Orde van Advocaten), in French and Dutch
    (legal/translation.py); seeded by migration 0004."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    position = models.PositiveSmallIntegerField(_("position in lists"), default=0)

    objects = ReferenceQuerySet.as_manager()

    class Meta:
        verbose_name = _("bar")
        verbose_name_plural = _("bars")
        ordering = ["position", "code"]

    def __str__(self):
        return self.name


class Speciality(models.Model):
    """A field of law a lawyer practises (detention, asylum, Dublin…), in fr and nl."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    position = models.PositiveSmallIntegerField(_("position in lists"), default=0)

    objects = ReferenceQuerySet.as_manager()

    class Meta:
        verbose_name = _("speciality")
        verbose_name_plural = _("specialities")
        ordering = ["position", "code"]

    def __str__(self):
        return self.name


# --- The lawyer directory -------------------------------------------------------------


def linked_to(model, field: str, pk) -> RawSQL:
    """The pks of `model` linked through the many-to-many `field` to the row `pk`, as a
    subquery written out (one link row per pair: no duplicates, no join to build)."""
    link, quote = model._meta.get_field(field), connection.ops.quote_name
    table = quote(link.remote_field.through._meta.db_table)
    own, other = quote(link.m2m_column_name()), quote(link.m2m_reverse_name())
    return RawSQL(f"SELECT {own} FROM {table} WHERE {other} = %s", (pk,))


class LawyerQuerySet(models.QuerySet):
    def visible_to(self, user):
        return permissions.all_if(self, user, "legal.view_directory")

    def speaking(self, code: str):
        return self.filter(has_code("languages", code))

    def in_region(self, code: str):
        return self.filter(has_code("regions", code))

    def subscribed(self):
        """Those the newsletter goes to: subscribed and not unsubscribed since."""
        return self.filter(subscribed=True, unsubscribed_on__isnull=True).exclude(email="")


class Lawyer(models.Model):
    """A lawyer who practises detention law. A professional contact: the newsletter is
    sent on the basis recorded here (consent, or legitimate interest), and stops the day
    they unsubscribe."""

    class Basis(models.TextChoices):
        CONSENT = "consent", _("Consent recorded")
        LEGITIMATE_INTEREST = "legitimate_interest", _("Legitimate interest (professional contact)")

    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=200)
    firm = models.CharField(_("firm"), max_length=200, blank=True)
    bar = models.ForeignKey(
        Bar, verbose_name=_("bar"), on_delete=models.PROTECT, related_name="lawyers"
    )
    # Space-separated codes of SPOKEN_LANGUAGES and REGIONS (LawyerQuerySet.speaking, has_code).
    languages = models.CharField(_("languages"), max_length=60, blank=True)
    specialities = models.ManyToManyField(
        Speciality, verbose_name=_("specialities"), blank=True, related_name="lawyers"
    )
    legal_aid = models.BooleanField(_("takes legal-aid cases"), default=False)
    centres = models.ManyToManyField(
        "centres.Centre", verbose_name=_("centres covered"), blank=True, related_name="lawyers"
    )
    regions = models.CharField(_("regions covered"), max_length=200, blank=True)
    # Lower-cased on save: the import finds a lawyer again by it.
    email = models.EmailField(_("e-mail"), max_length=254, unique=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)  # E.164
    notes = models.TextField(_("notes"), blank=True)
    subscribed = models.BooleanField(_("receives the newsletter"), default=False)
    subscription_basis = models.CharField(
        _("legal basis of the subscription"), max_length=20, choices=Basis.choices, blank=True
    )
    subscribed_on = models.DateField(_("subscribed on"), null=True, blank=True)
    newsletter_language = models.CharField(
        _("language of the newsletter"), max_length=2, choices=NEWSLETTER_LANGUAGES, default="fr"
    )
    unsubscribed_on = models.DateField(_("unsubscribed on"), null=True, blank=True)
    created_at = models.DateTimeField(_("added"), auto_now_add=True)
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    objects = LawyerQuerySet.as_manager()

    class Meta:
        verbose_name = _("lawyer")
        verbose_name_plural = _("lawyers")
        ordering = ["name", "pk"]
        indexes = [models.Index(fields=["name", "id"], name="lawyer_by_name")]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.email = (self.email or "").strip().lower()
        super().save(*args, **kwargs)

    def clean(self):
        if self.subscribed and not self.subscription_basis:
            raise ValidationError(
                {"subscription_basis": _("Say on which legal basis the newsletter is sent.")}
            )

    @property
    def language_list(self) -> list[str]:
        return self.languages.split()

    @property
    def region_list(self) -> list[str]:
        return self.regions.split()


# --- Jurisprudence --------------------------------------------------------------------

ECLI_RE = r"^ECLI:[A-Z]{2}:[A-Z0-9]{1,7}:[0-9]{4}:[A-Z0-9.]{1,25}$"
ecli_validator = RegexValidator(
    ECLI_RE,
    _(
        "An ECLI reads ECLI:country:court:year:number, for instance "
        "ECLI:BE:RVV:2022:ARR.271234 (capital letters, digits and dots)."
    ),
    code="ecli",
)


class DecisionQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Those who keep the jurisprudence read the drafts too (their summaries may
        still hold personal data); the other internal roles the published decisions."""
        if permissions.has_perm(user, "legal.change_jurisprudence"):
            return self.all()
        return permissions.all_if(self, user, "legal.view_jurisprudence").published()

    def published(self):
        return self.filter(status=Decision.Status.PUBLISHED)

    def public(self):
        """What the public pages (the newsletter archive) may show."""
        return self.published().filter(public=True)


class Decision(models.Model):
    """A court decision the coalition keeps: title and summary in French and Dutch
    (legal/translation.py), pseudonymised; published only once the PII scanner finds
    nothing unresolved in its summaries."""

    class Outcome(models.TextChoices):
        FAVOURABLE = "favourable", _("In the person's favour")
        PARTLY = "partly", _("Partly in the person's favour")
        UNFAVOURABLE = "unfavourable", _("Against the person")
        INADMISSIBLE = "inadmissible", _("Inadmissible")
        REFERRAL = "referral", _("Question referred to a higher court")
        OTHER = "other", _("Other outcome")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    court = models.CharField(_("court"), max_length=30, choices=Court.choices)
    district = models.CharField(
        _("judicial district"),
        max_length=80,
        blank=True,
        help_text=_("For a council chamber or an indictment chamber: Brussels, Leuven…"),
    )
    date = models.DateField(_("date of the decision"))
    reference = models.CharField(_("reference"), max_length=80, blank=True)
    ecli = models.CharField(
        _("ECLI"), max_length=80, blank=True, validators=[ecli_validator], db_index=True
    )
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices)
    # Translated: title_fr, title_nl, summary_fr, summary_nl (legal/translation.py).
    title = models.CharField(_("title"), max_length=300, blank=True)
    summary = models.TextField(_("summary"), blank=True)
    themes = models.ManyToManyField(
        "visits.Theme", verbose_name=_("themes"), blank=True, related_name="decisions"
    )
    # The pseudonymised decision itself, kept outside the web root (MEDIA_ROOT/private).
    pdf = models.CharField(_("PDF of the decision"), max_length=300, blank=True, editable=False)
    pdf_name = models.CharField(_("file name"), max_length=200, blank=True, editable=False)
    public = models.BooleanField(
        _("public"), default=False, help_text=_("May appear in the public newsletter.")
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT
    )
    published_at = models.DateTimeField(_("published on"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("added by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("added"), auto_now_add=True)
    updated_at = models.DateTimeField(_("changed"), auto_now=True)
    # Title and summary in both languages, French and Dutch stemming (PostgreSQL only).
    search_vector = SearchVectorField(_("search words"), null=True, editable=False)

    objects = DecisionQuerySet.as_manager()

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        ordering = ["-date", "-pk"]
        indexes = [models.Index(fields=["court", "date"], name="decision_by_court")]
        constraints = [
            models.UniqueConstraint(
                fields=["ecli"], condition=~models.Q(ecli=""), name="one_decision_per_ecli"
            )
        ]

    def __str__(self):
        return self.title or self.reference or str(self.date)

    @property
    def missing_languages(self) -> list[str]:
        """The languages ("fr", "nl") whose title or summary is still empty."""
        return [
            code
            for code in ("fr", "nl")
            if not (getattr(self, f"title_{code}") and getattr(self, f"summary_{code}"))
        ]


class DecisionFindingDismissal(models.Model):
    """A finding of the PII scanner in a decision's summary that legal judged harmless,
    with the reason: kept as the record of that judgement."""

    decision = models.ForeignKey(
        Decision, verbose_name=_("decision"), on_delete=models.CASCADE, related_name="dismissals"
    )
    kind = models.CharField(_("kind of data"), max_length=40)
    text = models.CharField(_("text found"), max_length=300)
    reason = models.CharField(_("reason"), max_length=500)
    dismissed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("dismissed by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    dismissed_at = models.DateTimeField(_("dismissed on"), auto_now_add=True)

    class Meta:
        verbose_name = _("dismissed finding")
        verbose_name_plural = _("dismissed findings")
        constraints = [
            models.UniqueConstraint(
                fields=["decision", "kind", "text"], name="one_dismissal_per_decision_finding"
            )
        ]

    def __str__(self):
        return f"{self.kind}: {self.text}"


# --- The quarterly newsletter ---------------------------------------------------------


class NewsletterQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Drafts and sent ones alike: legal and coordinators (the public reads the
        published ones through `published()`)."""
        return permissions.all_if(self, user, "legal.view_newsletter")

    def published(self):
        return self.filter(status=Newsletter.Status.PUBLISHED)


class Newsletter(models.Model):
    """The quarter's legal newsletter: an editorial in French and Dutch, the quarter's
    decisions in the order chosen, news items. Published once, its PDFs stored, then
    e-mailed to every subscribed lawyer once (Delivery)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SENDING = "sending", _("Being sent")
        PUBLISHED = "published", _("Published")

    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    quarter = models.PositiveSmallIntegerField(
        _("quarter"), validators=[MinValueValidator(1), MaxValueValidator(4)]
    )
    # Translated: title_fr/nl, editorial_fr/nl (legal/translation.py).
    title = models.CharField(_("title"), max_length=200, blank=True)
    editorial = models.TextField(_("editorial"), blank=True)
    decisions = models.ManyToManyField(
        Decision,
        verbose_name=_("decisions"),
        through="NewsletterDecision",
        related_name="newsletters",
        blank=True,
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT
    )
    # The stored PDFs, under MEDIA_ROOT/private/newsletters/ (served by the public view).
    pdf_fr = models.CharField(_("PDF in French"), max_length=300, blank=True, editable=False)
    pdf_nl = models.CharField(_("PDF in Dutch"), max_length=300, blank=True, editable=False)
    published_at = models.DateTimeField(_("published on"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("published by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # The job that renders and sends it (move.privacy.models.Job), shown with progress.
    job = models.ForeignKey(
        "privacy.Job",
        verbose_name=_("job"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(_("added"), auto_now_add=True)
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    objects = NewsletterQuerySet.as_manager()

    class Meta:
        verbose_name = _("newsletter")
        verbose_name_plural = _("newsletters")
        ordering = ["-year", "-quarter"]
        constraints = [
            models.UniqueConstraint(fields=["year", "quarter"], name="one_newsletter_a_quarter")
        ]

    def __str__(self):
        return f"{self.year} Q{self.quarter}"

    @property
    def slug(self) -> str:
        """Its address in the public archive: /newsletter/2022-q1/."""
        return f"{self.year}-q{self.quarter}"

    def pdf_path(self, language: str) -> str:
        return getattr(self, f"pdf_{language}")


class NewsletterDecision(models.Model):
    """A decision chosen for a newsletter, in its place."""

    newsletter = models.ForeignKey(
        Newsletter, on_delete=models.CASCADE, related_name="chosen_decisions"
    )
    decision = models.ForeignKey(Decision, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("decision of a newsletter")
        verbose_name_plural = _("decisions of a newsletter")
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["newsletter", "decision"], name="a_decision_once_a_newsletter"
            )
        ]

    def __str__(self):
        return f"{self.newsletter} — {self.decision}"


class NewsItem(models.Model):
    """A short piece of news in a newsletter (title and text in fr and nl)."""

    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    newsletter = models.ForeignKey(
        Newsletter, verbose_name=_("newsletter"), on_delete=models.CASCADE, related_name="news"
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    # Translated: title_fr/nl, body_fr/nl.
    title = models.CharField(_("title"), max_length=200, blank=True)
    body = models.TextField(_("text"), blank=True)

    class Meta:
        verbose_name = _("news item")
        verbose_name_plural = _("news items")
        ordering = ["position", "pk"]

    def __str__(self):
        return self.title


class Delivery(models.Model):
    """The newsletter e-mailed to one lawyer: one row each, unique, so that a job run
    twice or retried after a killed worker sends every lawyer one e-mail."""

    class Status(models.TextChoices):
        PENDING = "pending", _("To send")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Refused")

    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    newsletter = models.ForeignKey(
        Newsletter,
        verbose_name=_("newsletter"),
        on_delete=models.CASCADE,
        related_name="deliveries",
    )
    lawyer = models.ForeignKey(
        Lawyer, verbose_name=_("lawyer"), on_delete=models.CASCADE, related_name="deliveries"
    )
    email = models.EmailField(_("sent to"), max_length=254)
    language = models.CharField(_("language"), max_length=2, choices=NEWSLETTER_LANGUAGES)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("reason of the refusal"), blank=True)
    sent_at = models.DateTimeField(_("sent on"), null=True, blank=True)
    created_at = models.DateTimeField(_("added"), auto_now_add=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["newsletter", "lawyer"], name="one_delivery_per_newsletter_and_lawyer"
            )
        ]
        indexes = [models.Index(fields=["newsletter", "status"], name="delivery_by_status")]

    def __str__(self):
        return f"{self.newsletter} → {self.email}"


class QuarterReminder(models.Model):
    """The reminder that a quarter ended without a newsletter, sent once to one person."""

    year = models.PositiveSmallIntegerField()
    quarter = models.PositiveSmallIntegerField()
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["year", "quarter", "recipient"], name="one_quarter_reminder_each"
            )
        ]

    def __str__(self):
        return f"{self.year} Q{self.quarter}"


# --- Strategic litigation -------------------------------------------------------------


class LitigationCaseQuerySet(models.QuerySet):
    def visible_to(self, user):
        return permissions.all_if(self, user, "legal.view_jurisprudence")


class LitigationCase(models.Model):
    """A strategic case the coalition supports, joins or follows. Parties are named
    only as the public judgment names them."""

    class Role(models.TextChoices):
        SUPPORT = "support", _("Support")
        INTERVENTION = "intervention", _("Third-party intervention")
        FOLLOW = "follow", _("Follow")

    class Status(models.TextChoices):
        PREPARING = "preparing", _("In preparation")
        PENDING = "pending", _("Pending before the court")
        DECIDED = "decided", _("Decided")
        CLOSED = "closed", _("Closed")

    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    title = models.CharField(_("title"), max_length=200)
    court = models.CharField(_("court"), max_length=30, choices=Court.choices)
    reference = models.CharField(_("reference"), max_length=80, blank=True)
    our_role = models.CharField(_("our role"), max_length=20, choices=Role.choices)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PREPARING
    )
    parties = models.CharField(
        _("parties"),
        max_length=300,
        blank=True,
        help_text=_("Only as the public judgment names them (initials, application number)."),
    )
    summary = models.TextField(_("summary"), blank=True)
    decisions = models.ManyToManyField(
        Decision, verbose_name=_("decisions"), blank=True, related_name="litigation_cases"
    )
    help_requests = models.ManyToManyField(
        "legal.HelpRequest",
        verbose_name=_("help requests"),
        blank=True,
        related_name="litigation_cases",
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

    objects = LitigationCaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("litigation case")
        verbose_name_plural = _("litigation cases")
        ordering = ["-updated_at", "-pk"]

    def __str__(self):
        return self.title


class Hearing(models.Model):
    """A hearing of a case: legal is reminded the week before (once: `reminded_at`)."""

    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(
        LitigationCase, verbose_name=_("case"), on_delete=models.CASCADE, related_name="hearings"
    )
    starts_at = models.DateTimeField(_("date and time"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    note = models.TextField(_("note"), blank=True)
    reminded_at = models.DateTimeField(_("reminder sent on"), null=True, blank=True)
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    class Meta:
        verbose_name = _("hearing")
        verbose_name_plural = _("hearings")
        ordering = ["starts_at", "pk"]
        indexes = [models.Index(fields=["starts_at"], name="hearing_by_date")]

    def __str__(self):
        return f"{self.case} — {self.starts_at:%Y-%m-%d}"


# --- Trainings and the coalition's documents -----------------------------------------


class TrainingQuerySet(models.QuerySet):
    def visible_to(self, user):
        return permissions.all_if(self, user, "legal.view_jurisprudence")


class Training(models.Model):
    """A training given by the coalition (to visitors, partners such as the Red Cross,
    bars), with its attendance and materials."""

    class Audience(models.TextChoices):
        VISITORS = "visitors", _("Visitors")
        PARTNERS = "partners", _("Partners")
        BARS = "bars", _("Bars and lawyers")
        OTHER = "other", _("Other audience")

    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    topic = models.CharField(_("topic"), max_length=200)
    date = models.DateField(_("date"))
    audience = models.CharField(_("audience"), max_length=12, choices=Audience.choices)
    audience_detail = models.CharField(
        _("audience (detail)"), max_length=200, blank=True, help_text=_("E.g. the Red Cross.")
    )
    trainer = models.CharField(_("trainer"), max_length=200)
    language = models.CharField(
        _("language"), max_length=2, choices=NEWSLETTER_LANGUAGES + [("en", _("English"))]
    )
    attendance = models.PositiveSmallIntegerField(_("attendance"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(_("added"), auto_now_add=True)
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    objects = TrainingQuerySet.as_manager()

    class Meta:
        verbose_name = _("training")
        verbose_name_plural = _("trainings")
        ordering = ["-date", "-pk"]

    def __str__(self):
        return self.topic


class TrainingMaterial(models.Model):
    """A file used in a training (slides, handout), served through a permission check."""

    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    training = models.ForeignKey(
        Training, verbose_name=_("training"), on_delete=models.CASCADE, related_name="materials"
    )
    file = models.CharField(_("file"), max_length=300, editable=False)
    name = models.CharField(_("name"), max_length=200)
    content_type = models.CharField(_("type"), max_length=80)
    size = models.PositiveIntegerField(_("size (bytes)"))
    created_at = models.DateTimeField(_("added"), auto_now_add=True)

    class Meta:
        verbose_name = _("training material")
        verbose_name_plural = _("training materials")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return self.name


class ResourceQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Internal roles read every document; anybody else the public ones."""
        if permissions.has_perm(user, "legal.view_jurisprudence"):
            return self.all()
        return self.filter(public=True)


class Resource(models.Model):
    """One of the coalition's documents (the legal toolkit, the vade-mecums for lawyers,
    the guide for parliamentarians), with a file in French and one in Dutch."""

    class Kind(models.TextChoices):
        TOOLKIT = "toolkit", _("Legal toolkit")
        VADE_MECUM = "vade_mecum", _("Vade-mecum")
        GUIDE = "guide", _("Guide")
        OTHER = "other", _("Other document")

    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    # Translated: title_fr/nl, description_fr/nl.
    title = models.CharField(_("title"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    file_fr = models.CharField(_("file in French"), max_length=300, blank=True, editable=False)
    file_nl = models.CharField(_("file in Dutch"), max_length=300, blank=True, editable=False)
    public = models.BooleanField(_("public"), default=False)
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    objects = ResourceQuerySet.as_manager()

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["kind", "pk"]

    def __str__(self):
        return self.title or self.get_kind_display()

    def file_path(self, language: str) -> str:
        return getattr(self, f"file_{language}")
