"""The JSON API at /api/v1/ (OpenAPI docs at /api/v1/docs): same roles, shop scope and masking as the pages.

Every app exposes one ninja `router` in `<app>/api.py` (which mounts its sub-area routers, if any); a new app
imports it here and adds it to ROUTERS, in layer order (the order of the OpenAPI document).
"""

from django.contrib.auth.decorators import login_required
from ninja import NinjaAPI

from zhanggui.aftersales.api import router as aftersales_router
from zhanggui.analytics.api import router as analytics_router
from zhanggui.catalog.api import router as catalog_router
from zhanggui.core.api import router as core_router
from zhanggui.core.apitools import AUTH, install_error_handlers
from zhanggui.crm.api import router as crm_router
from zhanggui.finance.api import router as finance_router
from zhanggui.fulfilment.api import router as fulfilment_router
from zhanggui.inventory.api import router as inventory_router
from zhanggui.orders.api import router as orders_router
from zhanggui.purchasing.api import router as purchasing_router
from zhanggui.shops.api import router as shops_router
from zhanggui.team.api import router as team_router

ROUTERS = (
    core_router,
    shops_router,
    team_router,
    crm_router,
    catalog_router,
    inventory_router,
    purchasing_router,
    orders_router,
    fulfilment_router,
    aftersales_router,
    analytics_router,
    finance_router,
)

api = NinjaAPI(
    title="掌柜 zhanggui API",
    version="1",
    description="Personal API tokens: 设置 → API 令牌. Send `Authorization: Bearer zg_…`.",
    auth=AUTH,
    urls_namespace="api",
    docs_decorator=login_required,  # the schema is for the team, not for the public
)
install_error_handlers(api)
for router in ROUTERS:
    api.add_router("/", router)
