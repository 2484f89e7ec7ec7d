"""Core pages: login, shop switcher, API tokens, background jobs, errors (the home page is the workbench's)."""

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.db import DatabaseError, connection
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import clock, holidays
from .access import page, public
from .errors import DomainError
from .forms import HolidayCalendarForm, PasswordChangeForm, TokenForm, add_domain_error
from .jobs import reap_stale_jobs, resume_job
from .models import ApiToken, Job, OfficialCalendar
from .services import change_own_password, create_api_token, revoke_api_token


@require_POST
@page()
def switch_shop(request):
    """The shop switcher: remember the choice and go back where the user was."""
    request.scope.select(request.POST.get("shop") or None)
    target = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/"
    return redirect(_without_shop(target))


def _without_shop(url: str) -> str:
    """The page the switcher was used on, without its `?shop=` (which would override the choice just made)."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "shop"]
    return urlunsplit(parts._replace(query=urlencode(query)))


@page("core.change_company_settings")
def holiday_calendar(request):
    """The manager enters the official holidays and 调休 of a year chinese-calendar does not know yet."""
    coming = clock.today().year + 1
    year = int(request.GET.get("year") or coming) if str(request.GET.get("year") or coming).isdigit() else coming
    form = HolidayCalendarForm(request.POST or None, initial={"year": year})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            holidays.save_year(request.user, data["year"], data["holidays"], data["workdays"], data["source"])
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Official calendar of %(year)s saved") % {"year": data["year"]})
            return redirect(f"{request.path}?year={data['year']}")
    elif request.method != "POST":
        entered = OfficialCalendar.objects.filter(year=year).first()
        if entered:
            text, workdays = holidays.as_text(entered)
            form = HolidayCalendarForm(
                initial={"year": year, "holidays": text, "workdays": workdays, "source": entered.source}
            )
    this_year = clock.today().year
    years = [(y, clock.package_knows(y), OfficialCalendar.objects.filter(year=y).first()) for y in (this_year, coming)]
    return render(
        request,
        "core/holiday_calendar.html",
        {"form": form, "years": years, "year": year},
        status=400 if form.errors else 200,
    )


@page()
def password_change(request):
    """Everyone changes their own password (the current one first); they stay signed in on this browser."""
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            change_own_password(request.user, data["old_password"], data["new_password"], data["confirm_password"])
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            update_session_auth_hash(request, request.user)
            messages.success(request, _("Password changed"))
            return redirect("password_change")
    return render(request, "core/password_change.html", {"form": form}, status=400 if form.errors else 200)


@page()
def tokens(request):
    """Personal API tokens: create (the key is shown once) and revoke."""
    form = TokenForm(request.POST or None)
    new_key = None
    if request.method == "POST" and form.is_valid():
        try:
            _token, new_key = create_api_token(request.user, form.cleaned_data["name"])
            form = TokenForm()
        except DomainError as exc:
            add_domain_error(form, exc)
    return render(
        request,
        "core/tokens.html",
        {
            "form": form,
            "new_key": new_key,
            "tokens": ApiToken.objects.filter(user=request.user),
        },
        status=400 if form.errors else 200,
    )


@require_POST
@page()
def revoke_token(request, token_id: int):
    token = get_object_or_404(ApiToken, pk=token_id, user=request.user)
    try:
        revoke_api_token(request.user, token)
        messages.success(request, _("Token “%(name)s” revoked") % {"name": token.name})
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("tokens")


def _own_job(request, job_id):
    reap_stale_jobs()  # a job whose process died shows as failed, with the reason, as soon as anyone looks
    return get_object_or_404(Job, pk=job_id, created_by=request.user)


@page()
def job_detail(request, job_id: int):
    """A job's progress bar; the htmx request polls the same URL for the fragment."""
    job = _own_job(request, job_id)
    template = "core/_job_progress.html" if request.htmx else "core/job.html"
    return render(request, template, {"job": job})


@require_POST
@page()
def job_resume(request, job_id: int):
    """Start again a job whose process died (core.jobs.resume_job)."""
    job = _own_job(request, job_id)
    try:
        resume_job(request.user, job)
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("job", job.pk)


@page()
def job_download(request, job_id: int):
    job = _own_job(request, job_id)
    if job.status != Job.Status.DONE or not job.result_file:
        raise Http404
    path = (settings.MEDIA_ROOT / job.result_file).resolve()
    if settings.MEDIA_ROOT.resolve() not in path.parents or not path.is_file():
        raise Http404
    return FileResponse(path.open("rb"), as_attachment=True, filename=path.name)


@page()
def jobs(request):
    return render(request, "core/jobs.html", {"jobs": Job.objects.filter(created_by=request.user)[:50]})


@public
def healthz(request):
    """ok only when the database answers (a load balancer takes a process with a dead database out of rotation)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return HttpResponse("database unavailable", content_type="text/plain", status=503)
    return HttpResponse("ok", content_type="text/plain")


def csrf_failure(request, reason=""):
    """The CSRF refusal in the site's own words (Django's page is English and tells users to set DEBUG)."""
    if request.path.startswith("/api/"):
        body = {"code": "csrf_failed", "message": "CSRF 校验失败：请刷新页面后重试，脚本请使用 API 令牌"}
        return JsonResponse(body, status=403, json_dumps_params={"ensure_ascii": False})
    return render(request, "403_csrf.html", status=403)


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    redirect_authenticated_user = True


login_view = public(LoginView.as_view())
logout_view = public(auth_views.LogoutView.as_view())


def permission_denied(request, exception=None):
    return render(request, "403.html", status=403)


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    return render(request, "500.html", status=500)
