from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from . import views, views_psc
from .forms import AccountPasswordResetForm

app_name = "accounts"

urlpatterns = [
    path("connexion/", views_psc.TigreLoginView.as_view(), name="login"),
    # Ends the Pro Santé Connect session too after a PSC login (views_psc.PscLogoutView).
    path("deconnexion/", views_psc.psc_aware_logout, name="logout"),
    path("psc/connexion/", views_psc.psc_start, name="psc_start"),
    path("psc/retour/", views_psc.psc_callback, name="psc_callback"),
    path("psc/demande-acces/", views_psc.psc_access_request, name="psc_access_request"),
    path("psc/deconnecte/", views_psc.psc_logged_out, name="psc_logged_out"),
    path("psc/demandes/", views_psc.psc_requests, name="psc_requests"),
    path("psc/demandes/<int:pk>/", views_psc.psc_request_detail, name="psc_request_detail"),
    path("double-authentification/", views.otp_verify, name="otp_verify"),
    path("double-authentification/activer/", views.otp_enrol, name="otp_enrol"),
    path(
        "mot-de-passe/oubli/",
        auth_views.PasswordResetView.as_view(
            form_class=AccountPasswordResetForm,
            email_template_name="registration/password_reset_email.txt",
            subject_template_name="registration/password_reset_subject.txt",
            success_url=reverse_lazy("accounts:password_reset_done"),
        ),
        name="password_reset",
    ),
    path("mot-de-passe/oubli/envoye/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "mot-de-passe/nouveau/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(success_url=reverse_lazy("accounts:password_reset_complete")),
        name="password_reset_confirm",
    ),
    path("mot-de-passe/nouveau/fait/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path(
        "mot-de-passe/changer/",
        auth_views.PasswordChangeView.as_view(success_url=reverse_lazy("accounts:profile")),
        name="password_change",
    ),
    path("profil/", views.profile, name="profile"),
]
