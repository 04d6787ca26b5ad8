"""The urgent TAG track (docs/domain.md, "Urgent requests"): alert at once, acknowledge, escalate, urgent opinion."""
