"""The pseudonymisation policy: who sees a patient's identity, once for every screen, PDF, export and e-mail.

The rule and its table are in docs/privacy.md#what-each-role-sees; this module is the one place the code asks.
A patient's *identity* is their names, date of birth and INS (and what is derived from them beyond the
pseudonym); the *pseudonym* is ``Patient.pseudonym`` (initials and year of birth), shown with sex and age.

- The requester and the co-requesters of a request see the identity on it: it is their patient.
- The secretariat and the coordinators see the identity of every request (they triage, check identities,
  and send the fiche into the patient's record).
- Superusers too (the people who run the installation; nobody below can make themselves one: docs/privacy.md).
- Everyone else sees the pseudonym: referents (even on the fiche PDF of the cases of their meetings), the CRPV
  (pharmacovigilance needs the case, not the person; the Cerfa sheet and the E2B export carry only the
  initials, birth date and sex their forms require), administrators.
- Documents for the whole board (agenda, minutes) and every e-mail carry the pseudonym, whoever reads them.
- Identified exports (FRCP, FHIR, MSSanté package: they exist to carry the INS into the patient's record) are
  only for those who see the identity.
"""

from __future__ import annotations

from typing import Any

from tigre.accounts.roles import Role

from ..models import Case

IDENTIFIED_ROLES = frozenset({Role.SECRETARIAT, Role.COORDINATOR})


def is_requester(user: Any, case: Case) -> bool:
    """The requester or a co-requester of ``case`` (reads ``case.co_requesters.all()``: prefetch it on lists)."""
    if not getattr(user, "is_authenticated", False):
        return False
    return case.requester_id == user.pk or any(u.pk == user.pk for u in case.co_requesters.all())


def sees_identity_of_all(user: Any) -> bool:
    """Whether ``user`` sees the identity of every request they may open (not only of their own)."""
    if not getattr(user, "is_authenticated", False):
        return False
    return bool(user.is_superuser or user.has_role(*IDENTIFIED_ROLES))


def sees_identity(user: Any, case: Case) -> bool:
    """Whether ``user`` sees the identity of ``case``'s patient (else the pseudonym, sex and age)."""
    return sees_identity_of_all(user) or is_requester(user, case)
