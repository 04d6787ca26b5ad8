"""Every figure of the board's activity, defined once: its label, its French definition, its unit and how it is
written. The page, the PDF and the CSV all show ``Figure.display`` (or ``Figure.number_text``): one rounding, one
text, so the same figure reads the same everywhere.

What a figure is computed from lives in ``selectors.py``, one source function per group of figures (one query or
a few). A figure that no source provides yet is shown as "non disponible (pas encore recueilli)" with its note:
when the data exists (guideline conformity, follow-up answers, avis given without the organ referent), writing
its source function is all that is needed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

# Sections, in the order the page and the report show them.
ACTIVITY = "activite"
DELAYS = "delais"
MEETING = "reunion"
AVIS = "avis"
PHARMACOVIGILANCE = "pharmacovigilance"
SECTIONS: dict[str, Promise] = {
    ACTIVITY: _("Activité"),
    DELAYS: _("Délais"),
    MEETING: _("La réunion"),
    AVIS: _("Les avis"),
    PHARMACOVIGILANCE: _("Pharmacovigilance"),
}

# Units: how a value is rounded and written.
COUNT = "count"
MEAN = "mean"
PERCENT = "percent"
DAYS = "days"
HOURS = "hours"
UNIT_SUFFIX = {COUNT: "", MEAN: "", PERCENT: "%", DAYS: "j", HOURS: "h"}

NOT_AVAILABLE = _("non disponible (pas encore recueilli)")
NO_DATA = "—"


@dataclass(frozen=True)
class FigureDef:
    key: str
    section: str
    label: Promise
    definition: Promise
    unit: str = COUNT
    target: Promise | str = ""
    # The target as a bound the figure must stay under (the postponement rate: 10 %), for the red mark.
    limit: int | None = None
    # For a figure not collected yet: what is missing (shown with "non disponible").
    missing: Promise | str = ""


COUNT_HEADING = _("Nombre")
SHARE_HEADING = _("Part")


@dataclass(frozen=True)
class TableDef:
    """A breakdown: rows of (label, count, share of a total)."""

    key: str
    section: str
    label: Promise
    definition: Promise
    row_heading: Promise
    count_heading: Promise | str = COUNT_HEADING
    share_heading: Promise | str = SHARE_HEADING
    chart: bool = True


def _d(key: str, section: str, label: Promise, definition: Promise, unit: str = COUNT, **kw: Any) -> FigureDef:
    return FigureDef(key, section, label, definition, unit, **kw)


def _rounded(value: Any, unit: str) -> Decimal | None:
    """The value as shown: counts whole, delays and shares to one decimal (half up, never banker's)."""
    if value is None:
        return None
    if isinstance(value, dt.timedelta):
        seconds = Decimal(value.total_seconds())
        value = seconds / (86400 if unit == DAYS else 3600)
    number = Decimal(str(value)) if not isinstance(value, Decimal) else value
    if unit == COUNT:
        return number.quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return number.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def number_text(number: Decimal | None) -> str:
    """French decimal comma, no grouping (a CSV cell a spreadsheet reads as a number)."""
    if number is None:
        return ""
    return format(number, "f").replace(".", ",")


@dataclass
class Figure:
    definition: FigureDef
    value: Any = None  # int, float, Decimal or timedelta; None when the period holds nothing to measure
    numerator: int | None = None  # shares: what is counted ...
    denominator: int | None = None  # ... out of how many
    available: bool = True
    note: int = 0  # the footnote number of its definition on the page and in the PDF

    @property
    def key(self) -> str:
        return self.definition.key

    @property
    def number(self) -> Decimal | None:
        return _rounded(self.value, self.definition.unit) if self.available else None

    @property
    def number_text(self) -> str:
        return number_text(self.number)

    @property
    def unit_text(self) -> str:
        return UNIT_SUFFIX[self.definition.unit]

    @property
    def display(self) -> str:
        if not self.available:
            return str(NOT_AVAILABLE)
        if self.number is None:
            return NO_DATA
        suffix = self.unit_text
        return f"{self.number_text} {suffix}" if suffix else self.number_text

    @property
    def detail(self) -> str:
        """For a share: "n / total"."""
        if self.available and self.definition.unit == PERCENT and self.denominator:
            return f"{self.numerator} / {self.denominator}"
        return ""

    @property
    def missed_target(self) -> bool:
        limit = self.definition.limit
        return limit is not None and self.number is not None and self.number >= Decimal(limit)


@dataclass
class Row:
    label: str
    count: int
    total: int

    @property
    def share(self) -> Decimal | None:
        return _rounded(self.count * 100 / self.total, PERCENT) if self.total else None

    @property
    def share_display(self) -> str:
        return f"{number_text(self.share)} %" if self.share is not None else NO_DATA


@dataclass
class Table:
    definition: TableDef
    rows: list[Row] = field(default_factory=list)
    # The series of a monthly table (more than one count per row): (heading, values per row).
    series: list[tuple[str, list[int]]] = field(default_factory=list)
    axis: list[str] = field(default_factory=list)  # short row names for a chart (months)
    note: int = 0
    drawing: Any = None  # its chart's geometry (charts.py), once drawn

    @property
    def key(self) -> str:
        return self.definition.key

    @property
    def series_rows(self) -> list[tuple[str, list[int]]]:
        """A monthly table read by rows: (month, [value of each series])."""
        return [(row.label, [values[i] for _name, values in self.series]) for i, row in enumerate(self.rows)]


# --- The figures ---------------------------------------------------------------------------------------------

FIGURES: tuple[FigureDef, ...] = (
    # Activity
    _d(
        "meetings_held",
        ACTIVITY,
        _("Réunions tenues"),
        _(
            "Réunions dont le début tombe dans la période et qui ont été tenues (présences ou avis enregistrés) "
            "ou validées."
        ),
    ),
    _d(
        "meetings_cancelled",
        ACTIVITY,
        _("Réunions annulées"),
        _("Réunions de la période annulées (jour férié ou autre motif)."),
    ),
    _d(
        "cases_discussed",
        ACTIVITY,
        _("Dossiers discutés"),
        _(
            "Dossiers marqués « discutés » à l'ordre du jour des réunions tenues de la période ; un dossier "
            "présenté à deux réunions compte deux fois."
        ),
    ),
    _d(
        "cases_per_meeting",
        ACTIVITY,
        _("Dossiers discutés par réunion (moyenne)"),
        _("Dossiers discutés divisés par le nombre de réunions tenues de la période."),
        MEAN,
    ),
    _d(
        "requests_total",
        ACTIVITY,
        _("Demandes soumises"),
        _(
            "Demandes d'avis dont la date de soumission tombe dans la période, quel que soit leur devenir (y "
            "compris retirées ou refusées) ; les brouillons ne comptent pas."
        ),
    ),
    _d(
        "urgent_share",
        ACTIVITY,
        _("Demandes urgentes (TAG)"),
        _("Demandes soumises dans la période marquées urgentes (TAG), sur toutes les demandes soumises."),
        PERCENT,
    ),
    _d(
        "new_patients",
        ACTIVITY,
        _("Nouveaux patients"),
        _("Demandes soumises dans la période pour un patient qui n'avait fait l'objet d'aucune demande avant."),
    ),
    _d(
        "represented_share",
        ACTIVITY,
        _("Patients re-présentés"),
        _(
            "Demandes soumises dans la période pour un patient ayant déjà fait l'objet d'une demande soumise "
            "auparavant (même INS, ou à défaut mêmes nom de naissance, prénoms et date de naissance), sur toutes "
            "les demandes soumises."
        ),
        PERCENT,
    ),
    # Delays
    _d(
        "delay_discussion_count",
        DELAYS,
        _("Demandes discutées pour la première fois"),
        _("Demandes dont la première discussion en réunion tenue a eu lieu dans la période."),
    ),
    _d(
        "delay_discussion_median",
        DELAYS,
        _("Soumission → première discussion, médiane"),
        _(
            "Temps entre la soumission de la demande et le début de la première réunion qui l'a discutée, pour "
            "les demandes discutées pour la première fois dans la période (médiane, en jours)."
        ),
        DAYS,
    ),
    _d(
        "delay_discussion_p90",
        DELAYS,
        _("Soumission → première discussion, 90e centile"),
        _("Même délai : 90 % des demandes ont été discutées en moins de ce temps (en jours)."),
        DAYS,
    ),
    _d(
        "delay_avis_count",
        DELAYS,
        _("Avis validés (premier avis de la demande)"),
        _("Demandes dont le premier avis validé l'a été dans la période."),
    ),
    _d(
        "delay_avis_median",
        DELAYS,
        _("Soumission → avis validé, médiane"),
        _(
            "Temps entre la soumission de la demande et la validation de son premier avis (validation de la "
            "réunion par les coordonnateurs), pour les avis validés dans la période (médiane, en jours)."
        ),
        DAYS,
    ),
    _d(
        "delay_avis_p90",
        DELAYS,
        _("Soumission → avis validé, 90e centile"),
        _("Même délai : 90 % des avis ont été validés en moins de ce temps (en jours)."),
        DAYS,
    ),
    _d(
        "urgent_alerted",
        DELAYS,
        _("Demandes urgentes alertées"),
        _("Demandes urgentes (TAG) dont l'alerte aux coordonnateurs et référents est partie dans la période."),
    ),
    _d(
        "urgent_ack_median",
        DELAYS,
        _("Urgence : alerte → prise en charge, médiane"),
        _(
            "Temps entre l'alerte urgente et « Je prends la demande » d'un coordonnateur ou d'un référent, pour "
            "les demandes urgentes alertées dans la période et prises en charge (médiane, en heures)."
        ),
        HOURS,
    ),
    _d(
        "urgent_ack_p90",
        DELAYS,
        _("Urgence : alerte → prise en charge, 90e centile"),
        _("Même délai, 90e centile (en heures)."),
        HOURS,
    ),
    _d(
        "urgent_ack_2h",
        DELAYS,
        _("Urgence : prise en charge en 2 h ou moins"),
        _(
            "Demandes urgentes alertées dans la période prises en charge dans les 2 heures, sur toutes les "
            "demandes urgentes alertées (une demande jamais prise en charge compte comme hors délai)."
        ),
        PERCENT,
    ),
    _d(
        "urgent_ack_24h",
        DELAYS,
        _("Urgence : prise en charge en 24 h ou moins"),
        _("Même calcul, dans les 24 heures."),
        PERCENT,
    ),
    _d(
        "urgent_opinion_median",
        DELAYS,
        _("Urgence : alerte → avis urgent, médiane"),
        _(
            "Temps entre l'alerte urgente et l'enregistrement de l'avis urgent, pour les demandes urgentes "
            "alertées dans la période qui ont reçu un avis urgent (médiane, en heures)."
        ),
        HOURS,
    ),
    _d(
        "urgent_opinion_p90",
        DELAYS,
        _("Urgence : alerte → avis urgent, 90e centile"),
        _("Même délai, 90e centile (en heures)."),
        HOURS,
    ),
    _d(
        "urgent_opinion_2h",
        DELAYS,
        _("Urgence : avis urgent en 2 h ou moins"),
        _(
            "Demandes urgentes alertées dans la période ayant reçu l'avis urgent dans les 2 heures, sur toutes "
            "les demandes urgentes alertées."
        ),
        PERCENT,
    ),
    _d(
        "urgent_opinion_24h",
        DELAYS,
        _("Urgence : avis urgent en 24 h ou moins"),
        _("Même calcul, dans les 24 heures."),
        PERCENT,
    ),
    # The meeting
    _d(
        "attendance_mean",
        MEETING,
        _("Présents par réunion (moyenne)"),
        _("Personnes marquées présentes sur la feuille de présence, divisées par le nombre de réunions tenues."),
        MEAN,
    ),
    _d(
        "quorum_share",
        MEETING,
        _("Réunions avec quorum"),
        _(
            "Réunions tenues de la période où au moins 3 médecins de spécialités différentes étaient présents "
            "(la règle de la séance), sur toutes les réunions tenues."
        ),
        PERCENT,
    ),
    _d(
        "postponed_count",
        MEETING,
        _("Dossiers reportés"),
        _("Dossiers de l'ordre du jour des réunions tenues de la période reportés à une réunion suivante."),
    ),
    _d(
        "postponed_share",
        MEETING,
        _("Taux de report"),
        _(
            "Dossiers reportés sur les dossiers discutés ou reportés des réunions tenues de la période "
            "(objectif : moins de 10 %)."
        ),
        PERCENT,
        target=_("< 10 %"),
        limit=10,
    ),
    _d(
        "avis_with_organ_referent",
        MEETING,
        _("Avis rendus avec le référent de l'organe"),
        _("Avis validés dans la période rendus en présence d'un référent de chaque organe atteint."),
        PERCENT,
        missing=_("l'avis ne note pas encore l'exception « sans référent d'organe »."),
    ),
    _d(
        "avis_without_organ_referent",
        MEETING,
        _("Avis rendus sans le référent de l'organe"),
        _("Avis validés dans la période rendus sans référent d'un organe atteint (exception motivée)."),
        PERCENT,
        missing=_("l'avis ne note pas encore l'exception « sans référent d'organe »."),
    ),
    # The avis
    _d(
        "avis_validated",
        AVIS,
        _("Avis validés"),
        _("Avis validés des réunions de la période (date de la réunion)."),
    ),
    _d(
        "avis_guideline_share",
        AVIS,
        _("Avis conformes à un référentiel"),
        _("Avis validés dans la période notés conformes à un référentiel (ASCO, ESMO…), sur tous les avis validés."),
        PERCENT,
        missing=_("la conformité au référentiel n'est pas encore saisie avec l'avis."),
    ),
    _d(
        "followup_applied_share",
        AVIS,
        _("Avis appliqués (réponse au suivi)"),
        _(
            "Avis des réunions de la période dont le demandeur a répondu au suivi (date de réévaluation) qu'ils ont "
            "été appliqués, sur les suivis répondus."
        ),
        PERCENT,
    ),
    _d(
        "followup_not_applied_share",
        AVIS,
        _("Avis non appliqués (réponse au suivi)"),
        _(
            "Avis des réunions de la période dont le demandeur a répondu au suivi (date de réévaluation) qu'ils "
            "n'ont pas été appliqués, sur les suivis répondus (« partiellement » n'est compté dans aucun des deux)."
        ),
        PERCENT,
    ),
    # Pharmacovigilance
    _d(
        "pv_followed",
        PHARMACOVIGILANCE,
        _("Effets suivis"),
        _(
            "Suivis de pharmacovigilance ouverts dans la période (toxicité discutée en RCP ou ayant reçu un avis "
            "urgent), comme dans le registre."
        ),
    ),
    _d(
        "pv_to_declare",
        PHARMACOVIGILANCE,
        _("À déclarer (en attente)"),
        _("Suivis ouverts dans la période dont le statut est « à déclarer »."),
    ),
    _d(
        "pv_declared",
        PHARMACOVIGILANCE,
        _("Déclarés"),
        _("Suivis ouverts dans la période dont le statut est « déclarée »."),
    ),
    _d(
        "pv_declared_share",
        PHARMACOVIGILANCE,
        _("Part déclarée"),
        _("Suivis « déclarée » sur les suivis « à déclarer » ou « déclarée » ouverts dans la période."),
        PERCENT,
    ),
    _d(
        "pv_delay_count",
        PHARMACOVIGILANCE,
        _("Déclarations faites"),
        _("Suivis déclarés au CRPV avec une date de déclaration dans la période."),
    ),
    _d(
        "pv_delay_median",
        PHARMACOVIGILANCE,
        _("Délai de déclaration, médiane"),
        _(
            "Jours entre l'ouverture du suivi et la date de déclaration, pour les déclarations faites dans la "
            "période (médiane)."
        ),
        DAYS,
    ),
    _d(
        "pv_delay_p90",
        PHARMACOVIGILANCE,
        _("Délai de déclaration, 90e centile"),
        _("Même délai, 90e centile (en jours)."),
        DAYS,
    ),
)

TABLES: tuple[TableDef, ...] = (
    TableDef(
        "by_month",
        ACTIVITY,
        _("Activité par mois"),
        _("Par mois de la période (heure de Paris) : demandes soumises, et dossiers discutés aux réunions tenues."),
        _("Mois"),
        share_heading="",
    ),
    TableDef(
        "by_centre",
        ACTIVITY,
        _("Demandes par centre de prise en charge"),
        _("Demandes soumises dans la période, par centre de prise en charge du patient."),
        _("Centre"),
    ),
    TableDef(
        "by_hospital",
        ACTIVITY,
        _("Demandes par établissement du demandeur"),
        _("Demandes soumises dans la période, par établissement du médecin demandeur."),
        _("Établissement"),
    ),
    TableDef(
        "by_organ",
        ACTIVITY,
        _("Demandes par catégorie d'organe"),
        _(
            "Demandes soumises dans la période, par catégorie d'organe de leurs toxicités ; une demande touchant "
            "deux organes compte pour chacun (les parts dépassent alors 100 %)."
        ),
        _("Catégorie d'organe"),
    ),
    TableDef(
        "by_drug",
        ACTIVITY,
        _("Demandes par médicament"),
        _(
            "Demandes soumises dans la période, par immunothérapie reçue ; une association compte pour chaque "
            "médicament (les parts dépassent alors 100 %)."
        ),
        _("Médicament"),
    ),
    TableDef(
        "by_grade",
        ACTIVITY,
        _("Demandes par grade maximal"),
        _("Demandes soumises dans la période, par grade CTCAE v5 le plus élevé de leurs toxicités."),
        _("Grade"),
    ),
    TableDef(
        "attendance_by_specialty",
        MEETING,
        _("Présences par spécialité"),
        _(
            "Présences aux réunions tenues de la période (une personne présente à trois réunions compte trois "
            "fois), par spécialité ; part : sur toutes les présences."
        ),
        _("Spécialité"),
    ),
    TableDef(
        "attendance_by_centre",
        MEETING,
        _("Présences par centre"),
        _("Présences aux réunions tenues de la période, par centre de la personne présente."),
        _("Centre"),
    ),
    TableDef(
        "avis_decisions",
        AVIS,
        _("Décision sur l'immunothérapie"),
        _("Avis validés des réunions de la période, par décision sur l'immunothérapie ; part : sur les avis validés."),
        _("Décision"),
    ),
    TableDef(
        "avis_measures",
        AVIS,
        _("Reprise et traitements recommandés"),
        _(
            "Avis validés des réunions de la période recommandant chaque mesure ; un avis peut en recommander "
            "plusieurs ; part : sur les avis validés."
        ),
        _("Mesure"),
    ),
    TableDef(
        "pv_statuses",
        PHARMACOVIGILANCE,
        _("Suivis par statut"),
        _("Suivis de pharmacovigilance ouverts dans la période, par statut actuel."),
        _("Statut"),
    ),
)

FIGURES_BY_KEY = {f.key: f for f in FIGURES}
TABLES_BY_KEY = {t.key: t for t in TABLES}
assert len(FIGURES_BY_KEY) == len(FIGURES) and len(TABLES_BY_KEY) == len(TABLES), "duplicate figure key"
