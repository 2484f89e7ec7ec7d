from django.contrib.auth.models import AbstractBaseUser, Group, PermissionsMixin, UserManager
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

number_validator = RegexValidator(r"^[A-Za-z0-9_-]{2,16}$", _("Staff number: 2–16 letters, digits, - or _"))


class StaffManager(UserManager):
    use_in_migrations = True

    def create_user(self, number, password=None, **extra):
        staff = self.model(number=number, **extra)
        staff.set_password(password)
        staff.save(using=self._db)
        return staff

    def create_superuser(self, number, password=None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        extra.setdefault("all_shops", True)
        extra.setdefault("name", number)
        return self.create_user(number, password, **extra)


class Staff(AbstractBaseUser, PermissionsMixin):
    """A team member who logs in with their 工号 (TEAM-3). Roles are auth groups (TEAM-1)."""

    number = models.CharField(_("staff number"), max_length=16, unique=True, validators=[number_validator])
    name = models.CharField(_("name"), max_length=40)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(_("admin site access"), default=False)
    # Shop scope: a person sees the shops assigned to them, or every shop.
    all_shops = models.BooleanField(_("all shops"), default=False)
    shops = models.ManyToManyField("shops.Shop", blank=True, related_name="staff", verbose_name=_("shops"))
    date_joined = models.DateTimeField(auto_now_add=True)

    objects = StaffManager()

    USERNAME_FIELD = "number"
    REQUIRED_FIELDS = ["name"]

    class Meta:
        verbose_name = _("staff member")
        verbose_name_plural = _("staff")
        ordering = ["number"]

    def __str__(self) -> str:
        return f"{self.number} {self.name}"

    def get_full_name(self) -> str:
        return self.name

    def get_short_name(self) -> str:
        return self.name


class Role(models.Model):
    """A role (店长, 客服, …) = one auth group plus its code and place in the duty chart."""

    code = models.CharField(max_length=20, unique=True)
    group = models.OneToOneField(Group, on_delete=models.CASCADE, related_name="role")
    position = models.PositiveSmallIntegerField(default=0)
    all_shops = models.BooleanField(default=False)

    class Meta:
        ordering = ["position"]

    def __str__(self) -> str:
        return self.group.name

    @property
    def name(self) -> str:
        return self.group.name


class Duty(models.Model):
    """A duty that must have an owner (TEAM-2), belonging to a role."""

    role = models.ForeignKey(Role, on_delete=models.CASCADE, related_name="duties")
    title = models.CharField(_("duty"), max_length=60)
    position = models.PositiveSmallIntegerField(default=0)
    owners = models.ManyToManyField(Staff, blank=True, related_name="duties", verbose_name=_("owners"))

    class Meta:
        ordering = ["role__position", "position"]
        constraints = [models.UniqueConstraint(fields=["role", "title"], name="uniq_duty")]

    def __str__(self) -> str:
        return self.title


class Task(models.Model):
    """Work handed to a role (or a person) by the system, e.g. PUR-4: a restock differs from the earlier batch, so
    the editor and the designer update images, description and price. Shown under 我的待办 until done."""

    title = models.CharField(_("task"), max_length=120)
    detail = models.TextField(_("detail"), blank=True)
    role = models.ForeignKey(Role, null=True, blank=True, on_delete=models.CASCADE, related_name="tasks")
    assignee = models.ForeignKey(Staff, null=True, blank=True, on_delete=models.CASCADE, related_name="tasks")
    shop = models.ForeignKey("shops.Shop", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    url = models.CharField(_("link"), max_length=200, blank=True)
    source = models.CharField(max_length=80, blank=True)  # e.g. "receipt:12" — one task per source and role
    rule = models.CharField(max_length=16, blank=True)  # the requirement it comes from, e.g. PUR-4
    created_by = models.ForeignKey(Staff, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(Staff, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        ordering = ["done_at", "-created_at"]
        indexes = [models.Index(fields=["role", "done_at"]), models.Index(fields=["source"])]

    def __str__(self) -> str:
        return self.title
