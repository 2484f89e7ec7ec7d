"""Purchasing API: exchanges."""

from ninja import Router

router = Router()
