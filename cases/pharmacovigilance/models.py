"""Pharmacovigilance follow-up of each discussed toxicity (docs/domain.md#pharmacovigilance)."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tigre.lib.validators import validate_rpps


class PvStatus(models.TextChoices):
    TO_ASSESS = "to_assess", _("À évaluer")
    TO_DECLARE = "to_declare", _("À déclarer")
    DECLARED = "declared", _("Déclarée")
    NOT_TO_DECLARE = "not_to_declare", _("Non déclarable")


class PvFollowUp(models.Model):
    toxicity = models.OneToOneField("cases.Toxicity", on_delete=models.CASCADE, related_name="pv")
    status = models.CharField(_("statut"), max_length=16, choices=PvStatus.choices, default=PvStatus.TO_ASSESS)
    status_changed_at = models.DateTimeField(_("statut depuis"), auto_now_add=True)
    declared_on = models.DateField(_("déclarée le"), null=True, blank=True)
    crpv_reference = models.CharField(_("référence CRPV"), max_length=50, blank=True)
    declarer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("déclarant"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    not_declare_reason = models.CharField(_("motif de non-déclaration"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("suivi créé le"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("suivi de pharmacovigilance")
        verbose_name_plural = _("suivis de pharmacovigilance")
        indexes = [models.Index(fields=["status", "status_changed_at"])]

    def __str__(self) -> str:
        return f"{self.get_status_display()} ({self.toxicity_id})"


class PvStatusChange(models.Model):
    """Every change of a follow-up's status: from, to, who, when, why (append-only)."""

    follow_up = models.ForeignKey(PvFollowUp, on_delete=models.CASCADE, related_name="changes")
    from_status = models.CharField(max_length=16, choices=PvStatus.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=PvStatus.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        verbose_name = _("changement de statut de pharmacovigilance")
        verbose_name_plural = _("changements de statut de pharmacovigilance")
        ordering = ["at", "pk"]


class Outcome(models.TextChoices):
    """ICH E2B(R3) E.i.7 outcome of the reaction at the time of last observation (codes of the guide)."""

    RECOVERED = "1", _("Guérison sans séquelle")
    RECOVERING = "2", _("En cours de guérison")
    NOT_RECOVERED = "3", _("Non guéri (persistant)")
    SEQUELAE = "4", _("Guérison avec séquelles")
    FATAL = "5", _("Décès")
    UNKNOWN = "0", _("Inconnue")


class Dechallenge(models.TextChoices):
    POSITIVE = "positive", _("Amélioration à l'arrêt ou la suspension")
    NEGATIVE = "negative", _("Pas d'amélioration à l'arrêt")
    NOT_DONE = "not_done", _("Traitement non arrêté")
    UNKNOWN = "unknown", _("Inconnu")


class Rechallenge(models.TextChoices):
    """ICH E2B(R3) G.k.9.i.4 "did the reaction recur on re-administration?" (codes of the guide)."""

    RECURRED = "1", _("Réintroduction : récidive")
    NO_RECURRENCE = "2", _("Réintroduction : pas de récidive")
    OUTCOME_UNKNOWN = "3", _("Réintroduction : évolution inconnue")
    NOT_DONE = "4", _("Pas de réintroduction")


class ActionTaken(models.TextChoices):
    """ICH E2B(R3) G.k.8 action taken with the drug (codes of the guide)."""

    WITHDRAWN = "1", _("Arrêté (ou suspendu)")
    DOSE_REDUCED = "2", _("Dose diminuée")
    DOSE_INCREASED = "3", _("Dose augmentée")
    DOSE_NOT_CHANGED = "4", _("Poursuivi sans changement")
    UNKNOWN = "0", _("Inconnue")
    NOT_APPLICABLE = "9", _("Sans objet")


SERIOUSNESS_CRITERIA: tuple[tuple[str, str], ...] = (
    # (field name, E2B(R3) E.i.3.2 element)
    ("results_in_death", "E.i.3.2a"),
    ("life_threatening", "E.i.3.2b"),
    ("hospitalisation", "E.i.3.2c"),
    ("disabling", "E.i.3.2d"),
    ("congenital_anomaly", "E.i.3.2e"),
    ("other_medically_important", "E.i.3.2f"),
)


class PvDeclaration(models.Model):
    """What the CRPV completes for one reaction (toxicity): seriousness, outcome, (de/re)challenge, MedDRA."""

    follow_up = models.OneToOneField(PvFollowUp, on_delete=models.CASCADE, related_name="declaration")
    serious = models.BooleanField(_("effet grave"), null=True, blank=True)
    results_in_death = models.BooleanField(_("décès"), default=False)
    life_threatening = models.BooleanField(_("mise en jeu du pronostic vital"), default=False)
    hospitalisation = models.BooleanField(_("hospitalisation ou prolongation d'hospitalisation"), default=False)
    disabling = models.BooleanField(_("incapacité ou invalidité"), default=False)
    congenital_anomaly = models.BooleanField(_("anomalie congénitale"), default=False)
    other_medically_important = models.BooleanField(_("autre situation médicale grave"), default=False)
    outcome = models.CharField(_("évolution"), max_length=1, choices=Outcome.choices, blank=True)
    dechallenge = models.CharField(
        _("arrêt du traitement (dechallenge)"), max_length=10, choices=Dechallenge.choices, blank=True
    )
    rechallenge = models.CharField(
        _("réintroduction (rechallenge)"), max_length=1, choices=Rechallenge.choices, blank=True
    )
    meddra_code = models.CharField(
        _("code MedDRA (LLT/PT)"),
        max_length=8,
        blank=True,
        validators=[RegexValidator(r"^\d{8}$", _("Un code MedDRA compte 8 chiffres."))],
    )
    meddra_version = models.CharField(_("version MedDRA"), max_length=5, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("déclaration (effet)")
        verbose_name_plural = _("déclarations (effets)")


class PvCaseDetails(models.Model):
    """What the CRPV completes for the whole case: the narrative (one per case, as E2B's H.1)."""

    case = models.OneToOneField("cases.Case", on_delete=models.CASCADE, related_name="pv_details")
    narrative = models.TextField(_("description de l'effet (narratif)"), blank=True)
    # The declaring physician's RPPS when the requester's profile has none (docs/domain.md#pharmacovigilance).
    reporter_rpps = models.CharField(
        _("numéro RPPS du déclarant"), max_length=11, blank=True, validators=[validate_rpps]
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("déclaration (cas)")
        verbose_name_plural = _("déclarations (cas)")


class PvDrugDetail(models.Model):
    """Per suspect drug of a case: what the request does not hold (route, batch) or holds loosely (dose)."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="pv_drug_details")
    drug = models.ForeignKey("cases.Drug", on_delete=models.PROTECT, related_name="+")
    route = models.CharField(_("voie d'administration"), max_length=60, blank=True)
    dose = models.CharField(_("posologie"), max_length=100, blank=True)
    batch_numbers = models.CharField(_("numéro(s) de lot"), max_length=200, blank=True)
    # The batch cannot be known (not traced by the administering unit): the sheet says so instead of a number.
    batch_unknown = models.BooleanField(_("lot inconnu"), default=False)
    action_taken = models.CharField(_("mesure prise"), max_length=1, choices=ActionTaken.choices, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("médicament suspect (déclaration)")
        verbose_name_plural = _("médicaments suspects (déclaration)")
        constraints = [models.UniqueConstraint(fields=["case", "drug"], name="pv_drug_detail_unique_case_drug")]
