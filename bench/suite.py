"""The benchmark's measurements: each page through the Django test client with a logged-in (second factor
verified) user, each service called as the view or the worker calls it, beside the floor view measured in
the same run. Used by `manage.py bench`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.core.cache import cache
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.db.models import Q
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from cases.models import Attachment, Avis, Case, CaseStatus, Drug, Patient, RequestReason, Urgency
from meetings.agenda.services import agenda_build
from meetings.documents.models import GeneratedDocument
from meetings.documents.selectors import TEMPLATES, document_data
from meetings.documents.services import document_generate, document_request
from meetings.messages import Kind
from meetings.models import AgendaItem, AgendaItemReferent, Meeting, Participant
from meetings.reminders import reminders_meeting_tomorrow
from referents.models import Coverage, ToxicityEvent
from tigre.accounts.models import User
from tigre.notifications.delivery import notification_deliver
from tigre.notifications.models import Notification
from tigre.pdf.rendering import render_pdf_pages

from .dataset import BENCH_DOMAIN, Dataset
from .measure import Result, peak_memory_mb, timed

# One tiny, valid PDF (the attachment of the submission).
SMALL_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)
SUBMITTER_EMAIL = f"clinicien1@{BENCH_DOMAIN}"


@dataclass(frozen=True)
class Target:
    text: str
    check: Callable[[Result, Result], bool]  # (this result, the floor) -> met


@dataclass
class Plan:
    runs: int = 30
    pdf_runs: int = 5
    warmup: int = 3
    profile: str = ""  # the name of a measurement to run under cProfile (`manage.py bench --profile NAME`)
    results: list[Result] = field(default_factory=list)


def verified_client(user: User) -> Client:
    """A test client logged in as ``user`` with the second factor verified (what a good TOTP code gives)."""
    client = Client()
    client.force_login(user)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="bench", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def _ok(response: Any, status: int = 200) -> None:
    if response.status_code != status:
        raise RuntimeError(f"unexpected answer {response.status_code} (expected {status})")


def get_page(client: Client, url: str, *, must_contain: str = "", htmx: bool = False) -> Callable[[], Any]:
    headers = {"HX-Request": "true"} if htmx else {}

    def fn() -> Any:
        return client.get(url, headers=headers)

    def check(response: Any) -> None:
        _ok(response)
        if must_contain and must_contain.encode() not in response.content:
            raise RuntimeError(f"{url}: {must_contain!r} not in the page")

    fn.check = check  # type: ignore[attr-defined]
    return fn


# --- The agenda: reset, build, referents -----------------------------------------------------------------------


def next_meeting_cases(data: Dataset) -> list[int]:
    return list(range(1, data.size.next_meeting_cases + 1))


def agenda_reset(data: Dataset) -> None:
    """Back to before the build: no item, no participant, the 60 requests accepted, no notification of the
    build (so that each run does the same work)."""
    meeting = data.next_meeting
    case_ids = next_meeting_cases(data)
    with transaction.atomic():
        meeting_type = ContentType.objects.get_for_model(Meeting)
        Notification.objects.filter(Q(about_type=meeting_type, about_id=meeting.pk) | Q(case__pk__in=case_ids)).delete()
        AgendaItem.objects.filter(meeting__starts_at__gte=meeting.starts_at, case_id__in=case_ids).delete()
        AgendaItem.objects.filter(meeting=meeting).delete()
        Participant.objects.filter(meeting=meeting).delete()
        Case.objects.filter(pk__in=case_ids).update(status=CaseStatus.ACCEPTED)
        GeneratedDocument.objects.filter(meeting=meeting).delete()


def agenda_built(data: Dataset) -> Any:
    meeting = Meeting.objects.get(pk=data.next_meeting.pk)
    return agenda_build(meeting=meeting, by=data.secretariat)


def check_build(data: Dataset) -> Callable[[Any], None]:
    def check(result: Any) -> None:
        count = AgendaItem.objects.filter(meeting=data.next_meeting).count()
        if count != data.size.next_meeting_cases:
            raise RuntimeError(f"agenda build: {count} items, expected {data.size.next_meeting_cases}")

    return check


# --- The submission ------------------------------------------------------------------------------------------


def submission_data() -> dict[str, Any]:
    drugs = list(Drug.objects.order_by("pk")[:2])
    events = list(ToxicityEvent.objects.order_by("pk")[:2])
    today = timezone.localdate()
    return {
        "patient-birth_name": "Banc-Essai",
        "patient-first_names": "Camille",
        "patient-sex": "F",
        "patient-birth_date": "1961-03-14",
        "patient-ins": "",
        "patient-ins_status": "none",
        "case-primary_site_label": "Mélanome",
        "case-primary_site": "C43",
        "case-reason": RequestReason.COMPLEX_MANAGEMENT,
        "case-question": "Faut-il reprendre l'immunothérapie ?",
        "case-urgency": Urgency.STANDARD,
        "case-patient_informed": "yes",
        "line-TOTAL_FORMS": "1",
        "line-INITIAL_FORMS": "0",
        "line-0-drugs": [str(drugs[0].pk), str(drugs[1].pk)],
        "line-0-regimen": "ici_ici",
        "line-0-setting": "metastatic",
        "line-0-start_date": (today - dt.timedelta(days=150)).isoformat(),
        "line-0-status": "held",
        "tox-TOTAL_FORMS": "2",
        "tox-INITIAL_FORMS": "0",
        "tox-0-event": str(events[0].pk),
        "tox-0-grade": "2",
        "tox-0-onset_date": (today - dt.timedelta(days=40)).isoformat(),
        "tox-1-event": str(events[1].pk),
        "tox-1-grade": "3",
        "tox-1-onset_date": (today - dt.timedelta(days=20)).isoformat(),
        "action": "submit",
    }


def submit_request(client: Client, payload: dict[str, Any]) -> Callable[[], Any]:
    """The clinician's full submission: the form posted with "submit", then one PDF attached to the
    submitted request (the attachment panel of the case page)."""

    def fn() -> Any:
        response = client.post(reverse("cases:create"), payload)
        location = response.get("Location", "")
        if response.status_code != 302 or "/demandes/" not in location:
            raise RuntimeError(f"submission refused ({response.status_code})")
        pk = int(location.rstrip("/").rsplit("/", 1)[-1])
        upload = SimpleUploadedFile("compte-rendu.pdf", SMALL_PDF, content_type="application/pdf")
        attached = client.post(reverse("cases:attachment_add", args=[pk]), {"file": upload, "description": "CR"})
        if attached.status_code != 302:
            raise RuntimeError(f"attachment refused ({attached.status_code})")
        return pk

    return fn


def check_submitted(pk: int) -> None:
    case = Case.objects.get(pk=pk)
    if case.status != CaseStatus.SUBMITTED or not case.reference:
        raise RuntimeError(f"case {pk} not submitted: {case.status} {case.reference!r}")
    if case.toxicities.count() != 2 or case.lines.get().drugs.count() != 2 or case.attachments.count() != 1:
        raise RuntimeError(f"case {pk} stored incompletely")


def remove_bench_submissions(data: Dataset) -> int:
    """Remove the requests the submission measurement created (the dataset stays as loaded)."""
    cases = Case.objects.filter(pk__gt=data.size.cases, requester__email=SUBMITTER_EMAIL)
    patient_ids = list(cases.values_list("patient_id", flat=True))
    for attachment in Attachment.objects.filter(case__in=cases):
        if attachment.file:
            default_storage.delete(attachment.file.name)
    count = len(patient_ids)
    with transaction.atomic():
        cases.delete()
        Patient.objects.filter(pk__in=patient_ids, cases__isnull=True).delete()
    return count


# --- Documents -----------------------------------------------------------------------------------------------


def fiche_avis(data: Dataset) -> Avis:
    """A validated avis on a past meeting (the sample fiche), made once."""
    item = (
        AgendaItem.objects.filter(meeting__starts_at__lt=timezone.now())
        .select_related("case", "meeting", "avis")
        .order_by("-meeting__starts_at", "position")
        .first()
    )
    if item is None:
        raise RuntimeError("no past agenda item in the dataset")
    if item.avis is not None:
        return item.avis
    avis = Avis.objects.create(
        case=item.case,
        meeting_at=item.meeting.starts_at,
        **{
            "state": Avis.State.VALIDATED,
            "answer": "Reprise de l'immunothérapie possible après corticothérapie et contrôle à 4 semaines.",
            "ici_decision": Avis.IciDecision.values[0],
            "steroids": True,
            "steroids_dose": "1 mg/kg/j de prednisone",
            "further_tests": "Troponine, ECG, IRM cardiaque",
            "follow_up_date": timezone.localdate(item.meeting.starts_at) + dt.timedelta(days=28),
            "drafted_by": data.coordinator,
            "validated_by": data.coordinator,
            "validated_at": item.meeting.ends_at,
        },
    )
    item.avis = avis
    item.save(update_fields=["avis"])
    return avis


def render_document(kind: str, meeting: Meeting, case: Case | None = None) -> Callable[[], int]:
    """What the worker does for a document not stored yet: gather its data, render it (no cache)."""

    def fn() -> int:
        meeting_now = Meeting.objects.get(pk=meeting.pk)
        data = document_data(kind=kind, meeting=meeting_now, case=case)
        template_name, stylesheet = TEMPLATES[GeneratedDocument.Kind(kind)]
        pdf, pages = render_pdf_pages(template_name=template_name, context={"doc": data}, stylesheet=stylesheet)
        if not pdf.startswith(b"%PDF") or pages < 1:
            raise RuntimeError(f"{kind}: not a PDF")
        return pages

    return fn


def get_pdf(client: Client, url: str) -> Callable[[], Any]:
    def fn() -> Any:
        return client.get(url)

    def check(response: Any) -> None:
        _ok(response)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        if not body.startswith(b"%PDF"):
            raise RuntimeError(f"{url}: not a PDF")

    fn.check = check  # type: ignore[attr-defined]
    return fn


def clinician_of(avis: Avis) -> Client:
    return verified_client(avis.case.requester)


# --- The reminder fan-out ------------------------------------------------------------------------------------


def reminder_reset(data: Dataset) -> None:
    Notification.objects.filter(key__contains=f":meeting{data.next_meeting.pk}:", kind=Kind.MEETING_REMINDER).delete()
    mail.outbox = []


def reminder_fan_out(data: Dataset) -> Callable[[], int]:
    """The day-before run: outbox rows written in one transaction, then each delivered as the worker does
    (the locmem e-mail backend)."""
    day_before = data.next_meeting.starts_at - dt.timedelta(hours=20)

    def fn() -> int:
        with transaction.atomic():
            rows = reminders_meeting_tomorrow(now=day_before)
        for row in rows:
            notification_deliver(notification_id=row.pk)
        return len(rows)

    return fn


def referents_all_needed(data: Dataset) -> None:
    """Every referent of the dataset needed on the next meeting (each on an item, for a category they cover):
    the day-before fan-out then reaches all of them (50), not only the primaries the build picked."""
    items = list(AgendaItem.objects.filter(meeting=data.next_meeting).order_by("position", "pk"))
    coverages = Coverage.objects.filter(referent__user__is_active=True).order_by("pk")
    AgendaItemReferent.objects.bulk_create(
        [
            AgendaItemReferent(item=items[i % len(items)], referent_id=c.referent_id, category_id=c.category_id)
            for i, c in enumerate(coverages)
        ],
        ignore_conflicts=True,
    )


def reminder_recipients(data: Dataset) -> int:
    return (
        AgendaItemReferent.objects.filter(item__meeting=data.next_meeting)
        .values("referent__user_id")
        .distinct()
        .count()
    )


def check_reminders(data: Dataset, expected: int) -> Callable[[int], None]:
    def check(sent: int) -> None:
        delivered = Notification.objects.filter(
            key__contains=f":meeting{data.next_meeting.pk}:", kind=Kind.MEETING_REMINDER, state=Notification.State.SENT
        ).count()
        if sent != expected or delivered != expected or len(mail.outbox) != expected:
            raise RuntimeError(f"reminders: {sent} rows, {delivered} sent, {len(mail.outbox)} e-mails, {expected=}")

    return check


# --- Running everything --------------------------------------------------------------------------------------


def run_all(data: Dataset, plan: Plan, *, log: Callable[[str], None]) -> list[Result]:
    results: list[Result] = []

    floor_view: Callable[[], Any] | None = None

    def measure(name: str, fn: Callable[[], Any], *, runs: int | None = None, **kwargs: Any) -> Result:
        check = kwargs.pop("check", getattr(fn, "check", None))
        kwargs.setdefault("paired", floor_view)
        profile = name == plan.profile
        result = timed(name, fn, runs=runs or plan.runs, warmup=plan.warmup, check=check, profile=profile, **kwargs)
        results.append(result)
        log(f"  {name}: median {result.median_ms} ms, p95 {result.p95_ms} ms, {result.queries} queries")
        if profile:
            log(result.extra["profile"])
        return result

    secretariat = verified_client(data.secretariat)
    clinician = verified_client(data.heavy_clinician)
    submitter = verified_client(User.objects.get(email=SUBMITTER_EMAIL))
    remove_bench_submissions(data)

    floor_view = get_page(secretariat, reverse("bench_floor"), must_contain="ok 1")
    measure("floor", floor_view, paired=None)

    # The agenda build first: the pages and documents below use the agenda it makes.
    measure(
        "agenda_build",
        lambda: agenda_built(data),
        setup=lambda: agenda_reset(data),
        check=check_build(data),
    )
    agenda_reset(data)
    agenda_built(data)
    meeting = data.next_meeting
    # A case of the clinician's own (the case page is measured as its requester sees it).
    sample = Case.objects.filter(requester=data.heavy_clinician, reference__isnull=False).order_by("-pk").first()
    if sample is None:
        raise RuntimeError("the heavy clinician has no request")
    agenda_url = reverse("meetings:detail", args=[meeting.pk])
    # Rendered afresh on every view (nothing is cached).
    measure("agenda_page", get_page(secretariat, agenda_url, must_contain=sample_reference(data)))
    first_item = AgendaItem.objects.filter(meeting=meeting).order_by("position").first()
    if first_item is not None:
        measure(
            "agenda_item_menu",
            get_page(
                secretariat,
                reverse("meetings:agenda_item_actions", args=[meeting.pk, first_item.pk]),
                must_contain="Retirer",
                htmx=True,
            ),
        )

    search = triage_search_term(data)
    measure("triage_queue", get_page(secretariat, reverse("cases:triage"), must_contain="tri"))
    triage_query = f"?etat={CaseStatus.SUBMITTED}&grade=3&q={search}"
    measure("triage_queue_search", get_page(secretariat, reverse("cases:triage") + triage_query))
    measure("my_cases", get_page(clinician, reverse("cases:my_cases")))
    measure(
        "case_page",
        get_page(clinician, reverse("cases:detail", args=[sample.pk]), must_contain=sample.reference or ""),
    )
    measure("submission", submit_request(submitter, submission_data()), check=check_submitted)
    removed = remove_bench_submissions(data)
    log(f"  ({removed} submitted requests removed)")

    agenda = measure("agenda_pdf", render_document(GeneratedDocument.Kind.AGENDA, meeting), runs=plan.pdf_runs)
    agenda.peak_mb = peak_memory_mb(render_document(GeneratedDocument.Kind.AGENDA, meeting))
    avis = fiche_avis(data)
    fiche_fn = render_document(GeneratedDocument.Kind.FICHE, avis.agenda_item.meeting, avis.case)
    fiche = measure("fiche_pdf", fiche_fn, runs=plan.pdf_runs * 2)
    fiche.peak_mb = peak_memory_mb(fiche_fn)

    # What the user waits for once the worker stored the PDF: the download view (data fingerprint, file).
    stored_agenda = document_request(kind=GeneratedDocument.Kind.AGENDA, meeting=meeting)
    document_generate(document_id=stored_agenda.pk)
    measure(
        "agenda_pdf_download",
        get_pdf(secretariat, reverse("documents:agenda_pdf", args=[meeting.pk])),
        runs=plan.runs,
    )
    measure("fiche_pdf_download", get_pdf(clinician_of(avis), reverse("documents:fiche_pdf", args=[avis.pk])))

    # The activity dashboard for a whole year of the dataset (its last full year), and its queries for a month.
    year = timezone.localdate().year - 1
    dashboard = measure(
        "activity_dashboard",
        get_page(secretariat, reverse("statistics:dashboard") + f"?periode=year&annee={year}", must_contain="Taux"),
    )
    # The same computed afresh (the figures are kept five minutes): what the first visitor of a period waits for.
    measure(
        "activity_dashboard_uncached",
        get_page(secretariat, reverse("statistics:dashboard") + f"?periode=year&annee={year}", must_contain="Taux"),
        setup=cache.clear,
    )
    month_url = reverse("statistics:dashboard") + f"?periode=month&annee={year}&mois=6"
    cache.clear()
    with CaptureQueriesContext(connection) as month_queries:
        _ok(secretariat.get(month_url))
    with CaptureQueriesContext(connection) as month_cached:
        _ok(secretariat.get(month_url))
    dashboard.extra["queries_by_period"] = {"year": dashboard.queries, "month": len(month_cached.captured_queries)}
    dashboard.extra["queries_computed_afresh"] = len(month_queries.captured_queries)

    referents_all_needed(data)
    recipients = reminder_recipients(data)
    reminders = measure(
        "reminder_fan_out",
        reminder_fan_out(data),
        setup=lambda: reminder_reset(data),
        check=check_reminders(data, recipients),
        runs=max(plan.runs // 3, 3),
    )
    reminders.extra["recipients"] = recipients
    reminder_reset(data)
    return results


def sample_reference(data: Dataset) -> str:
    first = AgendaItem.objects.filter(meeting=data.next_meeting).select_related("case").order_by("position").first()
    return (first.case.reference or "") if first else ""


def triage_search_term(data: Dataset) -> str:
    """A reference fragment: what the secretariat types."""
    return str(timezone.localdate().year)
