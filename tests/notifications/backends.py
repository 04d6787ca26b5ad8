"""An e-mail backend for logic tests that fails the way a mail server does, then (optionally) accepts."""

from __future__ import annotations

import smtplib
from typing import Any

from django.core.mail.backends.locmem import EmailBackend

# Exceptions raised by the next sends, in order; once empty, sends go to django.core.mail.outbox.
FAILURES: list[BaseException] = []


class FlakyBackend(EmailBackend):
    def send_messages(self, messages: Any) -> int:
        if FAILURES:
            raise FAILURES.pop(0)
        return super().send_messages(messages)


def temporary() -> smtplib.SMTPResponseException:
    return smtplib.SMTPDataError(451, b"4.3.0 Try again later")


def permanent() -> smtplib.SMTPRecipientsRefused:
    return smtplib.SMTPRecipientsRefused({"x@hopital.test": (550, b"5.1.1 No such user")})


class SlowBackend(EmailBackend):
    """Takes its time, so that two workers given the same row overlap."""

    def send_messages(self, messages: Any) -> int:
        import time

        time.sleep(0.5)
        return super().send_messages(messages)
