"""Seed the organ toxicity taxonomy (docs/domain.md#organ-toxicity-taxonomy): 13 organ categories and their typical events.

The codes are a contract: other parts of the app (case forms, urgency rules, agenda building) look rows up by
code. The data is written out here, not imported from app code, so that this migration keeps doing the same
thing whatever the app code becomes.
"""

from __future__ import annotations

from django.db import migrations

# (code, French label, referent specialty)
CATEGORIES: list[tuple[str, str, str]] = [
    ("skin", "Peau", "dermatology"),
    ("gastrointestinal", "Digestif", "gastroenterology"),
    ("liver", "Foie", "hepatology"),
    ("pancreas", "Pancréas", "gastroenterology"),
    ("endocrine", "Endocrinien", "endocrinology"),
    ("lung", "Poumon", "pulmonology"),
    ("heart", "Cœur et vaisseaux", "cardiology"),
    ("kidney", "Rein", "nephrology"),
    ("nervous", "Système nerveux", "neurology"),
    ("musculoskeletal", "Appareil locomoteur", "rheumatology"),
    ("blood", "Sang", "haematology"),
    ("eye", "Œil", "ophthalmology"),
    ("other", "Autre / systémique", "internal_medicine"),
]

URGENT = "urgent"  # suggest the TAG at any grade (docs/domain.md#tag-criteria)
STOP = "stop"  # stop the ICI at any grade (docs/domain.md#organ-toxicity-taxonomy: cardiac, some neurological, haematological)

# category code -> [(event code, French label, CTCAE v5 term, flags)]
EVENTS: dict[str, list[tuple[str, str, str, set[str]]]] = {
    "skin": [
        ("maculopapular-rash", "Éruption maculo-papuleuse", "Rash maculo-papular", set()),
        ("pruritus", "Prurit", "Pruritus", set()),
        ("bullous-dermatitis", "Dermatose bulleuse", "Bullous dermatitis", set()),
        (
            "sjs-ten",
            "Syndrome de Stevens-Johnson / nécrolyse épidermique toxique (Lyell)",
            "Stevens-Johnson syndrome; Toxic epidermal necrolysis",
            {STOP},
        ),
        ("vitiligo", "Vitiligo", "Skin hypopigmentation", set()),
    ],
    "gastrointestinal": [
        ("diarrhoea", "Diarrhée", "Diarrhea", set()),
        ("colitis", "Colite", "Colitis", set()),
        ("gastritis", "Gastrite / atteinte digestive haute", "Gastritis", set()),
    ],
    "liver": [
        ("hepatitis", "Hépatite immuno-induite", "Hepatobiliary disorders - Other, specify", set()),
        ("transaminases-increase", "Élévation des transaminases", "Alanine aminotransferase increased", set()),
        ("bilirubin-increase", "Élévation de la bilirubine", "Blood bilirubin increased", set()),
    ],
    "pancreas": [
        ("pancreatitis", "Pancréatite", "Pancreatitis", set()),
        ("lipase-increase", "Élévation de la lipase", "Lipase increased", set()),
    ],
    "endocrine": [
        ("hypothyroidism", "Hypothyroïdie", "Hypothyroidism", set()),
        ("hyperthyroidism", "Hyperthyroïdie / thyroïdite", "Hyperthyroidism", set()),
        ("hypophysitis", "Hypophysite", "Hypophysitis", set()),
        ("adrenal-insufficiency", "Insuffisance surrénalienne", "Adrenal insufficiency", set()),
        ("diabetes-ketoacidosis", "Diabète insulinoprive avec acidocétose", "Hyperglycemia; Acidosis", {URGENT}),
    ],
    "lung": [
        ("pneumonitis", "Pneumopathie interstitielle", "Pneumonitis", set()),
        ("pleural-effusion", "Épanchement pleural", "Pleural effusion", set()),
    ],
    "heart": [
        ("myocarditis", "Myocardite", "Myocarditis", {URGENT, STOP}),
        ("pericarditis", "Péricardite", "Pericarditis", {STOP}),
        (
            "arrhythmia",
            "Trouble du rythme ou de la conduction",
            "Cardiac disorders - Other, specify",
            {STOP},
        ),
        ("vasculitis", "Vascularite", "Vasculitis", set()),
    ],
    "kidney": [
        ("nephritis", "Néphrite interstitielle", "Renal and urinary disorders - Other, specify", set()),
        ("acute-kidney-injury", "Insuffisance rénale aiguë", "Acute kidney injury", set()),
    ],
    "nervous": [
        ("myasthenia-gravis", "Myasthénie", "Myasthenia gravis", {URGENT, STOP}),
        ("guillain-barre", "Syndrome de Guillain-Barré", "Guillain-Barre syndrome", {URGENT, STOP}),
        ("encephalitis", "Encéphalite", "Encephalopathy", {URGENT, STOP}),
        ("meningitis", "Méningite aseptique", "Nervous system disorders - Other, specify", set()),
        ("transverse-myelitis", "Myélite transverse", "Myelitis", {STOP}),
        ("peripheral-neuropathy", "Neuropathie périphérique", "Peripheral sensory neuropathy", set()),
    ],
    "musculoskeletal": [
        ("arthritis", "Arthrite", "Arthritis", set()),
        ("myositis", "Myosite", "Myositis", {URGENT}),
        (
            "polymyalgia-like",
            "Tableau de pseudo-polyarthrite rhizomélique",
            "Musculoskeletal and connective tissue disorder - Other, specify",
            set(),
        ),
    ],
    "blood": [
        ("haemolytic-anaemia", "Anémie hémolytique auto-immune", "Hemolysis", {STOP}),
        ("immune-thrombocytopenia", "Thrombopénie immunologique", "Platelet count decreased", {STOP}),
        ("aplastic-anaemia", "Aplasie médullaire", "Bone marrow hypocellular", {STOP}),
        (
            "hlh",
            "Syndrome d'activation macrophagique (HLH)",
            "Blood and lymphatic system disorders - Other, specify",
            {STOP},
        ),
    ],
    "eye": [
        ("uveitis", "Uvéite", "Uveitis", set()),
        ("episcleritis", "Épisclérite", "Episcleral disorder", set()),
        ("keratitis", "Kératite", "Keratitis", set()),
    ],
    "other": [
        ("sarcoid-like", "Réaction sarcoïdosique", "Immune system disorders - Other, specify", set()),
        ("cytokine-release", "Syndrome de relargage cytokinique", "Cytokine release syndrome", set()),
        ("sicca-syndrome", "Syndrome sec", "Dry mouth", set()),
        ("multi-organ", "Atteinte multi-organes", "Multi-organ failure", set()),
    ],
}


def seed(apps, schema_editor):  # type: ignore[no-untyped-def]
    OrganCategory = apps.get_model("referents", "OrganCategory")
    ToxicityEvent = apps.get_model("referents", "ToxicityEvent")
    for position, (code, label, specialty) in enumerate(CATEGORIES, start=1):
        category, _created = OrganCategory.objects.update_or_create(
            code=code, defaults={"label": label, "specialty": specialty, "position": position * 10}
        )
        for event_position, (event_code, event_label, ctcae, flags) in enumerate(EVENTS[code], start=1):
            ToxicityEvent.objects.update_or_create(
                code=event_code,
                defaults={
                    "category": category,
                    "label": event_label,
                    "ctcae_term": ctcae,
                    "urgent_at_any_grade": URGENT in flags,
                    "stop_at_any_grade": STOP in flags,
                    "position": event_position * 10,
                },
            )


def unseed(apps, schema_editor):  # type: ignore[no-untyped-def]
    OrganCategory = apps.get_model("referents", "OrganCategory")
    ToxicityEvent = apps.get_model("referents", "ToxicityEvent")
    event_codes = [event[0] for events in EVENTS.values() for event in events]
    ToxicityEvent.objects.filter(code__in=event_codes).delete()
    OrganCategory.objects.filter(code__in=[c[0] for c in CATEGORIES]).delete()


class Migration(migrations.Migration):
    dependencies = [("referents", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
