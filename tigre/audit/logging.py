"""No identifiers in application logs.

The rule for code is: log case references (``case.reference``) and primary keys, never a patient's name, birth
date or INS. This filter, installed on every handler (settings.LOGGING), is the safety net for what slips
through: a Patient passed as a log argument is written as ``patient n°<pk>``, a Case as its reference, and any
NIR/INS-shaped number or e-mail address in the final message or traceback is masked.

Imported while logging is configured (before the apps are ready): no model import at module level.
"""

from __future__ import annotations

import logging
import re
from typing import Any

# NIR / INS: sex digit, year, month, department (2A/2B for Corsica), commune, order, optional 2-digit key;
# written with or without spaces.
INS_RE = re.compile(
    r"(?<![\dA-Za-z])[1-478]\s?\d{2}\s?\d{2}\s?(?:\d{2}|2[AaBb])\s?\d{3}\s?\d{3}(?:\s?\d{2})?(?![\dA-Za-z])"
)
EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
INS_MASK = "[INS masqué]"
EMAIL_MASK = "[e-mail masqué]"


def redact(text: str) -> str:
    return EMAIL_RE.sub(EMAIL_MASK, INS_RE.sub(INS_MASK, text))


def _safe_arg(value: Any) -> Any:
    from django.apps import apps

    if not apps.ready:
        return value
    model = getattr(value, "_meta", None)
    label = getattr(model, "label", "")
    if label == "cases.Patient":
        return f"patient n°{value.pk}"
    if label == "cases.Case":
        return value.reference or f"demande n°{value.pk}"
    return value


class RedactIdentifiersFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            if isinstance(record.args, dict):
                record.args = {k: _safe_arg(v) for k, v in record.args.items()}
            elif record.args:
                record.args = tuple(_safe_arg(v) for v in record.args)
            message = record.getMessage()
        except Exception:  # a malformed record: let the handler report it as logging always does
            return True
        record.msg = redact(message)
        record.args = ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True
