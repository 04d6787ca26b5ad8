"""Medical specialties, shared by user profiles, referents and the organ taxonomy."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Specialty(models.TextChoices):
    ONCOLOGY = "oncology", _("Oncologie médicale")
    DERMATOLOGY = "dermatology", _("Dermatologie")
    GASTROENTEROLOGY = "gastroenterology", _("Gastro-entérologie")
    HEPATOLOGY = "hepatology", _("Hépatologie")
    ENDOCRINOLOGY = "endocrinology", _("Endocrinologie-diabétologie")
    PULMONOLOGY = "pulmonology", _("Pneumologie")
    CARDIOLOGY = "cardiology", _("Cardiologie")
    NEPHROLOGY = "nephrology", _("Néphrologie")
    NEUROLOGY = "neurology", _("Neurologie")
    RHEUMATOLOGY = "rheumatology", _("Rhumatologie")
    INTERNAL_MEDICINE = "internal_medicine", _("Médecine interne")
    HAEMATOLOGY = "haematology", _("Hématologie")
    OPHTHALMOLOGY = "ophthalmology", _("Ophtalmologie")
    PHARMACOLOGY = "pharmacology", _("Pharmacologie / pharmacovigilance")
    RADIOTHERAPY = "radiotherapy", _("Radiothérapie")
    GENERAL_PRACTICE = "general_practice", _("Médecine générale")
    OTHER = "other", _("Autre")
