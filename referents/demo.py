"""Demo directory data: invented people, real Grand Est hospital names."""

from __future__ import annotations

from typing import Any

from .models import Centre

K = Centre.Kind
DEMO_CENTRES: list[tuple[str, str, str]] = [
    ("CHU de Reims", "Reims", K.COORDINATING_CHU),
    ("CHU de Strasbourg", "Strasbourg", K.COORDINATING_CHU),
    ("CHRU de Nancy", "Nancy", K.COORDINATING_CHU),
    ("Institut de cancérologie de Lorraine", "Vandœuvre-lès-Nancy", K.CANCER_CENTRE),
    ("Institut de cancérologie Strasbourg Europe", "Strasbourg", K.CANCER_CENTRE),
    ("Institut Godinot", "Reims", K.CANCER_CENTRE),
    ("CHR Metz-Thionville", "Metz", K.HOSPITAL),
    ("GHR Mulhouse Sud-Alsace", "Mulhouse", K.HOSPITAL),
    ("Hôpitaux civils de Colmar", "Colmar", K.HOSPITAL),
    ("CH de Troyes", "Troyes", K.HOSPITAL),
    ("CH de Charleville-Mézières", "Charleville-Mézières", K.HOSPITAL),
    ("CH d'Épinal", "Épinal", K.HOSPITAL),
    ("CH de Verdun", "Verdun", K.HOSPITAL),
    ("Clinique Claude Bernard", "Metz", K.PRIVATE_CLINIC),
]


def load_centres(*, password: str = "", stdout: Any = None) -> None:
    for name, city, kind in DEMO_CENTRES:
        Centre.objects.get_or_create(name=name, city=city, defaults={"kind": kind})
