"""Core pages: home (工作台), shop switcher, API tokens, background jobs, errors."""

import datetime as dt

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.db.models import Count
from django.db.models.functions import TruncDate
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import clock
from .access import has_access, page, public
from .errors import DomainError
from .events import present_event
from .forms import TokenForm, add_domain_error
from .models import ApiToken, Event, Job
from .services import create_api_token, revoke_api_token


def _order_queues(request):
    """ORD-9: the order exception queues with their counts, for people who may see orders."""
    if not has_access(request.user, "orders.view_order"):
        return None
    from zhanggui.orders.selectors import exception_queues

    return exception_queues(request.scope.shops)


@page()
def home(request):
    """工作台: real counts from the database for the shops in scope — nothing invented."""
    from zhanggui.crm.models import Customer
    from zhanggui.shops.selectors import open_checklists
    from zhanggui.team.models import Staff
    from zhanggui.team.selectors import unowned_duties
    from zhanggui.team.tasks_service import open_for

    shops = request.scope.shops
    today = clock.today()
    since = clock.local_day_bounds(today - dt.timedelta(days=13))[0]
    events = Event.objects.filter(shop__in=shops)
    per_day = dict(
        events.filter(at__gte=since)
        .annotate(day=TruncDate("at", tzinfo=clock.SHANGHAI))
        .values_list("day")
        .annotate(n=Count("id"))
        .values_list("day", "n")
    )
    days = [today - dt.timedelta(days=n) for n in range(13, -1, -1)]
    by_platform = {}
    for shop in shops:
        by_platform.setdefault(shop.platform.name, 0)
        by_platform[shop.platform.name] += 1
    context = {
        "figures": {
            "shops": len(shops),
            "staff": Staff.objects.filter(is_active=True).count(),
            "customers": Customer.objects.filter(shop__in=shops).count()
            if has_access(request.user, "crm.view_customer")
            else None,
            "unowned_duties": unowned_duties().count(),
            "events_today": events.filter(at__gte=clock.local_day_bounds(today)[0]).count(),
        },
        "by_platform": by_platform,
        "checklists": list(open_checklists(shops)),
        "activity_days": [d.strftime("%m-%d") for d in days],
        "activity_counts": [per_day.get(d, 0) for d in days],
        # 我的待办 (PUR-4 and other system tasks): the five newest open ones, the count links to all.
        "my_tasks": list(open_for(request.user).order_by("-created_at", "-pk")[:5]),
        "my_tasks_count": open_for(request.user).count(),
        "order_queues": _order_queues(request),
        "recent": [present_event(e, request.user) for e in events.select_related("actor", "content_type")[:12]]
        if has_access(request.user, "core.view_event")
        else [],
    }
    return render(request, "core/home.html", context)


@require_POST
@page()
def switch_shop(request):
    """The shop switcher: remember the choice and go back where the user was."""
    request.scope.select(request.POST.get("shop") or None)
    target = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/"
    return redirect(target)


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
    return get_object_or_404(Job, pk=job_id, created_by=request.user)


@page()
def job_detail(request, job_id: int):
    """A job's progress bar; the htmx request polls the same URL for the fragment."""
    job = _own_job(request, job_id)
    template = "core/_job_progress.html" if request.htmx else "core/job.html"
    return render(request, template, {"job": job})


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
    return HttpResponse("ok", content_type="text/plain")


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
