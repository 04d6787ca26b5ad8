"""Requests (demandes d'avis): patient, cancer, immunotherapy, toxicities, attachments, workflow, avis."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from tigre.lib.validators import validate_ins, validate_mssante_address
from tigre.notifications.models import Notification


class Drug(models.Model):
    """The ICI catalogue (docs/domain.md#drug-catalogue), admin-editable."""

    class Target(models.TextChoices):
        PD1 = "PD-1", _("anti-PD-1")
        PDL1 = "PD-L1", _("anti-PD-L1")
        CTLA4 = "CTLA-4", _("anti-CTLA-4")
        LAG3 = "LAG-3", _("anti-LAG-3")
        OTHER = "other", _("autre")

    name = models.CharField(_("DCI"), max_length=100, unique=True)
    target = models.CharField(_("cible"), max_length=8, choices=Target.choices)
    atc_code = models.CharField(_("code ATC"), max_length=8, blank=True)
    is_biologic = models.BooleanField(_("médicament biologique"), default=True)
    is_active = models.BooleanField(_("actif"), default=True)

    class Meta:
        verbose_name = _("médicament (ICI)")
        verbose_name_plural = _("médicaments (ICI)")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Sex(models.TextChoices):
    FEMALE = "F", _("Femme")
    MALE = "M", _("Homme")
    UNKNOWN = "U", _("Indéterminé")


def pseudonym_of(birth_name: str, first_names: str, birth_date: date | None) -> str:
    """``Patient.pseudonym`` from the three fields (a list page that reads them as plain values builds no Patient)."""
    initials = "".join(f"{part[0]}." for part in (birth_name, first_names) if part).upper()
    return f"{initials} ({birth_date:%Y})" if birth_date else initials


class Patient(models.Model):
    class InsStatus(models.TextChoices):
        # The identity's status in the requester's establishment (national identity rules, RNIV). TIGRE cannot call
        # the INSi service, so it never qualifies an identity itself: "qualified" records that the requester's
        # establishment did (INS obtained or checked through INSi, identity validated on an identity document).
        # Only a qualified identity's INS may identify the patient in a shared document (docs/exports.md).
        NONE = "none", _("Non renseignée")
        PROVISIONAL = "provisional", _("Identité provisoire")
        RECOVERED = "recovered", _("Identité récupérée")
        VALIDATED = "validated", _("Identité validée")
        QUALIFIED = "qualified", _("Identité qualifiée")

    birth_name = models.CharField(_("nom de naissance"), max_length=100)
    used_name = models.CharField(_("nom utilisé"), max_length=100, blank=True)
    first_names = models.CharField(_("prénom(s)"), max_length=150)
    sex = models.CharField(_("sexe"), max_length=1, choices=Sex.choices)
    # Nullable so that a draft can be saved before the birth date is typed; required at submission.
    birth_date = models.DateField(_("date de naissance"), null=True, blank=True)
    ins = models.CharField(_("INS (NIR + clé)"), max_length=15, blank=True, validators=[validate_ins], db_index=True)
    ins_status = models.CharField(
        _("statut de l'identité"), max_length=16, choices=InsStatus.choices, default=InsStatus.NONE
    )
    treating_centre = models.ForeignKey(
        "accounts.Centre", verbose_name=_("centre de prise en charge"), on_delete=models.PROTECT, null=True, blank=True
    )
    weight_kg = models.DecimalField(_("poids (kg)"), max_digits=5, decimal_places=1, null=True, blank=True)
    height_cm = models.PositiveSmallIntegerField(_("taille (cm)"), null=True, blank=True)
    gp_name = models.CharField(_("médecin traitant"), max_length=200, blank=True)
    # Where the fiche RCP is sent over the secure health messaging (docs/exports.md).
    gp_mssante = models.EmailField(
        _("messagerie sécurisée (MSSanté) du médecin traitant"),
        blank=True,
        validators=[validate_mssante_address],
    )
    anonymised_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("patient")
        verbose_name_plural = _("patients")
        # birth_date alone: the triage list links a page's patients to their other requests by it (cases/history.py).
        indexes = [models.Index(fields=["birth_name", "birth_date"]), models.Index(fields=["birth_date"])]

    def __str__(self) -> str:
        return self.pseudonym

    @property
    def pseudonym(self) -> str:
        """Initials and year of birth: what screens meant for the whole board show."""
        return pseudonym_of(self.birth_name, self.first_names, self.birth_date)

    @property
    def full_name(self) -> str:
        return f"{self.birth_name.upper()} {self.first_names}"

    def age_on(self, day: date) -> int | None:
        b = self.birth_date
        if b is None:
            return None
        return day.year - b.year - ((day.month, day.day) < (b.month, b.day))


class CaseStatus(models.TextChoices):
    DRAFT = "draft", _("Brouillon")
    SUBMITTED = "submitted", _("Soumise")
    INFO_REQUESTED = "info_requested", _("Informations demandées")
    ACCEPTED = "accepted", _("Acceptée")
    SCHEDULED = "scheduled", _("Inscrite à une RCP")
    DISCUSSED = "discussed", _("Discutée (avis rédigé)")
    AVIS_VALIDATED = "avis_validated", _("Avis validé et envoyé")
    CLOSED = "closed", _("Clôturée")
    WITHDRAWN = "withdrawn", _("Retirée par le demandeur")
    DECLINED = "declined", _("Refusée")


OPEN_STATUSES = frozenset(
    {
        CaseStatus.DRAFT,
        CaseStatus.SUBMITTED,
        CaseStatus.INFO_REQUESTED,
        CaseStatus.ACCEPTED,
        CaseStatus.SCHEDULED,
        CaseStatus.DISCUSSED,
    }
)


class Urgency(models.TextChoices):
    STANDARD = "standard", _("Standard")
    URGENT = "urgent", _("Urgente (TAG)")


class RequestReason(models.TextChoices):
    CAUSALITY = "causality", _("Imputabilité ICI ↔ événement")
    COMPLEX_MANAGEMENT = "complex_management", _("Prise en charge complexe")
    RECHALLENGE = "rechallenge", _("Reprise après arrêt (rechallenge)")
    PRE_EXISTING = "pre_existing", _("Instauration d'un ICI malgré une maladie auto-immune ou une comorbidité")
    OTHER = "other", _("Autre")


class CaseSequence(models.Model):
    """Last reference number given in a year; locked with SELECT ... FOR UPDATE when a case is submitted."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last_number = models.PositiveIntegerField(default=0)


class Case(models.Model):
    reference = models.CharField(_("référence"), max_length=20, unique=True, null=True, blank=True, editable=False)
    status = models.CharField(_("statut"), max_length=20, choices=CaseStatus.choices, default=CaseStatus.DRAFT)
    patient = models.ForeignKey(Patient, verbose_name=_("patient"), on_delete=models.PROTECT, related_name="cases")
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("demandeur"), on_delete=models.PROTECT, related_name="requested_cases"
    )
    co_requesters = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("co-demandeurs"), blank=True, related_name="co_requested_cases"
    )
    requester_centre = models.ForeignKey(
        "accounts.Centre", verbose_name=_("centre du demandeur"), on_delete=models.PROTECT, null=True, blank=True
    )
    # Cancer (docs/domain.md#the-request)
    primary_site = models.CharField(_("localisation primitive (CIM-10)"), max_length=8, blank=True)
    primary_site_label = models.CharField(_("localisation primitive"), max_length=200, blank=True)
    histology = models.CharField(_("histologie"), max_length=200, blank=True)
    stage = models.CharField(_("stade (TNM ou libre)"), max_length=100, blank=True)
    diagnosis_date = models.DateField(_("date du diagnostic (mois/année)"), null=True, blank=True)
    performance_status = models.PositiveSmallIntegerField(
        _("état général OMS"), null=True, blank=True, validators=[MaxValueValidator(4)]
    )
    # Context (3.6)
    history = models.TextField(_("antécédents pertinents"), blank=True)
    autoimmune_history = models.TextField(_("maladies auto-immunes"), blank=True)
    comorbidities = models.TextField(_("comorbidités"), blank=True)
    key_results = models.TextField(_("résultats clés (biologie, imagerie)"), blank=True)
    # Reason, question, urgency (3.7, 3.8)
    reason = models.CharField(_("motif de la demande"), max_length=24, choices=RequestReason.choices, blank=True)
    reason_detail = models.CharField(_("précision du motif"), max_length=300, blank=True)
    question = models.TextField(_("question posée à la RCP"), blank=True)
    urgency = models.CharField(_("urgence"), max_length=10, choices=Urgency.choices, default=Urgency.STANDARD)
    urgency_reason = models.TextField(_("motif de l'urgence"), blank=True)
    # Denormalised for triage filters and agenda ordering; kept by cases.services.
    highest_grade = models.PositiveSmallIntegerField(_("grade maximal"), null=True, blank=True)
    # Urgent TAG track (docs/domain.md#urgent-requests)
    urgent_alerted_at = models.DateTimeField(null=True, blank=True)
    urgent_acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    urgent_acknowledged_at = models.DateTimeField(null=True, blank=True)
    urgent_escalated_at = models.DateTimeField(null=True, blank=True)
    urgent_opinion = models.TextField(_("avis urgent"), blank=True)
    urgent_opinion_at = models.DateTimeField(null=True, blank=True)
    # Who gave the urgent opinion (the referent who took the request); invited to its ratification
    # (docs/domain.md#the-urgent-opinion-carried-through).
    urgent_opinion_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("auteur de l'avis urgent"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # Was the patient told that their case is presented to the board (INCa minimal dataset of a fiche RCP)?
    patient_informed = models.BooleanField(_("patient informé de la présentation en RCP"), null=True, blank=True)
    patient_informed_on = models.DateField(_("informé le"), null=True, blank=True)
    # What the requester typed in the form when some of it could not be stored (a draft with an invalid
    # date, say): kept so that nothing typed is lost; cleared once the form is valid.
    draft_data = models.JSONField(default=dict, blank=True, editable=False)
    # The token of the new-request form that created this request (cases.services.case_create_once): the same form
    # sent again (a double click, a second tab) finds this request instead of creating another.
    form_token = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    # Times
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(_("soumise le"), null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # The outbox's messages about this request (urgent alerts tell who was alerted).
    notifications = GenericRelation(
        Notification, content_type_field="about_type", object_id_field="about_id", related_query_name="case"
    )

    class Meta:
        verbose_name = _("demande d'avis")
        verbose_name_plural = _("demandes d'avis")
        ordering = ["-submitted_at", "-created_at"]
        indexes = [
            models.Index(fields=["status", "urgency", "submitted_at"]),
            models.Index(fields=["requester", "-created_at"]),
            # The activity figures filter requests by submission and urgent alert time (meetings/statistics/).
            models.Index(fields=["submitted_at"], name="case_submitted_at"),
            models.Index(
                fields=["urgent_alerted_at"],
                name="case_urgent_alerted_at",
                condition=models.Q(urgent_alerted_at__isnull=False),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(highest_grade__isnull=True) | models.Q(highest_grade__gte=1, highest_grade__lte=5),
                name="case_highest_grade_1_5",
            ),
        ]

    def __str__(self) -> str:
        return self.reference or _("Brouillon n° %(pk)s") % {"pk": self.pk}

    @property
    def is_urgent(self) -> bool:
        return self.urgency == Urgency.URGENT


class ImmunotherapyLine(models.Model):
    class Regimen(models.TextChoices):
        MONO = "mono", _("Monothérapie")
        ICI_ICI = "ici_ici", _("ICI + ICI")
        ICI_CHEMO = "ici_chemo", _("ICI + chimiothérapie")
        ICI_TARGETED = "ici_targeted", _("ICI + thérapie ciblée")

    class Setting(models.TextChoices):
        METASTATIC = "metastatic", _("Métastatique")
        ADJUVANT = "adjuvant", _("Adjuvant")
        NEOADJUVANT = "neoadjuvant", _("Néo-adjuvant")

    class LineStatus(models.TextChoices):
        ONGOING = "ongoing", _("En cours")
        HELD = "held", _("Suspendu")
        STOPPED = "stopped", _("Arrêté")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="lines")
    drugs = models.ManyToManyField(Drug, verbose_name=_("médicament(s)"), related_name="lines")
    regimen = models.CharField(_("schéma"), max_length=16, choices=Regimen.choices)
    setting = models.CharField(_("situation"), max_length=16, choices=Setting.choices)
    start_date = models.DateField(_("date de début"))
    last_dose_date = models.DateField(_("date de la dernière administration"), null=True, blank=True)
    cycles = models.PositiveSmallIntegerField(_("nombre de cycles"), null=True, blank=True)
    status = models.CharField(_("statut"), max_length=10, choices=LineStatus.choices, default=LineStatus.ONGOING)
    dose = models.CharField(_("posologie"), max_length=100, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("ligne d'immunothérapie")
        verbose_name_plural = _("lignes d'immunothérapie")
        ordering = ["position", "start_date"]


class CtcaeVersion(models.TextChoices):
    """The CTCAE edition a grade was given in (docs/domain.md#ctcae-grades)."""

    V5 = "5.0", _("CTCAE v5.0")
    V6 = "6.0", _("CTCAE v6.0")


# Grade 5 is death related to the adverse event, in every CTCAE edition.
FATAL_GRADE = 5


class Toxicity(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="toxicities")
    event = models.ForeignKey("referents.ToxicityEvent", verbose_name=_("événement"), on_delete=models.PROTECT)
    grade = models.PositiveSmallIntegerField(_("grade CTCAE"), validators=[MinValueValidator(1), MaxValueValidator(5)])
    ctcae_version = models.CharField(
        _("version CTCAE"), max_length=4, choices=CtcaeVersion.choices, default=CtcaeVersion.V5
    )
    onset_date = models.DateField(_("date d'apparition"))
    pre_existing = models.BooleanField(_("préexistant à l'immunothérapie"), default=False)
    description = models.TextField(_("description"), blank=True)
    management_hold = models.BooleanField(_("ICI suspendu"), default=False)
    steroids_mg_per_kg = models.DecimalField(
        _("corticoïdes (mg/kg/j)"), max_digits=4, decimal_places=2, null=True, blank=True
    )
    other_immunosuppressants = models.CharField(_("autres immunosuppresseurs"), max_length=300, blank=True)
    management_notes = models.TextField(_("prise en charge déjà réalisée"), blank=True)
    # The immunotherapy line it occurred under, when the clinician says (docs/domain.md#the-request).
    line = models.ForeignKey(
        "ImmunotherapyLine",
        verbose_name=_("ligne d'immunothérapie"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="toxicities",
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("toxicité")
        verbose_name_plural = _("toxicités")
        ordering = ["position", "pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(grade__gte=1, grade__lte=5), name="toxicity_grade_1_5"),
        ]

    @property
    def management_parts(self) -> list[str]:
        """The management already done, as short phrases (empty when nothing was done or said)."""
        parts: list[str] = []
        if self.management_hold:
            parts.append(str(_("ICI suspendu")))
        if self.steroids_mg_per_kg is not None:
            parts.append(str(_("corticoïdes %(dose)s mg/kg/j") % {"dose": self.steroids_mg_per_kg}))
        parts += [text for text in (self.other_immunosuppressants, self.management_notes) if text]
        return parts

    @property
    def is_fatal(self) -> bool:
        """Grade 5: the event caused the patient's death."""
        return self.grade == FATAL_GRADE


class Attachment(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to="attachments/%Y/%m/", max_length=300)
    original_name = models.CharField(_("nom du fichier"), max_length=255)
    content_type = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    description = models.CharField(_("description"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("pièce jointe")
        verbose_name_plural = _("pièces jointes")
        ordering = ["uploaded_at"]


class StatusChange(models.Model):
    """Every transition of a case: from, to, who, when, why (append-only)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=20, choices=CaseStatus.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=CaseStatus.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["case", "at"])]


class CaseMessage(models.Model):
    """Messages on a case's timeline: information requests, answers, notes."""

    class Kind(models.TextChoices):
        INFO_REQUEST = "info_request", _("Demande d'informations")
        ANSWER = "answer", _("Réponse du demandeur")
        NOTE = "note", _("Note")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="messages")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]


class Avis(models.Model):
    """The board's recommendation for a case at a meeting (docs/domain.md#the-avis)."""

    class IciDecision(models.TextChoices):
        CONTINUE = "continue", _("Poursuivre l'immunothérapie")
        HOLD = "hold", _("Suspendre l'immunothérapie")
        STOP = "stop", _("Arrêter définitivement l'immunothérapie")

    class Rechallenge(models.TextChoices):
        NOT_DISCUSSED = "not_discussed", _("Non discutée")
        POSSIBLE = "possible", _("Reprise possible")
        CONTRAINDICATED = "contraindicated", _("Reprise contre-indiquée")

    class State(models.TextChoices):
        DRAFT = "draft", _("Projet")
        VALIDATED = "validated", _("Validé")

    class UrgentRatification(models.TextChoices):
        RATIFIED = "ratified", _("Avis urgent ratifié")
        AMENDED = "amended", _("Avis urgent amendé")

    class Conformity(models.TextChoices):
        CONFORMING = "conforming", _("Proposition conforme au référentiel")
        NOT_CONFORMING = "not_conforming", _("Proposition non conforme au référentiel")
        TRIAL = "trial", _("Inclusion dans un essai clinique")

    # The board's answer as the session writes it and the fiche and minutes print it: the one list of these fields.
    STRUCTURED_FIELDS = (
        "answer",
        "ici_decision",
        "rechallenge",
        "steroids",
        "steroids_dose",
        "other_immunosuppressant",
        "further_tests",
        "hospitalisation",
        "specialist_consultation",
        "follow_up_date",
        "free_text",
        "declare_pv",
        "conformity",
        "conformity_reference",
        "conformity_reason",
        "trial_name",
        "urgent_ratification",
        "urgent_amendment",
        "organ_exception_reason",
    )

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="avis_set")
    # When the board met (the meeting's start), as the fiche states it. The meeting itself points here
    # (meetings.AgendaItem.avis): this app knows nothing of meetings (docs/architecture.md).
    meeting_at = models.DateTimeField(_("date de la RCP"))
    state = models.CharField(max_length=10, choices=State.choices, default=State.DRAFT)
    answer = models.TextField(_("réponse de la RCP à la question posée"))
    ici_decision = models.CharField(_("immunothérapie"), max_length=10, choices=IciDecision.choices, blank=True)
    rechallenge = models.CharField(
        _("reprise ultérieure"), max_length=16, choices=Rechallenge.choices, default=Rechallenge.NOT_DISCUSSED
    )
    steroids = models.BooleanField(_("corticothérapie"), default=False)
    steroids_dose = models.CharField(_("dose de corticoïdes"), max_length=100, blank=True)
    other_immunosuppressant = models.CharField(_("autre immunosuppresseur"), max_length=200, blank=True)
    further_tests = models.TextField(_("examens complémentaires"), blank=True)
    hospitalisation = models.BooleanField(_("hospitalisation"), default=False)
    specialist_consultation = models.CharField(_("consultation spécialisée"), max_length=200, blank=True)
    follow_up_date = models.DateField(_("date de réévaluation"), null=True, blank=True)
    free_text = models.TextField(_("commentaires"), blank=True)
    contributors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("contributeurs"), blank=True, related_name="contributed_avis"
    )
    declare_pv = models.BooleanField(_("à déclarer à la pharmacovigilance"), default=False)
    # Conformity of the proposal with a guideline, or inclusion in a trial (INCa minimal dataset).
    conformity = models.CharField(_("conformité au référentiel"), max_length=16, choices=Conformity.choices, blank=True)
    conformity_reference = models.CharField(_("référentiel"), max_length=300, blank=True)
    conformity_reason = models.TextField(_("motif de la non-conformité"), blank=True)
    trial_name = models.CharField(_("essai clinique"), max_length=200, blank=True)
    # The board's word on the urgent opinion given on the TAG track (docs/domain.md#the-urgent-opinion-carried-through).
    urgent_ratification = models.CharField(
        _("ratification de l'avis urgent"), max_length=10, choices=UrgentRatification.choices, blank=True
    )
    urgent_amendment = models.TextField(_("avis urgent amendé"), blank=True)
    # An avis given although no referent of one of the case's organ categories was present: why
    # (docs/domain.md#organ-referents-at-the-avis).
    organ_exception_reason = models.CharField(
        _("avis rendu sans référent de l'organe : motif"), max_length=300, blank=True
    )
    drafted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    validated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    validated_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("avis")
        verbose_name_plural = _("avis")


class PresentedAgain(models.Model):
    """A request started from an earlier one of the same patient, "Présenter à nouveau"
    (docs/domain.md#a-patients-history). The identity link holds anyway; this records the requester's intent."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="presented_again_from")
    earlier = models.ForeignKey(
        Case, verbose_name=_("demande antérieure"), on_delete=models.PROTECT, related_name="presented_again_as"
    )
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("nouvelle présentation")
        verbose_name_plural = _("nouvelles présentations")
