"""Views of the pharmacovigilance workspace (thin: parse, call a service or a selector, render)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cases.selectors import get_case_for_user
from tigre.accounts.decorators import AuthenticatedRequest, role_required
from tigre.audit.models import AccessLog
from tigre.audit.services import access_record, access_record_listed
from tigre.lib.csvsafe import csv_writer
from tigre.pdf.rendering import render_pdf

from . import selectors
from .cerfa import NATIONAL_PORTAL_URL, cerfa_sheet
from .e2b import E2BMinimumCriteriaMissing, e2b_case_identifier, e2b_export
from .filters import PvFilter, PvPeriodFilter
from .forms import BulkForm, DeclarationForm, DrugDetailForm, TransitionForm
from .models import SERIOUSNESS_CRITERIA, PvFollowUp, PvStatus
from .services import PV_ROLES, PvTransitionError, can_manage_pv, pv_bulk_transition, pv_declaration_save, pv_transition

PAGE_SIZE = 50
SENDER_ORGANISATION = "RCP TIGRE — Toxicité des Immunothérapies en GRand Est"


def _filter_query(request: HttpRequest, *, without: tuple[str, ...] = ("page",)) -> str:
    """The list's filters as a query string (page number aside), to keep them across pages and actions."""
    params = [(key, value) for key, values in request.GET.lists() if key not in without for value in values]
    return urlencode(params)


@require_GET
@role_required(*PV_ROLES)
def pv_list(request: HttpRequest) -> HttpResponse:
    filters = PvFilter(request.GET or None)
    # Filters that cannot all be read filter nothing; the form says why, in French.
    valid = filters.is_valid()
    follow_ups = filters.qs if valid else filters.queryset
    page = Paginator(selectors.pv_list(follow_ups), PAGE_SIZE).get_page(request.GET.get("page"))
    counts = selectors.pv_status_counts(filters.without_status() if valid else filters.queryset)
    # One trail row per request shown (docs/domain.md#access-trail), a request once even with several follow-ups.
    shown = {f.toxicity.case.pk: f.toxicity.case for f in page.object_list}
    access_record_listed(request=request, cases=shown.values(), target="pharmacovigilance")
    status_tabs = [(s.value, s.label, counts[s.value]) for s in PvStatus]
    return render(
        request,
        "pharmacovigilance/list.html",
        {
            "form": filters.form,
            "page": page,
            "counts": counts,
            "status_tabs": status_tabs,
            "current_status": filters.form.cleaned_data.get("status", "") if valid else "",
            "query": _filter_query(request),
            "query_without_status": _filter_query(request, without=("page", "status")),
            "bulk_form": BulkForm(),
            "reminder_days": selectors.reminder_days(),
            "now": timezone.now(),
        },
    )


@require_POST
@role_required(*PV_ROLES)
def pv_bulk(request: AuthenticatedRequest) -> HttpResponse:
    form = BulkForm(request.POST)
    back = reverse("pharmacovigilance:list")
    query = request.POST.get("query", "")
    if query:
        back = f"{back}?{query}"
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return HttpResponseRedirect(back)
    try:
        changed = pv_bulk_transition(
            follow_up_ids=form.cleaned_data["ids"],
            to=form.cleaned_data["to"],
            by=request.user,
            reason=form.cleaned_data["reason"],
        )
    except PvTransitionError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("%(count)s effet(s) passé(s) au statut « %(status)s ».")
            % {"count": changed, "status": PvStatus(form.cleaned_data["to"]).label},
        )
    return HttpResponseRedirect(back)


def _sheet_context(request: HttpRequest, pk: int | str) -> dict[str, Any]:
    follow_up = selectors.follow_up_for_sheet(pk)
    sheet = cerfa_sheet(follow_up=follow_up)
    return {"follow_up": follow_up, "sheet": sheet, "case": sheet.case, "portal_url": NATIONAL_PORTAL_URL}


@require_GET
@role_required(*PV_ROLES)
def pv_sheet(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    context = _sheet_context(request, pk)
    access_record(
        request=request, action=AccessLog.Action.VIEW_PV, case=context["case"], target=_("Fiche de déclaration")
    )
    context["transition_form"] = TransitionForm(initial={"declared_on": timezone.localdate()})
    context["history"] = list(context["follow_up"].changes.all())
    return render(request, "pharmacovigilance/sheet.html", context)


@require_GET
@role_required(*PV_ROLES)
def pv_sheet_pdf(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    context = _sheet_context(request, pk)
    access_record(
        request=request, action=AccessLog.Action.EXPORT, case=context["case"], target=_("Fiche de déclaration (PDF)")
    )
    pdf = render_pdf(template_name="pdf/pv_sheet.html", context=context)
    response = HttpResponse(pdf, content_type="application/pdf")
    name = f"declaration-{context['case'].reference or context['case'].pk}-{pk}.pdf"
    response["Content-Disposition"] = f'inline; filename="{name}"'
    return response


@require_POST
@role_required(*PV_ROLES)
def pv_status_change(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    follow_up = selectors.follow_up_for_sheet(pk)
    form = TransitionForm(request.POST)
    target = reverse("pharmacovigilance:sheet", args=[follow_up.pk])
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect(target)
    data = form.cleaned_data
    try:
        pv_transition(
            follow_up=follow_up,
            to=data["to"],
            by=request.user,
            declared_on=data["declared_on"],
            crpv_reference=data["crpv_reference"],
            reason=data["reason"],
        )
    except PvTransitionError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Statut mis à jour : %(status)s.") % {"status": PvStatus(data["to"]).label})
    return redirect(target)


@require_http_methods(["GET", "POST"])
@role_required(*PV_ROLES)
def pv_sheet_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    context = _sheet_context(request, pk)
    follow_up, sheet = context["follow_up"], context["sheet"]
    declaration = getattr(follow_up, "declaration", None)
    data = request.POST if request.method == "POST" else None
    initial = {
        "serious_choice": {True: "yes", False: "no"}.get(sheet.serious, ""),  # type: ignore[arg-type]
        "narrative": sheet.narrative,
        "reporter_rpps": getattr(getattr(context["case"], "pv_details", None), "reporter_rpps", ""),
    }
    if declaration is None or declaration.serious is None:
        # Prefilled from the avis and the grade (cerfa.py): the CRPV confirms or corrects.
        criteria = zip(SERIOUSNESS_CRITERIA, sheet.criteria, strict=True)
        initial.update({name: value for (name, _e), (_l, _el, value) in criteria})
    form = DeclarationForm(data, instance=declaration, initial=initial)
    drug_forms = [
        (
            row,
            DrugDetailForm(
                data,
                prefix=f"drug-{row.drug_id}",
                initial={
                    "route": row.route,
                    "dose": row.dose,
                    "batch_numbers": row.batch_numbers,
                    "batch_unknown": row.batch_unknown,
                    "action_taken": row.action_taken,
                },
            ),
        )
        for row in sheet.drugs
    ]
    if request.method == "POST":
        access_record(
            request=request, action=AccessLog.Action.VIEW_PV, case=context["case"], target=_("Fiche : complément")
        )
        if form.is_valid() and all(f.is_valid() for _row, f in drug_forms):
            try:
                pv_declaration_save(
                    follow_up=follow_up,
                    by=request.user,
                    reaction=form.reaction_values(),
                    narrative=form.cleaned_data["narrative"],
                    drugs={row.drug_id: f.cleaned_data for row, f in drug_forms},
                    reporter_rpps=form.cleaned_data["reporter_rpps"],
                )
            except PvTransitionError as exc:
                messages.error(request, str(exc))
            else:
                messages.success(request, _("Fiche de déclaration enregistrée."))
                return redirect("pharmacovigilance:sheet", pk=follow_up.pk)
        status = 400
    else:
        access_record(
            request=request, action=AccessLog.Action.VIEW_PV, case=context["case"], target=_("Fiche : complément")
        )
        status = 200
    context.update(
        {
            "form": form,
            "drug_forms": drug_forms,
            "criteria_fields": [name for name, _element in SERIOUSNESS_CRITERIA],
            "detail_fields": ["outcome", "dechallenge", "rechallenge", "meddra_code", "meddra_version"],
        }
    )
    return render(request, "pharmacovigilance/sheet_edit.html", context, status=status)


@require_GET
@role_required(*PV_ROLES)
def pv_e2b(request: AuthenticatedRequest, case_pk: int) -> HttpResponse:
    follow_ups = selectors.case_follow_ups_for_export(case_pk)
    sheets = [cerfa_sheet(follow_up=f) for f in follow_ups]
    case = sheets[0].case
    try:
        xml = e2b_export(
            sheets=sheets,
            sender_organisation=SENDER_ORGANISATION,
            sender_name=getattr(request.user, "get_full_name", str)(),
        )
    except E2BMinimumCriteriaMissing as refusal:
        return render(
            request, "pharmacovigilance/e2b_refused.html", {"case": case, "missing": refusal.missing}, status=409
        )
    access_record(request=request, action=AccessLog.Action.EXPORT, case=case, target=_("Export E2B(R3)"))
    response = HttpResponse(xml, content_type="application/xml; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{e2b_case_identifier(case)}-E2B-R3.xml"'
    return response


def _period(request: HttpRequest) -> tuple[Any, QuerySet[PvFollowUp]]:
    """The registry's period filter and the follow-ups it keeps (all of them when it cannot be read)."""
    period = PvPeriodFilter(request.GET or None)
    return period.form, period.qs if period.is_valid() else period.queryset


@require_GET
@role_required(*PV_ROLES)
def pv_registry(request: HttpRequest) -> HttpResponse:
    form, follow_ups = _period(request)
    rows = selectors.pv_registry(follow_ups)
    chart = selectors.registry_chart(rows)
    return render(
        request,
        "pharmacovigilance/registry.html",
        {
            "form": form,
            "rows": rows,
            "chart": chart,
            "totals": selectors.registry_totals(follow_ups),
            "query": _filter_query(request),
        },
    )


@require_GET
@role_required(*PV_ROLES)
def pv_registry_csv(request: AuthenticatedRequest) -> HttpResponse:
    _form, follow_ups = _period(request)
    rows = selectors.pv_registry(follow_ups)
    access_record(request=request, action=AccessLog.Action.EXPORT, target=_("Registre PV (CSV)"))
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="registre-pharmacovigilance.csv"'
    response.write("\ufeff")  # BOM: spreadsheets open UTF-8 accents correctly
    writer = csv_writer(response, delimiter=";")  # cells made inert (tigre/lib/csvsafe.py)
    writer.writerow(
        [_("Médicament"), _("Catégorie d'organe"), _("Grade"), _("Déclarées"), _("Non déclarées"), _("Total")]
    )
    for row in rows:
        writer.writerow([row.drug, row.category, row.grade, row.declared, row.undeclared, row.total])
    return response


@require_GET
def pv_case_status(request: AuthenticatedRequest, case_pk: int) -> HttpResponse:
    """The PV status of each toxicity of one case, for whoever may see the case (404 otherwise).

    A clinician sees the status only; the CRPV and coordinators also get the link to the sheet.
    """
    case = get_case_for_user(request.user, case_pk)
    return render(
        request,
        "pharmacovigilance/_case_status.html",
        {
            "case": case,
            "follow_ups": selectors.case_follow_ups(case),
            "can_manage": can_manage_pv(request.user),
            "pv_centre": settings.TIGRE["PV_CENTRE"],
        },
    )
