"""Writes on accounts."""

from __future__ import annotations

from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import PscAccessRequest, PscDevice, User
from .psc import PscIdentity, name_key


def user_sessions_end(*, user: User) -> int:
    """Delete every live server-side session of ``user`` (database session engine). Returns how many."""
    keys = [
        s.session_key
        for s in Session.objects.filter(expire_date__gt=timezone.now()).only("session_key", "session_data")
        if s.get_decoded().get(SESSION_KEY) == str(user.pk)
    ]
    if keys:
        Session.objects.filter(session_key__in=keys).delete()
    return len(keys)


@transaction.atomic
def user_deactivate(*, user: User) -> None:
    """Deactivate an account and end its sessions at once (not at their next expiry)."""
    if user.is_active:
        user.is_active = False
        user.save(update_fields=["is_active"])
    user_sessions_end(user=user)


# --- Pro Santé Connect ---------------------------------------------------------------------------------------


@transaction.atomic
def psc_device_record(*, user: User, identity: PscIdentity, card_level: bool) -> PscDevice:
    """Record a PSC login of ``user`` on their PSC device (created at the first one: the link)."""
    now = timezone.now()
    device = PscDevice.objects.select_for_update().filter(user=user).first()
    if device is None:
        return PscDevice.objects.create(
            user=user,
            name="Pro Santé Connect",
            confirmed=True,
            national_id=identity.national_id,
            sub=identity.sub[:255],
            linked_at=now,
            last_login_at=now,
            last_acr=identity.acr[:32],
            last_auth_mode=identity.auth_mode[:32],
            last_card_level=card_level,
        )
    fields = {
        "national_id": identity.national_id,
        "sub": identity.sub[:255],
        "last_login_at": now,
        "last_acr": identity.acr[:32],
        "last_auth_mode": identity.auth_mode[:32],
        "last_card_level": card_level,
        "confirmed": True,
    }
    if device.national_id != identity.national_id:
        fields["linked_at"] = now  # linked anew to another identifier (the account's RPPS was changed)
    for name, value in fields.items():
        setattr(device, name, value)
    device.save(update_fields=list(fields))
    return device


def psc_access_request_create(
    *, identity: dict[str, str], reason: str, email: str, phone: str, workplace: str, message: str
) -> tuple[PscAccessRequest, bool]:
    """File an access request for a PSC identity refused at login (``identity``: ``PscIdentity.as_session()``).
    Returns (request, created): one pending request per RPPS, a second one returns the first."""
    existing = PscAccessRequest.objects.filter(rpps=identity["number"], status=PscAccessRequest.Status.PENDING).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            created = PscAccessRequest.objects.create(
                rpps=identity["number"],
                given_name=identity["given_name"][:150],
                family_name=identity["family_name"][:150],
                profession=identity.get("profession", "")[:8],
                reason=reason,
                email=email,
                phone=phone,
                workplace=workplace,
                message=message,
            )
    except IntegrityError:  # the same person submitted twice at once
        return PscAccessRequest.objects.get(rpps=identity["number"], status=PscAccessRequest.Status.PENDING), False
    return created, True


@transaction.atomic
def psc_access_request_accept(*, access_request: PscAccessRequest, user: User, by: User, note: str = "") -> None:
    """Accept: the RPPS of the request goes on ``user``'s existing account (never a new account). Refused with a
    ValidationError when the request was already decided, the account is inactive, its family name is not the one
    PSC gave, or another active account holds this RPPS."""
    locked = PscAccessRequest.objects.select_for_update().get(pk=access_request.pk)
    if locked.status != PscAccessRequest.Status.PENDING:
        raise ValidationError(_("Cette demande a déjà été traitée."), code="decided")
    account = User.objects.select_for_update().get(pk=user.pk)
    if not account.is_active:
        raise ValidationError(_("Ce compte est désactivé."), code="inactive")
    if name_key(account.last_name) != name_key(locked.family_name):
        raise ValidationError(
            _(
                "Le nom du compte (%(account)s) n'est pas celui que Pro Santé Connect a transmis (%(psc)s). "
                "Vérifiez qu'il s'agit de la même personne et corrigez le nom du compte si besoin."
            ),
            code="name_mismatch",
            params={"account": account.last_name, "psc": locked.family_name},
        )
    others = User.objects.filter(is_active=True, rpps=locked.rpps).exclude(pk=account.pk)
    if others.exists():
        raise ValidationError(
            _("Un autre compte actif porte déjà ce numéro RPPS : retirez-le de ce compte d'abord."), code="taken"
        )
    if account.rpps != locked.rpps:
        account.rpps = locked.rpps
        account.save(update_fields=["rpps"])
    locked.status = PscAccessRequest.Status.ACCEPTED
    locked.linked_user = account
    locked.decided_by = by
    locked.decided_at = timezone.now()
    locked.decision_note = note
    locked.save(update_fields=["status", "linked_user", "decided_by", "decided_at", "decision_note"])


@transaction.atomic
def psc_access_request_refuse(*, access_request: PscAccessRequest, by: User, note: str) -> None:
    locked = PscAccessRequest.objects.select_for_update().get(pk=access_request.pk)
    if locked.status != PscAccessRequest.Status.PENDING:
        raise ValidationError(_("Cette demande a déjà été traitée."), code="decided")
    locked.status = PscAccessRequest.Status.REFUSED
    locked.decided_by = by
    locked.decided_at = timezone.now()
    locked.decision_note = note
    locked.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
