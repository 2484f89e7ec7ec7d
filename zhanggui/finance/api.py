"""Finance API (FIN-1..3): every figure under /api/v1/finance/…, same permissions and shop scope as the pages."""

from ninja import Router

router = Router(tags=["finance"])

from .funds_api import router as funds_router  # noqa: E402  FIN-3: /finance/statements, /finance/funds

router.add_router("", funds_router)
