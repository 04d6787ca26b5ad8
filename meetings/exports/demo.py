"""Demo of the exports (invented people only). Idempotent; runs after the held meeting's demo (demo_session).

The requesters' establishments qualified the identities of the held meeting's patients (so each validated avis
exports as FRCP, FHIR and XDM), the demo clinician and two of the patients' GPs have MSSanté addresses, so that a
coordinator can send a fiche over MSSanté (printed on the console by the development relay).
"""

from __future__ import annotations

from typing import Any

from cases.models import Avis, Patient
from meetings.models import Meeting
from tigre.accounts.models import User

CLINICIAN_MSSANTE = ("clinicien@demo.tigre", "claire.martinot@chu-reims.demo.mssante.fr")
# Invented GPs of the held meeting's patients, by birth name.
GPS = {
    "Marchal": ("Dr Hervé Lambert", "herve.lambert@medecin.demo.mssante.fr"),
    "Kieffer": ("Dr Sophie Gérard", "sophie.gerard@medecin.demo.mssante.fr"),
}


def load(*, password: str = "", stdout: Any = None) -> int:
    """Qualify the held meeting's identities, give MSSanté addresses; returns how many patients were qualified now."""
    held = Meeting.objects.filter(status=Meeting.Status.VALIDATED, items__avis__state=Avis.State.VALIDATED).distinct()
    patients = Patient.objects.filter(cases__agenda_items__meeting__in=held).exclude(ins="").distinct()
    qualified = patients.exclude(ins_status=Patient.InsStatus.QUALIFIED).update(ins_status=Patient.InsStatus.QUALIFIED)
    for birth_name, (name, address) in GPS.items():
        patients.filter(birth_name=birth_name, gp_mssante="").update(gp_name=name, gp_mssante=address)
    email, address = CLINICIAN_MSSANTE
    User.objects.filter(email=email, mssante_address="").update(mssante_address=address)
    if stdout is not None and qualified:
        stdout.write(
            f"Exports : {qualified} identité(s) qualifiée(s) ; adresses MSSanté du demandeur et de "
            "2 médecins traitants.\n"
        )
    return qualified
