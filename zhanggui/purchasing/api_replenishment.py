"""Purchasing API: replenishment."""

from ninja import Router

router = Router()
