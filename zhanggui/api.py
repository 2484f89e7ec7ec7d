"""The JSON API at /api/v1/ (OpenAPI docs at /api/v1/docs): same roles, shop scope and masking as the pages."""

from django.contrib.auth.decorators import login_required
from ninja import NinjaAPI

from zhanggui.catalog.api import router as catalog_router
from zhanggui.core.api import router as core_router
from zhanggui.core.apitools import AUTH, install_error_handlers
from zhanggui.crm.api import router as crm_router
from zhanggui.fulfilment.api import router as fulfilment_router
from zhanggui.inventory.api import router as inventory_router
from zhanggui.orders.api import router as orders_router
from zhanggui.purchasing.api import router as purchasing_router
from zhanggui.shops.api import router as shops_router
from zhanggui.team.api import router as team_router

api = NinjaAPI(
    title="掌柜 zhanggui API",
    version="1",
    description="Personal API tokens: 设置 → API 令牌. Send `Authorization: Bearer zg_…`.",
    auth=AUTH,
    urls_namespace="api",
    docs_decorator=login_required,  # the schema is for the team, not for the public
)
install_error_handlers(api)
api.add_router("/", core_router)
api.add_router("/", shops_router)
api.add_router("/", team_router)
api.add_router("/", crm_router)
api.add_router("/", catalog_router)
api.add_router("/", inventory_router)
api.add_router("/", purchasing_router)
api.add_router("/", orders_router)
api.add_router("/", fulfilment_router)
