"""Shipping background tasks."""

from celery import shared_task


@shared_task(name="zhanggui.fulfilment.tasks.auto_review_shop")
def auto_review_shop(shop_id: int, actor_id: int | None = None) -> dict:
    """ORD-7: approve the clean 待审核 orders of one shop (when its automatic review is on)."""
    from django.contrib.auth import get_user_model

    from zhanggui.shops.models import Shop

    from .services.review import auto_review

    actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id else None
    return auto_review(actor, Shop.objects.get(pk=shop_id))


@shared_task(name="zhanggui.fulfilment.tasks.flag_missing_goods")
def flag_missing_goods() -> int:
    """SHIP-2: tell customer service at once about orders that cannot ship for missing goods (every shop; one task
    per order, never twice). Run on a schedule (e.g. every 30 minutes from CELERY_BEAT_SCHEDULE)."""
    from zhanggui.shops.models import Shop

    from .services.sla import flag_missing_goods as flag

    return sum(len(flag(None, shop)) for shop in Shop.objects.order_by("pk"))


@shared_task(name="zhanggui.fulfilment.tasks.auto_review_shops")
def auto_review_shops() -> dict:
    """ORD-7: the automatic review of every shop that has it on, on a schedule (CELERY_BEAT_SCHEDULE): orders that
    became clean since they arrived (stock received, a flag lifted) are approved without waiting for a person."""
    from .services.review import auto_review

    return auto_review(None)
