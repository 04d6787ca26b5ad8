"""The user: logs in by e-mail, holds roles (groups) and a professional profile."""

from __future__ import annotations

from functools import cached_property
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_otp.models import Device

from tigre.lib.specialties import Specialty
from tigre.lib.validators import validate_finess, validate_mssante_address, validate_rpps

from .roles import ALL_CASES_ROLES, Role


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create(self, email: str, password: str | None, **extra: Any) -> User:
        if not email:
            raise ValueError("An e-mail address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra["is_staff"] = True
        extra["is_superuser"] = True
        return self._create(email, password, **extra)

    def get_by_natural_key(self, username: str | None) -> User:
        return self.get(email__iexact=username)


class Centre(models.Model):
    """A hospital or clinic: users and referents belong to one, requests name the patient's."""

    class Kind(models.TextChoices):
        COORDINATING_CHU = "chu", _("CHU coordonnateur")
        HOSPITAL = "hospital", _("Centre hospitalier")
        CANCER_CENTRE = "cancer_centre", _("Centre de lutte contre le cancer")
        PRIVATE_CLINIC = "clinic", _("Clinique privée")

    name = models.CharField(_("nom"), max_length=200)
    city = models.CharField(_("ville"), max_length=100)
    kind = models.CharField(_("type"), max_length=16, choices=Kind.choices, default=Kind.HOSPITAL)
    finess = models.CharField(_("numéro FINESS"), max_length=9, blank=True, validators=[validate_finess])

    class Meta:
        # The table keeps the name it had in the referents app, where the model was first (moved here because
        # users belong to a centre and this layer depends on no app: docs/architecture.md).
        db_table = "referents_centre"
        verbose_name = _("centre")
        verbose_name_plural = _("centres")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["name", "city"], name="centre_unique_name_city"),
            models.UniqueConstraint(fields=["finess"], condition=~models.Q(finess=""), name="centre_unique_finess"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_coordinating(self) -> bool:
        return self.kind == self.Kind.COORDINATING_CHU


class Title(models.TextChoices):
    DR = "dr", _("Dr")
    PR = "pr", _("Pr")
    MR = "m", _("M.")
    MRS = "mme", _("Mme")


def display_name_of(title: str, first_name: str, last_name: str) -> str:
    """``User.display_name`` ("Dr Jeanne MARTIN") from the three fields (a list page that reads them as plain values
    builds no User). Title.DR.label, not get_title_display(): the name is drawn for every row of every list."""
    label = Title(title).label if title in (Title.DR, Title.PR) else ""
    return " ".join(str(p) for p in (label, first_name, last_name.upper()) if p)


class User(AbstractBaseUser, PermissionsMixin):  # type: ignore[django-manager-missing]  # PscDevice: untyped base
    email = models.EmailField(_("adresse e-mail"), unique=True)
    first_name = models.CharField(_("prénom"), max_length=150)
    last_name = models.CharField(_("nom"), max_length=150)
    title = models.CharField(_("titre"), max_length=8, choices=Title.choices, default=Title.DR)
    specialty = models.CharField(_("spécialité"), max_length=32, choices=Specialty.choices, blank=True)
    centre = models.ForeignKey(
        Centre,
        verbose_name=_("centre"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
    )
    phone = models.CharField(_("téléphone"), max_length=32, blank=True)
    rpps = models.CharField(_("numéro RPPS"), max_length=11, blank=True, validators=[validate_rpps])
    # The secure health messaging address (MSSanté) the fiches RCP are sent to (docs/exports.md).
    mssante_address = models.EmailField(
        _("messagerie sécurisée (MSSanté)"), blank=True, validators=[validate_mssante_address]
    )
    is_active = models.BooleanField(_("actif"), default=True)
    is_staff = models.BooleanField(_("accès à l'administration"), default=False)
    date_joined = models.DateTimeField(_("inscrit le"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["first_name", "last_name"]

    class Meta:
        verbose_name = _("utilisateur")
        verbose_name_plural = _("utilisateurs")
        ordering = ["last_name", "first_name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(rpps="") | models.Q(rpps__regex=r"^\d{11}$"), name="user_rpps_11_digits"
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return display_name_of(self.title, self.first_name, self.last_name)

    def get_full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def get_short_name(self) -> str:
        return self.first_name

    @cached_property
    def roles(self) -> frozenset[str]:
        """The user's role names, read once per request (one query)."""
        if not self.is_authenticated or not self.pk:
            return frozenset()
        return frozenset(self.groups.values_list("name", flat=True))

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))

    @property
    def sees_all_cases(self) -> bool:
        return bool(self.roles & ALL_CASES_ROLES)

    @property
    def is_coordinator(self) -> bool:
        return Role.COORDINATOR in self.roles

    @property
    def is_secretariat(self) -> bool:
        return Role.SECRETARIAT in self.roles


class PscDevice(Device):  # type: ignore[misc]  # django-otp ships no type information
    """The record of a user's Pro Santé Connect logins, as a django-otp device.

    Created at the first PSC login of the account (the link: ``national_id``, after the family-name check), updated
    at each one. A card-level PSC login marks the session verified with this device (``django_otp.login``), so that
    ``request.user.is_verified()`` and every view that requires the second factor accept it; it has no token to
    type (``verify_token`` is always false), so nobody can verify with it any other way."""

    national_id: models.CharField[str, str] = models.CharField(_("identifiant national (SubjectNameID)"), max_length=16)
    sub: models.CharField[str, str] = models.CharField(_("identifiant PSC (sub)"), max_length=255, blank=True)
    linked_at: models.DateTimeField[Any, Any] = models.DateTimeField(_("lié le"), default=timezone.now)
    last_login_at: models.DateTimeField[Any, Any] = models.DateTimeField(_("dernière connexion"), null=True, blank=True)
    last_acr: models.CharField[str, str] = models.CharField(_("dernier niveau (acr)"), max_length=32, blank=True)
    last_auth_mode: models.CharField[str, str] = models.CharField(
        _("dernier mode (authMode)"), max_length=32, blank=True
    )
    last_card_level: models.BooleanField[bool, bool] = models.BooleanField(
        _("dernière connexion par carte"), default=False
    )

    class Meta:
        verbose_name = _("connexion Pro Santé Connect")
        verbose_name_plural = _("connexions Pro Santé Connect")
        constraints = [models.UniqueConstraint(fields=["user"], name="psc_device_one_per_user")]

    def verify_token(self, token: Any) -> bool:
        return False


class PscAccessRequest(models.Model):
    """A professional whom Pro Santé Connect identified but who has no TIGRE account (or several share the RPPS)
    asks the secretariat for access. The identity fields come from PSC, not from the form."""

    class Status(models.TextChoices):
        PENDING = "pending", _("À traiter")
        ACCEPTED = "accepted", _("Acceptée")
        REFUSED = "refused", _("Refusée")

    class Reason(models.TextChoices):
        UNKNOWN = "unknown", _("RPPS inconnu de TIGRE")
        AMBIGUOUS = "ambiguous", _("RPPS porté par plusieurs comptes")
        NAME_MISMATCH = "name_mismatch", _("Nom différent de celui du compte")

    created_at = models.DateTimeField(_("reçue le"), auto_now_add=True)
    rpps = models.CharField(_("numéro RPPS"), max_length=11, validators=[validate_rpps])
    given_name = models.CharField(_("prénom (PSC)"), max_length=150)
    family_name = models.CharField(_("nom (PSC)"), max_length=150)
    profession = models.CharField(_("code profession (PSC)"), max_length=8, blank=True)
    reason = models.CharField(_("motif du refus"), max_length=16, choices=Reason.choices)
    email = models.EmailField(_("adresse e-mail de contact"))
    phone = models.CharField(_("téléphone"), max_length=32, blank=True)
    workplace = models.CharField(_("établissement et service"), max_length=200)
    message = models.TextField(_("message"), blank=True)
    status = models.CharField(_("état"), max_length=16, choices=Status.choices, default=Status.PENDING)
    decided_at = models.DateTimeField(_("traitée le"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("traitée par"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    linked_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("compte lié"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decision_note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("demande d'accès Pro Santé Connect")
        verbose_name_plural = _("demandes d'accès Pro Santé Connect")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["rpps"], condition=models.Q(status="pending"), name="psc_access_request_one_pending"
            ),
            models.CheckConstraint(condition=models.Q(rpps__regex=r"^\d{11}$"), name="psc_access_request_rpps"),
        ]
        indexes = [models.Index(fields=["status", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.given_name} {self.family_name} ({self.rpps})"
