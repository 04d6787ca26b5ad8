"""The requester's one-page answer to the follow-up of an avis (docs/domain.md#follow-up-at-the-reevaluation-date)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from tigre.accounts.decorators import AuthenticatedRequest
from tigre.audit.models import AccessLog
from tigre.audit.services import access_record

from .forms import FollowUpAnswerForm
from .selectors import follow_up_for_answer
from .services import follow_up_answer


@require_http_methods(["GET", "POST"])
def follow_up_answer_view(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    follow_up = follow_up_for_answer(request.user, pk)
    initial = {"applied": follow_up.applied, "outcome": follow_up.outcome, "comment": follow_up.comment}
    form = FollowUpAnswerForm(request.POST or None, initial=initial if follow_up.is_answered else None)
    if request.method == "POST" and form.is_valid():
        again = follow_up.is_answered
        try:
            follow_up_answer(follow_up=follow_up, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                _("Réponse au suivi corrigée.") if again else _("Merci : votre réponse au suivi est enregistrée."),
            )
            return redirect("cases:detail", pk=follow_up.case_id)
    access_record(request=request, action=AccessLog.Action.VIEW_CASE, case=follow_up.case, target=_("Suivi de l'avis"))
    context = {"follow_up": follow_up, "case": follow_up.case, "avis": follow_up.avis, "form": form}
    return render(request, "cases/followup/answer.html", context, status=400 if form.errors else 200)
