from __future__ import annotations

from django import forms


class MarkReadForm(forms.Form):
    """Mark one notification (``id``) or all of them (no ``id``) read."""

    id = forms.IntegerField(required=False, min_value=1)
