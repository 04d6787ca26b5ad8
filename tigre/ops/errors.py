"""Server errors reach someone, without patient data (README, "Operations").

Django's error mail (AdminEmailHandler with its ExceptionReporter) would copy into a mailbox the request's POST
data, cookies, the local variables of every frame and the exception's message, any of which may hold a patient's
name or INS (a form being saved, a database error's DETAIL line). The mail sent here says where the code failed,
never with which data: the logger, the request's method and path (no query string), the user's number, the
exception's class and the traceback's code lines (file, line, function, source text). The full message stays in
the server's log, behind the identifier filter (tigre.audit.logging), at the time the mail gives.

At most one mail per kind of error (exception class and the line that raised it) every ``THROTTLE_SECONDS`` and
per process, so a database outage does not flood the mailbox; the next mail counts the ones held back. Mails go
out from one background thread, so that a slow or hung mail server (EMAIL_TIMEOUT) never delays the error page.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import queue
import socket
import threading
import time
import traceback
from typing import Any

from django.utils.html import escape, format_html
from django.utils.log import AdminEmailHandler
from django.utils.safestring import SafeString, mark_safe
from django.views.debug import ExceptionReporter

from tigre.audit.logging import redact

THROTTLE_SECONDS = 10 * 60
OWN_LOGGERS = ("tigre", "cases", "meetings", "referents")  # they follow the rule: references and ids, no names


class PatientSafeExceptionReporter(ExceptionReporter):
    """Where the code failed, never with which data: no request data, no variables, no exception message."""

    def get_traceback_text(self) -> SafeString:
        lines = []
        request = self.request
        if request is not None:
            lines.append(f"Request: {request.method} {request.path}")
            user = request.__dict__.get("_cached_user")  # only if already loaded: no query while reporting
            if user is not None and getattr(user, "pk", None) is not None:
                lines.append(f"User: #{user.pk}")
        exc: BaseException | None = self.exc_value if isinstance(self.exc_value, BaseException) else None
        seen: set[int] = set()
        chain = []
        while exc is not None and id(exc) not in seen:
            seen.add(id(exc))
            chain.append(exc)
            exc = exc.__cause__ or exc.__context__
        for position, error in enumerate(chain):
            heading = "Exception" if position == 0 else "While handling"
            lines.append(f"{heading}: {type(error).__module__}.{type(error).__qualname__}")
            lines.append("Traceback (code only; values and message left out):")
            for frame in traceback.extract_tb(error.__traceback__):
                lines.append(f'  File "{frame.filename}", line {frame.lineno}, in {frame.name}')
                if frame.line:
                    lines.append(f"    {frame.line}")
        return mark_safe("\n".join(lines) + "\n")  # noqa: S308 (plain text for a text mail, never HTML)

    def get_traceback_html(self) -> SafeString:
        return format_html("<pre>{}</pre>", escape(self.get_traceback_text()))  # escape(): even a SafeString


def _signature(exc_info: Any, record: logging.LogRecord) -> str:
    exc = exc_info[1] if exc_info else None
    if isinstance(exc, BaseException):
        frames = traceback.extract_tb(exc.__traceback__)
        where = f"{frames[-1].filename}:{frames[-1].lineno}" if frames else ""
        return f"{type(exc).__qualname__}@{where}"
    return f"{record.name}:{record.msg}"


class _Sender:
    """One daemon thread per process that sends the queued mails."""

    def __init__(self) -> None:
        self.queue: queue.Queue[tuple[AdminEmailHandler, str, str]] = queue.Queue(maxsize=100)
        self.lock = threading.Lock()
        self.thread: threading.Thread | None = None

    def put(self, handler: AdminEmailHandler, subject: str, body: str) -> None:
        with self.lock:
            if self.thread is None or not self.thread.is_alive():  # first use, or after a fork
                self.thread = threading.Thread(target=self._run, name="admin-mail", daemon=True)
                self.thread.start()
        with contextlib.suppress(queue.Full):  # the mail server has been stuck for a while: the log has it all
            self.queue.put_nowait((handler, subject, body))

    def _run(self) -> None:
        while True:
            handler, subject, body = self.queue.get()
            try:
                AdminEmailHandler.send_mail(handler, subject, body, fail_silently=True)
            except Exception:  # noqa: S110 (fail_silently already; nothing must kill this thread)
                pass
            finally:
                self.queue.task_done()

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait until the queued mails are sent (tests, and a process about to exit)."""
        deadline = time.monotonic() + timeout
        while self.queue.unfinished_tasks and time.monotonic() < deadline:
            time.sleep(0.01)
        return not self.queue.unfinished_tasks


SENDER = _Sender()


def flush(timeout: float = 10.0) -> bool:
    return SENDER.flush(timeout)


class AdminMailHandler(AdminEmailHandler):
    """Django's AdminEmailHandler, with the reporter above, a throttle, and sending off the request's thread."""

    def __init__(self, include_html: bool = False, email_backend: str | None = None, reporter_class: Any = None):
        super().__init__(
            include_html=False, email_backend=email_backend, reporter_class=f"{__name__}.PatientSafeExceptionReporter"
        )
        self._lock = threading.Lock()
        self._last_sent: dict[str, float] = {}
        self._held_back: dict[str, int] = {}

    def _admit(self, key: str) -> int | None:
        """None when a mail for ``key`` went out less than THROTTLE_SECONDS ago; else how many were held back."""
        now = time.monotonic()
        with self._lock:
            last = self._last_sent.get(key)
            if last is not None and now - last < THROTTLE_SECONDS:
                self._held_back[key] = self._held_back.get(key, 0) + 1
                return None
            self._last_sent[key] = now
            return self._held_back.pop(key, 0)

    def emit(self, record: logging.LogRecord) -> None:
        try:
            held_back = self._admit(_signature(record.exc_info, record))
            if held_back is None:
                return
            request = getattr(record, "request", None)
            exc_info = record.exc_info or (None, None, None)
            reporter = PatientSafeExceptionReporter(request, exc_info[0], exc_info[1], exc_info[2], is_email=True)
            exc_name = type(exc_info[1]).__name__ if exc_info[1] is not None else ""
            path = f" {request.method} {request.path}" if request is not None else ""
            subject = self.format_subject(f"{record.levelname} {exc_name or record.name}{path}")
            at = dt.datetime.fromtimestamp(record.created, tz=dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
            header = [
                f"{record.levelname} from {record.name} on {socket.gethostname()} (process {os.getpid()}) at {at}.",
                "The complete message is in the server's log at that time; this mail leaves out every value.",
            ]
            if not record.exc_info and record.name.split(".")[0] in OWN_LOGGERS:
                header.append(f"Message: {redact(record.getMessage())}")
            if held_back:
                header.append(f"{held_back} more of the same kind since the previous mail (not mailed).")
            self.send_mail(subject, "\n".join(header) + "\n\n" + reporter.get_traceback_text())
        except Exception:
            self.handleError(record)

    def send_mail(self, subject: Any, message: Any, *args: Any, **kwargs: Any) -> None:
        SENDER.put(self, subject, message)
