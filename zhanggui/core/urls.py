"""Core pages: sign-in, the shop switcher, personal API tokens and background jobs (names without a namespace)."""

from django.urls import path

from . import views

urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("healthz", views.healthz, name="healthz"),
    path("scope/", views.switch_shop, name="switch_shop"),
    path("company/holidays/", views.holiday_calendar, name="holiday_calendar"),
    path("me/password/", views.password_change, name="password_change"),
    path("me/tokens/", views.tokens, name="tokens"),
    path("me/tokens/<int:token_id>/revoke/", views.revoke_token, name="revoke_token"),
    path("me/jobs/", views.jobs, name="jobs"),
    path("me/jobs/<int:job_id>/", views.job_detail, name="job"),
    path("me/jobs/<int:job_id>/resume/", views.job_resume, name="job_resume"),
    path("me/jobs/<int:job_id>/download/", views.job_download, name="job_download"),
]
