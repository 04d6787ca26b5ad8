"""Pages of the directory. Thin: parse, call a selector or a service, render."""

from __future__ import annotations

import io
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tigre.accounts.decorators import AuthenticatedRequest, role_required
from tigre.accounts.roles import Role
from tigre.audit.models import AccessLog
from tigre.audit.services import access_record

from . import csv_io, selectors, services
from .forms import AbsenceForm, ImportForm, ReferentForm, SearchForm
from .models import Absence, OrganCategory, Referent

EDITORS = (Role.SECRETARIAT, Role.ADMINISTRATOR)
GRID_READERS = (Role.SECRETARIAT, Role.COORDINATOR, Role.ADMINISTRATOR)


def _today() -> Any:
    return timezone.localdate()


def _is_editor(user: Any) -> bool:
    return bool(user.is_superuser or user.has_role(*EDITORS))


def _own_referent(user: Any) -> Referent | None:
    return Referent.objects.filter(user=user).select_related("user", "centre").first()


def directory(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET or None)
    filters = form.filters() if request.GET else {}
    today = _today()
    context = {
        "form": form,
        "searching": any(filters.values()),
        "categories": selectors.directory(on=today, **filters),
        "today": today,
        "is_editor": _is_editor(request.user),
        "own_referent": _own_referent(request.user),
    }
    return render(request, "referents/directory.html", context)


def detail(request: HttpRequest, pk: int) -> HttpResponse:
    referent = selectors.referent_for_page(pk)
    user: Any = request.user
    is_editor = _is_editor(user)
    is_self = referent.user_id == user.pk
    if not referent.is_active and not is_editor:
        raise Http404
    today = _today()
    absences = list(selectors.absences_of(referent, since=today))
    context = {
        "referent": referent,
        "absences": absences,
        "absent_now": any(a.start <= today <= a.end for a in absences),
        "show_reasons": is_editor or is_self,
        "is_editor": is_editor,
        "is_self": is_self,
        "today": today,
    }
    return render(request, "referents/detail.html", context)


@role_required(*GRID_READERS)
def coverage(request: HttpRequest) -> HttpResponse:
    day = selectors.meeting_day(_today())
    grid = selectors.coverage_grid(day=day)
    return render(request, "referents/coverage.html", {"grid": grid, "is_editor": _is_editor(request.user)})


@role_required(*EDITORS)
def manage(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET or None)
    filters = form.filters() if request.GET else {}
    referents = selectors.referents_for_management(**filters)
    context = {"form": form, "referents": referents, "absent_ids": selectors.absent_referent_ids(_today())}
    return render(request, "referents/manage.html", context)


def _referent_kwargs(data: dict[str, Any]) -> dict[str, Any]:
    return {
        "first_name": data["first_name"],
        "last_name": data["last_name"],
        "title": data["title"],
        "specialty": data["specialty"],
        "centre": data["centre"],
        "takes_urgent": data["takes_urgent"],
        "phone": data["phone"],
        "contact_email": data["contact_email"],
        "notes": data["notes"],
        "primary": data["primary"],
        "backup": data["backup"],
    }


@role_required(*EDITORS)
def create(request: HttpRequest) -> HttpResponse:
    form = ReferentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            referent = services.referent_create(email=form.cleaned_data["email"], **_referent_kwargs(form.cleaned_data))
        except ValidationError as exc:
            form.add_error("email", exc)
        else:
            messages.success(request, _("%(name)s ajouté(e) à l'annuaire.") % {"name": referent})
            return redirect("referents:detail", pk=referent.pk)
    return render(request, "referents/referent_form.html", {"form": form, "referent": None})


@role_required(*EDITORS)
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    referent = selectors.referent_for_page(pk)
    form = ReferentForm(request.POST or None, referent=referent)
    if request.method == "POST" and form.is_valid():
        services.referent_update(referent=referent, **_referent_kwargs(form.cleaned_data))
        messages.success(request, _("Fiche de %(name)s enregistrée.") % {"name": referent})
        return redirect("referents:detail", pk=referent.pk)
    return render(request, "referents/referent_form.html", {"form": form, "referent": referent})


@require_POST
@role_required(*EDITORS)
def set_active(request: HttpRequest, pk: int, active: bool) -> HttpResponse:
    referent = get_object_or_404(Referent.objects.select_related("user"), pk=pk)
    services.referent_set_active(referent=referent, active=active)
    if active:
        messages.success(request, _("%(name)s est de nouveau actif dans l'annuaire.") % {"name": referent.user})
    else:
        messages.success(
            request,
            _("%(name)s est désactivé : il n'est plus proposé ni invité.") % {"name": referent.user},
        )
    return redirect("referents:detail", pk=referent.pk)


def _absences_page(request: HttpRequest, referent: Referent, *, own: bool) -> HttpResponse:
    today = _today()
    form = AbsenceForm(request.POST or None, today=today)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        services.absence_create(referent=referent, start=data["start"], end=data["end"], reason=data["reason"])
        messages.success(
            request,
            _("Absence du %(start)s au %(end)s enregistrée.")
            % {"start": data["start"].strftime("%d/%m/%Y"), "end": data["end"].strftime("%d/%m/%Y")},
        )
        if own:
            return redirect("referents:my_absences")
        return redirect("referents:absences", pk=referent.pk)
    context = {
        "referent": referent,
        "form": form,
        "absences": selectors.absences_of(referent, since=today),
        "own": own,
        "meeting_day": selectors.meeting_day(today),
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "referents/absences.html", context, status=status)


@role_required(*EDITORS)
def absences(request: HttpRequest, pk: int) -> HttpResponse:
    referent = get_object_or_404(Referent.objects.select_related("user", "centre"), pk=pk)
    return _absences_page(request, referent, own=False)


def my_absences(request: HttpRequest) -> HttpResponse:
    referent = _own_referent(request.user)
    if referent is None:
        raise Http404(_("Vous n'êtes pas inscrit dans l'annuaire des référents."))
    return _absences_page(request, referent, own=True)


@require_POST
def absence_delete(request: HttpRequest, pk: int) -> HttpResponse:
    absence = get_object_or_404(Absence.objects.select_related("referent"), pk=pk)
    user: Any = request.user
    own = absence.referent.user_id == user.pk
    if not own and not _is_editor(user):
        # A referent learns nothing about other people's absences: same answer as a missing one.
        if user.has_role(Role.REFERENT):
            raise Http404
        raise PermissionDenied
    services.absence_delete(absence=absence)
    messages.success(request, _("Absence supprimée."))
    if own:
        return redirect("referents:my_absences")
    return redirect("referents:absences", pk=absence.referent_id)


@role_required(*EDITORS)
def import_referents(request: HttpRequest) -> HttpResponse:
    form = ImportForm(request.POST or None, request.FILES or None)
    report = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            report = csv_io.referents_import(data=form.cleaned_data["file"])
            if report.applied:
                messages.success(
                    request,
                    _("Import réussi : %(created)s référent(s) ajouté(s), %(updated)s mis à jour.")
                    % {"created": report.created, "updated": report.updated},
                )
                return redirect("referents:manage")
        status = 400
    context = {"form": form, "report": report, "categories": OrganCategory.objects.filter(is_active=True)}
    return render(request, "referents/import.html", context, status=status)


def _csv_response(filename: str, write: Any) -> HttpResponse:
    buffer = io.StringIO()
    write(buffer)
    response = HttpResponse(buffer.getvalue().encode("utf-8"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@role_required(*EDITORS)
def import_template(request: HttpRequest) -> HttpResponse:
    return _csv_response("modele-import-referents.csv", csv_io.template_csv)


@role_required(*GRID_READERS)
def export(request: AuthenticatedRequest) -> HttpResponse:
    access_record(request=request, action=AccessLog.Action.EXPORT, target="annuaire des référents (CSV)")
    filename = f"annuaire-referents-{_today():%Y-%m-%d}.csv"
    return _csv_response(filename, csv_io.export_csv)
