"""The clinician's pages: the request form, "Mes demandes", the case page and the requester's actions."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from referents.models import ToxicityEvent
from tigre import formats
from tigre.accounts.decorators import AuthenticatedRequest, role_required
from tigre.accounts.roles import Role
from tigre.audit.models import AccessLog
from tigre.audit.services import access_record, access_record_listed

from . import rules, selectors, services
from .filters import MyCasesFilter
from .followup.selectors import follow_ups_of
from .forms import (
    DRAFT,
    SUBMIT,
    AnswerForm,
    AttachmentForm,
    PatientForm,
    RequestForms,
    WithdrawForm,
    drug_choices,
    event_choices,
    line_formset,
    querydict_from,
    raw_data,
    toxicity_formset,
)
from .history import Identity, can_present_again, duplicate_checks_left, duplicates_for, patient_history
from .models import Attachment, Case, CaseStatus, Urgency
from .privacy import policy
from .urgent.selectors import urgent_panel_for
from .workflow import can_transition

REQUESTER_ROLES = (Role.CLINICIAN, Role.REFERENT, Role.COORDINATOR)


# --------------------------------------------------------------------------------------------------------------
# The request form
# --------------------------------------------------------------------------------------------------------------


def _draft_case(request: AuthenticatedRequest, pk: int | str) -> Case:
    try:
        case = (
            selectors.cases_visible_to(request.user)
            .select_related("patient", "requester")
            .prefetch_related("lines__drugs", "toxicities", "attachments", "co_requesters")
            .get(pk=pk)
        )
    except (Case.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
    if case.status != CaseStatus.DRAFT or not services.user_is_requester(case, request.user):
        raise Http404
    return case


def _form_context(request: AuthenticatedRequest, forms: RequestForms, case: Case | None) -> dict[str, Any]:
    patient_data = forms.patient.cleaned_data if forms.is_bound and hasattr(forms.patient, "cleaned_data") else {}
    if not forms.is_bound and case is not None:
        patient_data = {
            "ins": case.patient.ins,
            "birth_name": case.patient.birth_name,
            "birth_date": case.patient.birth_date,
        }
    duplicates, _status = _duplicate_panel(request, patient_data, exclude_pk=getattr(case, "pk", None))
    attachments = list(case.attachments.all()) if case is not None else []
    return {
        # A new form carries a token of its own: sent twice, it still makes one request (services.case_create_once).
        "form_token": uuid.uuid4() if case is None else None,
        "forms": forms,
        "case": case,
        "summary": forms.summary(),
        **duplicates,
        "tag_qualifying": forms.tag_qualifying(),
        "urgent": (forms.case_form["urgency"].value() or Urgency.STANDARD) == Urgency.URGENT,
        "attachments": attachments,
        "attachment_form": AttachmentForm(),
        "limits": _limits(),
    }


def _limits() -> dict[str, int]:
    return {
        "max_mb": settings.TIGRE["ATTACHMENT_MAX_BYTES"] // (1024 * 1024),
        "max_count": settings.TIGRE["ATTACHMENT_MAX_COUNT"],
    }


def _form_token(request: AuthenticatedRequest) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(request.POST.get("form_token", "")))
    except ValueError:  # absent (a form rendered before tokens existed) or altered: treated as absent
        return None


def _already_submitted(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The answer to a second sending of a request already submitted (a double click, another tab): a link to it."""
    case = get_object_or_404(selectors.cases_visible_to(request.user), pk=pk)
    return render(request, "cases/already_submitted.html", {"case": case}, status=409)


def _save_posted_draft(
    request: AuthenticatedRequest, case: Case | None, draft_forms: RequestForms, *, autosave: bool = False
) -> Case | HttpResponse:
    """Store what can be stored of the posted form in the draft (created on first save), with the raw text.

    Returns the draft, or the answer to give instead: the request was submitted meanwhile (409), or is not the
    user's (back to *Mes demandes*)."""
    payload = draft_forms.payload()
    raw = raw_data(request.POST)
    try:
        if case is None:
            payload["co_requesters"] = payload["co_requesters"] or []
            case, created = services.case_create_once(
                by=request.user, form_token=_form_token(request), raw_data=raw, **payload
            )
            if not created and case.status != CaseStatus.DRAFT:
                return _already_submitted(request, case.pk)
            if not created:  # the same new form sent again while its request is still a draft: that draft
                case = services.case_save_draft(case=case, by=request.user, raw_data=raw, **payload)
        else:
            case = services.case_save_draft(case=case, by=request.user, raw_data=raw, **payload)
    except services.CaseAlreadySubmitted:
        assert case is not None
        return _already_submitted(request, case.pk)
    except ValidationError as exc:  # not the requester's
        if not autosave:
            messages.error(request, " ".join(exc.messages))
        return redirect("cases:my_cases")
    return case


def _handle_post(request: AuthenticatedRequest, case: Case | None) -> HttpResponse:
    action = request.POST.get("action", "save")
    if action == "restore":
        # The page's script sends back a copy of what was typed but never saved (the session had expired):
        # the form is drawn again from it, rows included, and nothing is stored until the clinician saves.
        # docs/domain.md#nothing-typed-is-lost
        token = _form_token(request)
        if case is None and token is not None and selectors.form_token_used(request.user, token):
            # That new form was saved meanwhile (or submitted): its copy is stale, the script forgets it.
            return HttpResponse(status=409)
        restored = RequestForms(data=request.POST, case=case, mode=DRAFT)
        restored.is_valid()
        return render(request, "cases/form.html", _form_context(request, restored, case))
    mode = SUBMIT if action == "submit" else DRAFT
    forms = RequestForms(data=request.POST, case=case, mode=mode)
    valid = forms.is_valid()
    # Whatever happens next, what could be stored is stored and the raw text is kept: nothing typed is lost.
    draft_forms = forms if mode == DRAFT else RequestForms(data=request.POST, case=case, mode=DRAFT)
    if draft_forms is not forms:
        draft_forms.is_valid()
    saved = _save_posted_draft(request, case, draft_forms)
    if isinstance(saved, HttpResponse):
        return saved
    case = saved
    if mode == SUBMIT and valid:
        # Its own transaction: if submission is refused, the draft saved above stays saved.
        try:
            case = services.case_submit(case=case, by=request.user)
        except services.CaseAlreadySubmitted:
            return _already_submitted(request, case.pk)
        except services.CaseIncomplete as exc:
            # The form checks the same rules (cases.rules); this is the service's last word, shown the same way.
            forms.add_missing(exc.missing)
            valid = False
        except ValidationError as exc:
            forms.section_errors["general"] = list(exc.messages)
            valid = False
    if mode == SUBMIT and valid:
        messages.success(
            request,
            _("Demande %(ref)s soumise. Un accusé de réception vous est envoyé.") % {"ref": case.reference},
        )
        return redirect("cases:detail", pk=case.pk)
    if draft_forms.has_errors() or (mode == SUBMIT and not valid):
        if mode == SUBMIT:
            messages.warning(request, _("Brouillon enregistré, mais la demande ne peut pas encore être soumise."))
        else:
            messages.warning(
                request, _("Brouillon enregistré. Les champs signalés n'ont pas pu être enregistrés : corrigez-les.")
            )
        # The draft is saved (nothing typed is lost); what was asked for is refused: a 400 with the messages.
        context = _form_context(request, forms, case)
        return render(request, "cases/form.html", context, status=400)
    messages.success(request, _("Brouillon enregistré."))
    return redirect("cases:edit", pk=case.pk)


@role_required(*REQUESTER_ROLES)
@require_http_methods(["GET", "POST"])
def case_create(request: AuthenticatedRequest) -> HttpResponse:
    if request.method == "POST":
        return _handle_post(request, None)
    return render(request, "cases/form.html", _form_context(request, RequestForms(user=request.user), None))


@role_required(*REQUESTER_ROLES)
@require_http_methods(["GET", "POST"])
def case_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    if request.method == "POST" and selectors.submitted_by(request.user, pk):
        return _already_submitted(request, pk)  # this draft was submitted from another tab
    case = _draft_case(request, pk)
    if request.method == "POST":
        return _handle_post(request, case)
    access_record(request=request, action=AccessLog.Action.VIEW_CASE, case=case)
    if case.draft_data:
        forms = RequestForms(data=querydict_from(case.draft_data), case=case, mode=DRAFT)
        forms.is_valid()
    else:
        forms = RequestForms(case=case)
    return render(request, "cases/form.html", _form_context(request, forms, case))


@role_required(*REQUESTER_ROLES)
@require_POST
def case_autosave(request: AuthenticatedRequest) -> HttpResponse:
    """The form's periodic draft save (static/js/case_form.js), and the save before a first attachment: stores
    the draft like "Enregistrer le brouillon" (created on the first call) and answers in JSON where it lives.
    docs/domain.md#nothing-typed-is-lost"""
    pk = str(request.POST.get("case_pk", ""))
    case = None
    if pk:
        if selectors.submitted_by(request.user, pk):
            return JsonResponse({"error": _("Cette demande a déjà été soumise.")}, status=409)
        case = _draft_case(request, pk)
    elif _form_token(request) is None:
        # A new form always carries its token: without it, saving again would make a second draft.
        return JsonResponse({"error": _("Formulaire périmé : rechargez la page.")}, status=400)
    forms = RequestForms(data=request.POST, case=case, mode=DRAFT)
    forms.is_valid()
    saved = _save_posted_draft(request, case, forms, autosave=True)
    if isinstance(saved, HttpResponse):
        return JsonResponse({"error": _("Ce brouillon ne peut plus être enregistré.")}, status=409)
    return JsonResponse(
        {
            "pk": saved.pk,
            "edit_url": reverse("cases:edit", args=[saved.pk]),
            "attachment_url": reverse("cases:attachment_add", args=[saved.pk]),
            "delete_url": reverse("cases:delete", args=[saved.pk]),
            "saved_at": formats.time(timezone.localtime()),
        }
    )


@role_required(*REQUESTER_ROLES)
@require_POST
def case_delete(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    case = _draft_case(request, pk)
    try:
        services.case_delete_draft(case=case, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("cases:detail", pk=case.pk)
    messages.success(request, _("Brouillon supprimé."))
    return redirect("cases:my_cases")


# htmx partials of the form ------------------------------------------------------------------------------------


def _row_index(request: AuthenticatedRequest, prefix: str) -> int:
    try:
        return max(0, min(int(request.GET.get(f"{prefix}-TOTAL_FORMS", "0")), 19))
    except ValueError:
        return 0


@role_required(*REQUESTER_ROLES)
@require_GET
def line_row(request: AuthenticatedRequest) -> HttpResponse:
    index = _row_index(request, "line")
    formset = line_formset(form_kwargs={"drugs": drug_choices()})
    form = formset._construct_form(index, **formset.get_form_kwargs(index))  # type: ignore[attr-defined]
    return render(request, "cases/_line_row.html", {"form": form, "index": index, "total": index + 1, "oob": True})


@role_required(*REQUESTER_ROLES)
@require_GET
def toxicity_row(request: AuthenticatedRequest) -> HttpResponse:
    index = _row_index(request, "tox")
    events, grouped = event_choices()
    formset = toxicity_formset(form_kwargs={"events": events, "event_choices": grouped})
    form = formset._construct_form(index, **formset.get_form_kwargs(index))  # type: ignore[attr-defined]
    return render(request, "cases/_toxicity_row.html", {"form": form, "index": index, "total": index + 1, "oob": True})


@role_required(*REQUESTER_ROLES)
@require_POST
def tag_check(request: AuthenticatedRequest) -> HttpResponse:
    """Live TAG suggestion: the toxicities typed so far, checked against docs/domain.md#tag-criteria."""
    event_ids, rows = set(), []
    posted = {key: str(request.POST.get(key, "")) for key in request.POST}
    for key, value in posted.items():
        if key.startswith("tox-") and key.endswith("-event") and value.isdigit():
            event_ids.add(int(value))
    events = {str(e.pk): e for e in ToxicityEvent.objects.filter(pk__in=event_ids)}
    for key, value in posted.items():
        if key.startswith("tox-") and key.endswith("-event"):
            grade = posted.get(key[: -len("event")] + "grade", "")
            rows.append(
                {"event": events.get(value), "grade": int(grade) if grade in {"1", "2", "3", "4", "5"} else None}
            )
    context = {
        "tag_qualifying": rules.tag_qualifying(rows),
        "urgent": request.POST.get("case-urgency") == Urgency.URGENT,
    }
    return render(request, "cases/_tag_panel.html", context)


@role_required(*REQUESTER_ROLES)
@require_POST
def duplicate_check(request: AuthenticatedRequest) -> HttpResponse:
    form = PatientForm(request.POST, prefix="patient", centres=[])
    form.is_valid()
    case_pk = str(request.POST.get("case_pk", ""))
    context, status = _duplicate_panel(
        request, getattr(form, "cleaned_data", {}), exclude_pk=int(case_pk) if case_pk.isdigit() else None
    )
    return render(request, "cases/_duplicates.html", context, status=status)


def _duplicate_panel(
    request: AuthenticatedRequest, data: Mapping[str, Any], *, exclude_pk: int | None
) -> tuple[dict, int]:
    """The duplicate panel of the request form, and its status (429 past the look-up limit).

    It names only the clinician's own requests (and those they co-requested); whatever else exists, it shows the
    same neutral hint, so that it reveals nothing of another physician's patient. Every look-up is trailed, with
    each request of that identity found, and counted (docs/domain.md#a-patients-history)."""
    identity = Identity(
        ins=data.get("ins") or "",
        birth_name=data.get("birth_name") or "",
        first_names=data.get("first_names") or "",
        birth_date=data.get("birth_date"),
    )
    if identity.matching_cases() is None:  # nothing to look up yet
        return {"duplicates": []}, 200
    if not duplicate_checks_left(request.user):
        return {"duplicates": [], "duplicates_limited": True}, 429
    check = duplicates_for(request.user, identity, exclude_pk=exclude_pk)
    action = AccessLog.Action.DUPLICATE_CHECK
    access_record(request=request, action=action, target=_("Contrôle des doublons (formulaire de demande)"))
    for case_pk, patient_pk in check.found:
        found = Case(pk=case_pk, patient_id=patient_pk)
        access_record(request=request, action=action, case=found, target=_("Demande trouvée par le contrôle"))
    return {"duplicates": [{"case": c, "again": can_present_again(c)} for c in check.mine]}, 200


# --------------------------------------------------------------------------------------------------------------
# The clinician's space
# --------------------------------------------------------------------------------------------------------------


@require_GET
def my_cases(request: AuthenticatedRequest) -> HttpResponse:
    filters = MyCasesFilter(request.GET or None, queryset=selectors.my_cases(request.user))
    # Filters that cannot all be read filter nothing; the page says why, in French.
    qs = filters.qs if filters.is_valid() else filters.queryset
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    access_record_listed(request=request, cases=page.object_list, target="mes demandes")  # one row per request shown
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "cases/my_cases.html",
        {"filter_form": filters.form, "page": page, "cases": page.object_list, "query": query.urlencode()},
    )


@require_GET
def case_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    case = selectors.case_for_page(request.user, pk)
    access_record(request=request, action=AccessLog.Action.VIEW_CASE, case=case)
    is_requester = policy.is_requester(request.user, case)
    pending_request = next((m for m in reversed(case.messages.all()) if m.kind == m.Kind.INFO_REQUEST), None)
    context = {
        "case": case,
        "patient": case.patient,
        "timeline": selectors.case_timeline(case),
        "is_requester": is_requester,
        "can_edit": is_requester and case.status == CaseStatus.DRAFT,
        "awaiting_information": case.status == CaseStatus.INFO_REQUESTED,
        "can_answer": is_requester and case.status == CaseStatus.INFO_REQUESTED,
        "can_withdraw": is_requester and case.status != CaseStatus.DRAFT and can_transition(case, CaseStatus.WITHDRAWN),
        "can_attach": is_requester and case.status in services.ATTACHABLE_STATUSES,
        "can_present_again": is_requester and can_present_again(case),
        "pending_request": pending_request,
        "answer_form": AnswerForm(),
        "attachment_form": AttachmentForm(),
        "attachments": list(case.attachments.all()),
        "avis": next(iter(getattr(case, "validated_avis", [])), None),
        "tag_suggested": rules.tag_suggested(case.toxicities.all()),
        "limits": _limits(),
        # Who sees the identity, and who the pseudonym: docs/privacy.md#what-each-role-sees.
        "show_identity": policy.sees_identity(request.user, case),
        "age": case.patient.age_on(timezone.localdate()),
        "urgent_panel": urgent_panel_for(case=case, user=request.user),
        # The patient's other requests, those this viewer may open only (docs/domain.md#a-patients-history).
        "history": patient_history(case, scope=selectors.cases_visible_to(request.user)),
        "follow_ups": follow_ups_of(case),
    }
    return render(request, "cases/detail.html", context)


@require_POST
def case_answer(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    case = selectors.get_case_for_user(request.user, pk)
    form = AnswerForm(request.POST)
    if form.is_valid():
        try:
            services.case_answer_info_request(case=case, by=request.user, body=form.cleaned_data["body"])
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Réponse envoyée : la demande retourne au secrétariat."))
    else:
        messages.error(request, " ".join(str(e) for e in form.errors.get("body", [])))
    return redirect("cases:detail", pk=case.pk)


@require_http_methods(["GET", "POST"])
def case_withdraw(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    case = selectors.get_case_for_user(request.user, pk)
    if not services.user_is_requester(case, request.user):
        raise Http404
    form = WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.case_withdraw(case=case, by=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("La demande a été retirée."))
            return redirect("cases:detail", pk=case.pk)
    return render(request, "cases/withdraw.html", {"case": case, "form": form}, status=400 if form.errors else 200)


@role_required(*REQUESTER_ROLES)
@require_http_methods(["GET", "POST"])
def case_present_again(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """ "Présenter à nouveau": a new draft started from an earlier request of the requester (GET asks, POST does)."""
    case = selectors.get_case_for_user(request.user, pk)
    if not services.user_is_requester(case, request.user):
        raise Http404
    error = ""
    if request.method == "POST":
        try:
            new = services.case_present_again(case=case, by=request.user)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(
                request,
                _(
                    "Nouvelle demande commencée à partir de %(ref)s : vérifiez le patient, les lignes et les "
                    "toxicités, mettez-les à jour, puis posez votre question."
                )
                % {"ref": case.reference},
            )
            return redirect("cases:edit", pk=new.pk)
    elif not can_present_again(case):
        error = _(
            "La demande %(ref)s est encore en cours : attendez l'avis de la RCP avant de la présenter à nouveau."
        ) % {"ref": case.reference or case.pk}
    access_record(request=request, action=AccessLog.Action.VIEW_CASE, case=case, target=_("Présenter à nouveau"))
    context = {"case": case, "error": error}
    return render(request, "cases/present_again.html", context, status=400 if error else 200)


# Attachments ---------------------------------------------------------------------------------------------------


@require_POST
def attachment_add(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    case = selectors.get_case_for_user(request.user, pk)
    form = AttachmentForm(request.POST, request.FILES)
    error = ""
    if form.is_valid():
        try:
            services.attachment_add(
                case=case,
                by=request.user,
                uploaded=form.cleaned_data["file"],
                description=form.cleaned_data.get("description", ""),
            )
        except ValidationError as exc:
            error = " ".join(exc.messages)
    else:
        error = " ".join(str(e) for errors in form.errors.values() for e in errors)
    if getattr(request, "htmx", False):
        context = {
            "case": case,
            "attachments": list(case.attachments.all()),
            "attachment_form": AttachmentForm(),
            "attachment_error": error,
            "can_attach": True,
            "can_delete": case.status == CaseStatus.DRAFT,
            "limits": _limits(),
            # Sent from the request form: the panel keeps its number and its save-first sending.
            "in_form": case.status == CaseStatus.DRAFT and request.POST.get("in_form") == "1",
        }
        # htmx swaps only 2xx answers: the refusal is shown inside the panel.
        return render(request, "cases/_attachments.html", context)
    back = reverse("cases:edit" if case.status == CaseStatus.DRAFT else "cases:detail", args=[case.pk])
    if error:
        context = {"case": case, "error": error, "back": back}
        return render(request, "cases/attachment_refused.html", context, status=400)
    messages.success(request, _("Pièce jointe ajoutée."))
    return redirect(back)


@require_GET
def attachment_download(request: AuthenticatedRequest, pk: int, attachment_pk: int) -> FileResponse:
    case = selectors.get_case_for_user(request.user, pk)
    attachment = get_object_or_404(Attachment, pk=attachment_pk, case=case)
    access_record(
        request=request,
        action=AccessLog.Action.DOWNLOAD_ATTACHMENT,
        case=case,
        target=f"attachment:{attachment.pk}",
    )
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(
        handle, as_attachment=True, filename=attachment.original_name, content_type=attachment.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
def attachment_delete(request: AuthenticatedRequest, pk: int, attachment_pk: int) -> HttpResponse:
    case = selectors.get_case_for_user(request.user, pk)
    attachment = get_object_or_404(Attachment, pk=attachment_pk, case=case)
    try:
        services.attachment_delete(attachment=attachment, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Pièce jointe supprimée."))
    return redirect(reverse("cases:edit" if case.status == CaseStatus.DRAFT else "cases:detail", args=[case.pk]))
