"""The avis in the standards other systems read: FRCP (CDA R2 N3), FHIR R4, IHE XDM for MSSanté (docs/exports.md)."""
