"""Finance API (FIN-1..3): every figure under /api/v1/finance/…, same permissions and shop scope as the pages."""

from ninja import Router

router = Router(tags=["finance"])
