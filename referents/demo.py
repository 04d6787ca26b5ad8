"""Demo directory data: invented people, real Grand Est hospital names."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from tigre.accounts.models import Centre
from tigre.accounts.roles import Role

from .models import Absence, Coverage, OrganCategory, Referent
from .selectors import fold, meeting_day

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


# Centre keys used below.
CENTRE_KEYS = {
    "R": "CHU de Reims",
    "S": "CHU de Strasbourg",
    "N": "CHRU de Nancy",
    "ICL": "Institut de cancérologie de Lorraine",
    "ICANS": "Institut de cancérologie Strasbourg Europe",
    "G": "Institut Godinot",
}
P, B = Coverage.Rank.PRIMARY, Coverage.Rank.BACKUP
# Invented people. (first name, last name, title, centre key, specialty, [(category code, rank)], takes urgent)
DEMO_REFERENTS: list[tuple[str, str, str, str, str, list[tuple[str, str]], bool]] = [
    ("Élodie", "Marchal", "dr", "R", "dermatology", [("skin", P)], True),
    ("Thomas", "Schaeffer", "pr", "S", "dermatology", [("skin", P)], True),
    ("Inès", "Barbier", "dr", "N", "dermatology", [("skin", B)], True),
    ("Lucie", "Perrin", "dr", "G", "dermatology", [("skin", B)], False),
    ("Pauline", "Vogel", "dr", "R", "dermatology", [("skin", B)], True),
    ("Julien", "Lefort", "dr", "R", "gastroenterology", [("gastrointestinal", P), ("pancreas", B)], True),
    ("Anne", "Muller", "pr", "S", "gastroenterology", [("gastrointestinal", P)], True),
    ("Karim", "Benali", "dr", "N", "gastroenterology", [("gastrointestinal", P), ("pancreas", P)], True),
    ("Margaux", "Colin", "dr", "ICL", "gastroenterology", [("gastrointestinal", B)], False),
    ("Sarah", "Weber", "dr", "S", "gastroenterology", [("pancreas", B)], True),
    ("Hélène", "Roussel", "pr", "N", "hepatology", [("liver", P)], True),
    ("Frédéric", "Klein", "dr", "S", "hepatology", [("liver", P)], True),
    ("Camille", "Drouet", "dr", "R", "hepatology", [("liver", B)], True),
    ("Bruno", "Kuntz", "dr", "S", "hepatology", [("liver", B)], False),
    ("Claire", "Fontaine", "dr", "R", "endocrinology", [("endocrine", P)], True),
    ("Mathieu", "Hoffmann", "pr", "S", "endocrinology", [("endocrine", P)], True),
    ("Nadia", "Haddad", "dr", "N", "endocrinology", [("endocrine", P)], True),
    ("Pierre", "Gauthier", "dr", "ICL", "endocrinology", [("endocrine", B)], False),
    ("Alexandre", "Roth", "dr", "ICANS", "endocrinology", [("endocrine", B)], True),
    ("Vincent", "Lambert", "pr", "N", "pulmonology", [("lung", P)], True),
    ("Aurélie", "Stoll", "dr", "S", "pulmonology", [("lung", P)], True),
    ("Benoît", "Charpentier", "dr", "R", "pulmonology", [("lung", B)], True),
    ("Laure", "Mercier", "dr", "ICANS", "pulmonology", [("lung", B)], False),
    ("Raphaël", "Meyer", "dr", "ICL", "pulmonology", [("lung", B)], True),
    ("Isabelle", "Riedinger", "pr", "S", "cardiology", [("heart", P)], True),
    ("Olivier", "Jacquet", "dr", "R", "cardiology", [("heart", P)], True),
    ("Sophie", "Bauer", "dr", "N", "cardiology", [("heart", B)], True),
    ("Marc", "Delattre", "dr", "ICANS", "cardiology", [("heart", B)], True),
    ("Catherine", "Royer", "pr", "R", "nephrology", [("kidney", P)], True),
    ("Guillaume", "Wolff", "dr", "S", "nephrology", [("kidney", P)], True),
    ("Sylvie", "Humbert", "dr", "N", "nephrology", [("kidney", P)], True),
    ("Amélie", "Thiébaut", "dr", "N", "nephrology", [("kidney", B)], False),
    ("François", "Masson", "pr", "N", "neurology", [("nervous", P)], True),
    ("Jeanne", "Kieffer", "dr", "S", "neurology", [("nervous", P)], True),
    ("Jérôme", "Petitjean", "dr", "R", "neurology", [("nervous", P)], True),
    ("Yann", "Leclerc", "dr", "R", "neurology", [("nervous", B)], True),
    ("Emma", "Husson", "dr", "N", "neurology", [("nervous", B)], True),
    ("Nicolas", "Arnould", "dr", "R", "rheumatology", [("musculoskeletal", P)], True),
    ("Céline", "Ehrhart", "pr", "S", "rheumatology", [("musculoskeletal", P)], True),
    ("David", "Poirot", "dr", "N", "rheumatology", [("musculoskeletal", B)], True),
    ("Valentin", "Gross", "pr", "S", "haematology", [("blood", P)], True),
    ("Agathe", "Renaud", "dr", "N", "haematology", [("blood", P)], True),
    ("Stéphane", "Collard", "dr", "R", "haematology", [("blood", B)], True),
    ("Chloé", "Adam", "dr", "G", "haematology", [("blood", B)], False),
    ("Hugo", "Simonin", "dr", "R", "ophthalmology", [("eye", P)], True),
    ("Manon", "Fischer", "dr", "S", "ophthalmology", [("eye", P)], True),
    ("Paul-Henri", "Dubois", "dr", "N", "ophthalmology", [("eye", B)], False),
    ("Laurent", "Bouvier", "pr", "N", "internal_medicine", [("other", P), ("musculoskeletal", B)], True),
    ("Marion", "Zimmermann", "dr", "S", "internal_medicine", [("other", P), ("blood", B)], True),
    ("Antoine", "Lemoine", "dr", "R", "internal_medicine", [("other", B)], True),
    ("Gérard", "Lenoir", "dr", "ICL", "internal_medicine", [("other", B)], False),  # retired: inactive
]
INACTIVE = {"Lenoir"}
# The existing demo account `referent@demo.tigre` (accounts demo): Dr Romain Keller, cardiology, CHRU de Nancy.
KELLER_EMAIL = "referent@demo.tigre"


def demo_email(first: str, last: str) -> str:
    return f"{fold(first)}.{fold(last)}@demo.tigre".replace(" ", "-")


def load_referents(*, password: str = "", stdout: Any = None) -> None:
    """About 50 invented referents (idempotent); dates computed from today so the demo stays meaningful."""
    User: Any = get_user_model()
    centres = {key: Centre.objects.get(name=name) for key, name in CENTRE_KEYS.items()}
    categories = {c.code: c for c in OrganCategory.objects.all()}
    group = Group.objects.get_or_create(name=str(Role.REFERENT))[0]
    phone_numbers = iter(range(100, 10_000))

    def upsert(
        user: Any, *, centre_key: str, specialty: str, covers: list[tuple[str, str]], urgent: bool, **extra: Any
    ) -> Referent:
        user.groups.add(group)
        referent, _created = Referent.objects.get_or_create(
            user=user,
            defaults={
                "specialty": specialty,
                "centre": centres[centre_key],
                "takes_urgent": urgent,
                "phone": f"03 53 01 {next(phone_numbers) % 100:02d} {len(user.last_name) * 7 % 100:02d}",
                **extra,
            },
        )
        for code, rank in covers:
            Coverage.objects.get_or_create(referent=referent, category=categories[code], defaults={"rank": rank})
        return referent

    by_last_name: dict[str, Referent] = {}
    for first, last, title, centre_key, specialty, covers, urgent in DEMO_REFERENTS:
        user, created = User.objects.get_or_create(
            email=demo_email(first, last),
            defaults={
                "first_name": first,
                "last_name": last,
                "title": title,
                "specialty": specialty,
                "centre": centres[centre_key],
            },
        )
        if created or not user.check_password(password):
            user.set_password(password)
            user.save(update_fields=["password"])
        by_last_name[last] = upsert(
            user,
            centre_key=centre_key,
            specialty=specialty,
            covers=covers,
            urgent=urgent,
            is_active=last not in INACTIVE,
        )

    keller = User.objects.filter(email=KELLER_EMAIL).first()
    if keller is not None:
        by_last_name["Keller"] = upsert(
            keller, centre_key="N", specialty="cardiology", covers=[("heart", P)], urgent=True
        )

    today = timezone.localdate()
    wednesday = meeting_day(today)
    monday = wednesday - datetime.timedelta(days=2)
    absences = [
        # The deliberate gap: every eye referent is away the week of the coming meeting.
        *[
            (name, monday, monday + datetime.timedelta(days=6), "Congrès de la Société française d'ophtalmologie")
            for name in ("Simonin", "Fischer", "Dubois")
        ],
        ("Lambert", today, today + datetime.timedelta(days=3), "Congés"),  # absent today: the badge shows
        ("Royer", wednesday, wednesday, "Bloc opératoire"),  # away that Wednesday, others cover the kidney
        ("Bauer", today + datetime.timedelta(days=10), today + datetime.timedelta(days=24), "Congés"),
        ("Masson", wednesday + datetime.timedelta(days=7), wednesday + datetime.timedelta(days=7), "Formation"),
    ]
    for name, start, end, reason in absences:
        Absence.objects.get_or_create(referent=by_last_name[name], start=start, end=end, defaults={"reason": reason})
    if stdout is not None:
        stdout.write(f"Annuaire : {len(by_last_name)} référents de démonstration.\n")
