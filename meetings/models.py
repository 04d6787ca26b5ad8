"""Meetings, the agenda, participants and attendance, calendar feeds."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _


class Meeting(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", _("Planifiée")
        PUBLISHED = "published", _("Ordre du jour publié")
        HELD = "held", _("Tenue")
        VALIDATED = "validated", _("Validée")
        CANCELLED = "cancelled", _("Annulée")

    starts_at = models.DateTimeField(_("début"), unique=True)
    ends_at = models.DateTimeField(_("fin"))
    video_url = models.URLField(_("lien de visioconférence"), blank=True)
    status = models.CharField(_("statut"), max_length=10, choices=Status.choices, default=Status.PLANNED)
    coordinators = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("coordinateurs"), blank=True, related_name="coordinated_meetings"
    )
    holiday_name = models.CharField(_("jour férié"), max_length=100, blank=True)
    # The regular Wednesday this meeting stands for. It stays put when a holiday meeting is moved to
    # another day or cancelled, so creating meetings ahead never re-creates that week's meeting.
    planned_date = models.DateField(_("mercredi prévu"), null=True, blank=True, unique=True)
    moved_reason = models.CharField(_("motif du déplacement"), max_length=200, blank=True)
    # Optimistic lock for agenda edits: every agenda write bumps it, a stale edit is refused.
    version = models.PositiveIntegerField(default=0)
    published_at = models.DateTimeField(null=True, blank=True)
    validated_at = models.DateTimeField(null=True, blank=True)
    validated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    cancelled_reason = models.CharField(_("motif d'annulation"), max_length=200, blank=True)
    # The attendance sheet and quorum as they stood at validation, printed by the fiches and the minutes and
    # never re-derived from later data (docs/domain.md#meeting-integrity). Empty until validated.
    attendance_record = models.JSONField(_("présences à la validation"), default=dict, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("réunion")
        verbose_name_plural = _("réunions")
        ordering = ["starts_at"]
        indexes = [models.Index(fields=["status", "starts_at"])]

    def __str__(self) -> str:
        return _("RCP du %(date)s") % {"date": date_format(timezone.localtime(self.starts_at), "l j F Y")}

    @property
    def is_locked(self) -> bool:
        return self.status in (self.Status.VALIDATED, self.Status.CANCELLED)

    @property
    def is_editable(self) -> bool:
        """Its agenda, date and chairs may still change: neither held, validated nor cancelled."""
        return not self.is_locked and self.status != self.Status.HELD

    @property
    def has_started(self) -> bool:
        """The board may sit: attendance, avis and validation only from the start time (the clock decides)."""
        return timezone.now() >= self.starts_at

    @property
    def is_holiday(self) -> bool:
        return bool(self.holiday_name)


class AgendaItem(models.Model):
    class Kind(models.TextChoices):
        URGENT_RATIFICATION = "urgent_ratification", _("Ratification d'un avis urgent")
        URGENT = "urgent", _("Urgente")
        STANDARD = "standard", _("Standard")

    class Outcome(models.TextChoices):
        PLANNED = "planned", _("Prévue")
        DISCUSSED = "discussed", _("Discutée")
        POSTPONED = "postponed", _("Reportée")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="items")
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="agenda_items")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.STANDARD)
    position = models.PositiveIntegerField()
    slot_start = models.DateTimeField(_("horaire"), null=True, blank=True)
    duration_minutes = models.PositiveSmallIntegerField(default=10)
    placed_manually = models.BooleanField(default=False)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.PLANNED)
    postponed_reason = models.CharField(_("motif du report"), max_length=200, blank=True)
    # The avis the board gave on this request at this meeting (a draft until the meeting is validated).
    avis = models.OneToOneField(
        "cases.Avis", on_delete=models.SET_NULL, null=True, blank=True, related_name="agenda_item"
    )
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("point de l'ordre du jour")
        verbose_name_plural = _("ordre du jour")
        ordering = ["meeting", "position"]
        constraints = [models.UniqueConstraint(fields=["meeting", "case"], name="agenda_item_unique_case")]


class AgendaItemReferent(models.Model):
    """A referent needed for an item, for one of its organ categories (chosen by the directory's selector)."""

    item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="needed_referents")
    referent = models.ForeignKey("referents.Referent", on_delete=models.PROTECT, related_name="+")
    category = models.ForeignKey("referents.OrganCategory", on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["item", "referent", "category"], name="agenda_item_referent_unique")
        ]


class Participant(models.Model):
    """Invitation list and attendance sheet in one row per person."""

    class Role(models.TextChoices):
        COORDINATOR = "coordinator", _("Coordinateur")
        REFERENT = "referent", _("Référent")
        PHARMACOVIGILANCE = "pharmacovigilance", _("CRPV")
        REQUESTER = "requester", _("Demandeur")
        OTHER = "other", _("Autre participant")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="participants")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="participations")
    role = models.CharField(max_length=20, choices=Role.choices)
    invited = models.BooleanField(default=True)
    present = models.BooleanField(null=True, default=None)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["meeting", "user"], name="participant_unique")]


class CalendarFeed(models.Model):
    """A personal calendar feed at a secret URL; revoking it makes the old URL answer 404."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feeds")
    token = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "revoked_at"])]


# The activity reports' model lives with the figures it is made from (meetings/statistics/); it belongs to this app.
from meetings.statistics.models import ActivityReport  # noqa: E402, F401
