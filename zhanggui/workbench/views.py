"""The home page (工作台)."""

from django.shortcuts import render

from zhanggui.core.access import page

from .selectors import home_context


@page()
def home(request):
    """工作台: each role's queues and, for the manager, the day's sales — real counts for the shops in scope."""
    return render(request, "workbench/home.html", home_context(request.user, request.scope))
