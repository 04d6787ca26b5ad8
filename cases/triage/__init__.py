"""The secretariat's triage queue (issue on triage and the weekly meeting)."""
