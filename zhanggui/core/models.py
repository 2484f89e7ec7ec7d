from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

# The tenant (SHOP-1). Core names the shops app's model and never imports it (core imports no app; see
# docs/developers.md, "Kernel"), the way Django names the user model with settings.AUTH_USER_MODEL.
SHOP_MODEL = "shops.Shop"


def shop_model():
    """The Shop model class, looked up in the app registry at run time."""
    return apps.get_model(SHOP_MODEL)


class Event(models.Model):
    """The timeline: who did what to which document, when, and from which state to which (TEAM-3)."""

    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="events",
        verbose_name=_("actor"),
    )
    # The 工号 at the moment of the event, kept even if the staff record changes later.
    actor_number = models.CharField(_("staff number"), max_length=32, blank=True)
    # no single-column FK indexes on shop and content type: the Meta indexes lead with them (fewer to write)
    shop = models.ForeignKey(
        SHOP_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("shop"),
        db_index=False,
    )
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, db_index=False)
    object_id = models.CharField(max_length=64)
    subject = GenericForeignKey("content_type", "object_id")
    object_label = models.CharField(_("object"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=64)
    from_state = models.CharField(_("from"), max_length=200, blank=True)
    to_state = models.CharField(_("to"), max_length=200, blank=True)
    note = models.TextField(_("note"), blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("timeline event")
        verbose_name_plural = _("timeline events")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["content_type", "object_id", "-at"]),
            models.Index(fields=["shop", "-at"]),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_number} {self.kind}"


class ApiToken(models.Model):
    """A personal API token. Only a SHA-256 digest is stored; the key is shown once at creation."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=60)
    prefix = models.CharField(max_length=12, db_index=True)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class Job(models.Model):
    """A long-running background job whose progress a page can show (imports, exports, reports)."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    kind = models.CharField(_("kind"), max_length=64)
    title = models.CharField(_("title"), max_length=200)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.QUEUED)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    message = models.CharField(_("message"), max_length=500, blank=True)
    params = models.JSONField(default=dict, blank=True)
    result = models.JSONField(default=dict, blank=True)
    result_file = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="jobs",
    )
    shop = models.ForeignKey(SHOP_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # core.jobs: the task to run (again), the process running it and its last sign of life; a job whose process
    # died is failed with that reason and may be started again (resumable).
    task = models.CharField(max_length=200, blank=True)
    worker = models.CharField(max_length=200, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    resumable = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("background job")
        verbose_name_plural = _("background jobs")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return int(self.done * 100 / self.total) if self.total else 0


class CompanySettingValue(models.Model):
    """The manager's value for one company-wide registered setting (rule 6); absent = the documented default.

    Kept apart from the per-shop values (shops.ShopSettingValue) rather than as rows with shop = NULL: a plain
    unique key gives one value per setting in the database (NULL shops would need a partial constraint), per-shop
    reads never have to filter company rows out, and the kernel that owns the registry stores these without
    depending on the shops app.
    """

    key = models.CharField(max_length=80, unique=True)
    value = models.JSONField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("company setting")
        verbose_name_plural = _("company settings")
        permissions = [("change_company_settings", _("Can change company settings"))]

    def __str__(self) -> str:
        return self.key


class Sequence(models.Model):
    """The running counter behind every number the company issues (manual orders, packages, print batches): one row
    per sequence name and day, raised by one atomic UPDATE … RETURNING, so two people can never get the same
    number (core.sequences)."""

    name = models.CharField(max_length=40)
    day = models.DateField()
    last = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = _("number sequence")
        verbose_name_plural = _("number sequences")
        constraints = [models.UniqueConstraint(fields=["name", "day"], name="core_sequence_name_day")]

    def __str__(self) -> str:
        return f"{self.name} {self.day:%Y-%m-%d} #{self.last}"


class SubmittedForm(models.Model):
    """A form or API write carried this idempotency key and created this object: a second submit with the same key
    answers with the object of the first (core.sequences.submit_once)."""

    scope = models.CharField(max_length=40)
    key = models.CharField(max_length=64)
    object_id = models.BigIntegerField(null=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("submitted form")
        verbose_name_plural = _("submitted forms")
        constraints = [models.UniqueConstraint(fields=["scope", "key"], name="core_submittedform_scope_key")]

    def __str__(self) -> str:
        return f"{self.scope} {self.key}"


class OfficialCalendar(models.Model):
    """The official holidays and make-up working days (调休) of a year that chinese-calendar does not know yet,
    entered by the manager from the State Council's notice (`source`). `core.clock` reads it for business days."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    source = models.CharField(_("source"), max_length=300)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    entered_at = models.DateTimeField(_("entered"), auto_now=True)

    class Meta:
        verbose_name = _("official calendar")
        verbose_name_plural = _("official calendars")
        ordering = ["-year"]

    def __str__(self) -> str:
        return str(self.year)


class OfficialDay(models.Model):
    """One day of an entered official calendar: a day off of a holiday, or a weekend day worked (调休)."""

    calendar = models.ForeignKey(OfficialCalendar, on_delete=models.CASCADE, related_name="days")
    day = models.DateField(_("day"), unique=True)
    day_off = models.BooleanField(_("day off"))  # False: a make-up working day (调休上班)
    holiday = models.CharField(_("holiday"), max_length=40)  # chinese-calendar's name, e.g. "National Day"

    class Meta:
        verbose_name = _("official day")
        verbose_name_plural = _("official days")
        ordering = ["day"]

    def __str__(self) -> str:
        return f"{self.day:%Y-%m-%d} {'休' if self.day_off else '班'}"
