"""Tracking import (/shipping/tracking/, SHIP-4): upload the carrier's scan file, see what was recorded, which rows
failed (with line numbers) and which parcels and orders are now signed for. Rules in services/tracking.py."""

from django.contrib import messages
from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext as _

from zhanggui.core.access import page
from zhanggui.core.errors import DomainError

from .. import selectors
from ..services import tracking

ADD_TRACKING = "fulfilment.add_trackingevent"


@page(ADD_TRACKING)
def tracking_import(request):
    result = None
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            messages.error(request, _("Choose a file to upload."))
        else:
            try:
                result = tracking.import_tracking(request.user, upload, shops=request.scope.shops)
            except DomainError as exc:
                messages.error(request, exc.message)
            else:
                (messages.warning if result.errors else messages.success)(request, result.summary)
    recent = selectors.recent_tracking(request.scope.shops)
    return render(
        request,
        "fulfilment/tracking.html",
        {"result": result, "recent": recent, "names": tracking.STATUS_NAMES},
    )


urls = [path("tracking/", tracking_import, name="tracking")]
