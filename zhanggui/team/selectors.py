"""Reads for team pages and the API."""

from django.db.models import Count, Prefetch, Q

from .models import Duty, Role, Staff


def staff_list(shop_scope):
    """Staff visible in the current shop scope: people assigned to those shops, and all-shop people."""
    qs = Staff.objects.prefetch_related("groups", "shops").order_by("number")
    if shop_scope is not None:
        qs = qs.filter(Q(all_shops=True) | Q(shops__in=shop_scope)).distinct()
    return qs


def duty_chart():
    """Every role with its duties and their owners (active only), for the TEAM-2 page."""
    active = Staff.objects.filter(is_active=True)
    return Role.objects.select_related("group").prefetch_related(
        Prefetch("duties", queryset=Duty.objects.prefetch_related(Prefetch("owners", queryset=active))),
        Prefetch("group__user_set", queryset=active, to_attr="members"),
    )


def unowned_duties():
    """TEAM-2: duties that no active person owns."""
    return (
        Duty.objects.annotate(active_owners=Count("owners", filter=Q(owners__is_active=True)))
        .filter(active_owners=0)
        .select_related("role__group")
    )
