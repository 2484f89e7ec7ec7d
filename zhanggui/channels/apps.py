from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChannelsConfig(AppConfig):
    """The platforms as they are: export layouts and their readers, batch-ship file formats, carrier codes, status
    maps and privacy-waybill rules. The only app that knows a platform's column names; no models."""

    name = "zhanggui.channels"
    label = "channels"
    verbose_name = _("Channels")
