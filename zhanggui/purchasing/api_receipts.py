"""Purchasing API: receipts."""

from ninja import Router

router = Router()
