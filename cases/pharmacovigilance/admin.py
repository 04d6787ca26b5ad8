"""No admin: the pharmacovigilance follow-ups name a patient's toxicities and are read through the CRPV
workspace, which checks the role and writes the access trail (docs/privacy.md)."""
