"""The referent directory: the organ toxicity taxonomy, referents and what each covers (centres are the accounts'
shared model, tigre.accounts.models.Centre)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tigre.accounts.models import Centre
from tigre.lib.specialties import Specialty


class OrganCategory(models.Model):
    """One of the 13 organ categories of the ASCO/ESMO irAE guidelines (docs/domain.md#organ-toxicity-taxonomy)."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    label = models.CharField(_("libellé"), max_length=100)
    specialty = models.CharField(_("spécialité du référent"), max_length=32, choices=Specialty.choices)
    position = models.PositiveSmallIntegerField(_("ordre"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("catégorie d'organe")
        verbose_name_plural = _("catégories d'organe")
        ordering = ["position", "label"]

    def __str__(self) -> str:
        return self.label


class ToxicityEvent(models.Model):
    category = models.ForeignKey(
        OrganCategory, verbose_name=_("catégorie"), on_delete=models.PROTECT, related_name="events"
    )
    code = models.SlugField(_("code"), max_length=64, unique=True)
    label = models.CharField(_("libellé"), max_length=200)
    ctcae_term = models.CharField(_("terme CTCAE v5"), max_length=200, blank=True)
    # docs/domain.md#tag-criteria: suggest TAG at any grade for these events (myocarditis, myasthenia...).
    urgent_at_any_grade = models.BooleanField(_("urgent quel que soit le grade"), default=False)
    # docs/domain.md#organ-toxicity-taxonomy: some events stop the ICI at any grade (cardiac, neuro, haematological).
    stop_at_any_grade = models.BooleanField(_("arrêt de l'ICI dès le grade 1"), default=False)
    position = models.PositiveSmallIntegerField(_("ordre"), default=0)
    is_active = models.BooleanField(_("actif"), default=True)

    class Meta:
        verbose_name = _("événement de toxicité")
        verbose_name_plural = _("événements de toxicité")
        ordering = ["category__position", "position", "label"]

    def __str__(self) -> str:
        return self.label


class Referent(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("utilisateur"), on_delete=models.PROTECT, related_name="referent"
    )
    specialty = models.CharField(_("spécialité"), max_length=32, choices=Specialty.choices)
    centre = models.ForeignKey(Centre, verbose_name=_("centre"), on_delete=models.PROTECT, related_name="referents")
    categories: models.ManyToManyField[OrganCategory, Coverage] = models.ManyToManyField(
        OrganCategory, through="Coverage", verbose_name=_("catégories couvertes"), related_name="referents"
    )
    is_active = models.BooleanField(_("actif"), default=True)
    takes_urgent = models.BooleanField(_("accepte les demandes urgentes"), default=True)
    phone = models.CharField(_("téléphone (visible des collègues)"), max_length=32, blank=True)
    email = models.EmailField(_("e-mail (visible des collègues)"), blank=True)
    notes = models.TextField(_("remarques"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("référent")
        verbose_name_plural = _("référents")
        ordering = ["user__last_name", "user__first_name"]

    def __str__(self) -> str:
        return str(self.user)

    @property
    def contact_email(self) -> str:
        return self.email or self.user.email


class Coverage(models.Model):
    class Rank(models.TextChoices):
        PRIMARY = "primary", _("Titulaire")
        BACKUP = "backup", _("Suppléant")

    referent = models.ForeignKey(Referent, on_delete=models.CASCADE, related_name="coverages")
    category = models.ForeignKey(OrganCategory, on_delete=models.PROTECT, related_name="coverages")
    rank = models.CharField(_("rang"), max_length=8, choices=Rank.choices, default=Rank.PRIMARY)

    class Meta:
        verbose_name = _("couverture")
        verbose_name_plural = _("couvertures")
        constraints = [models.UniqueConstraint(fields=["referent", "category"], name="coverage_unique")]

    def __str__(self) -> str:
        return f"{self.referent} — {self.category} ({self.get_rank_display()})"


class Absence(models.Model):
    referent = models.ForeignKey(Referent, on_delete=models.CASCADE, related_name="absences")
    start = models.DateField(_("du"))
    end = models.DateField(_("au (inclus)"))
    reason = models.CharField(_("motif"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("absence")
        verbose_name_plural = _("absences")
        ordering = ["start"]
        constraints = [
            models.CheckConstraint(condition=models.Q(end__gte=models.F("start")), name="absence_end_after_start"),
        ]
        indexes = [models.Index(fields=["referent", "start", "end"])]

    def __str__(self) -> str:
        return f"{self.referent} {self.start:%d/%m/%Y}–{self.end:%d/%m/%Y}"


class Guideline(models.Model):
    """A short management summary from a published irAE guideline, for one organ category and a range of CTCAE
    grades, shown beside the avis form (docs/domain.md#guidelines-beside-the-avis). The rows come from the
    versioned file ``referents/fixtures/guidelines.json`` (``services.guidelines_load``); the administrators correct
    them in the admin. The summaries are the board's own wording, citing the source's section: a reminder, never
    advice the app gives."""

    class Source(models.TextChoices):
        ESMO_2022 = "esmo_2022", "ESMO 2022"
        ASCO_2021 = "asco_2021", "ASCO 2021"
        SITC_2021 = "sitc_2021", "SITC 2021"

    category = models.ForeignKey(
        OrganCategory, verbose_name=_("catégorie d'organe"), on_delete=models.CASCADE, related_name="guidelines"
    )
    grade_min = models.PositiveSmallIntegerField(_("grade CTCAE minimal"))
    grade_max = models.PositiveSmallIntegerField(_("grade CTCAE maximal"))
    source = models.CharField(_("référentiel"), max_length=16, choices=Source.choices)
    section = models.CharField(_("section citée"), max_length=300)
    summary = models.TextField(_("conduite à tenir (résumé)"))
    version = models.CharField(_("version"), max_length=20)
    position = models.PositiveSmallIntegerField(_("ordre"), default=0)
    is_active = models.BooleanField(_("actif"), default=True)

    class Meta:
        verbose_name = _("recommandation (référentiel)")
        verbose_name_plural = _("recommandations (référentiels)")
        ordering = ["category__position", "grade_min", "position", "source"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(grade_min__gte=1, grade_max__lte=5, grade_min__lte=models.F("grade_max")),
                name="guideline_grades_1_5_ordered",
            ),
            models.UniqueConstraint(fields=["category", "grade_min", "grade_max", "source"], name="guideline_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.category} G{self.grade_min}–{self.grade_max} ({self.get_source_display()})"

    @property
    def grades(self) -> str:
        return f"G{self.grade_min}" if self.grade_min == self.grade_max else f"G{self.grade_min}–{self.grade_max}"
