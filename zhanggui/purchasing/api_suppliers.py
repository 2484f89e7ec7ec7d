"""Purchasing API: suppliers."""

from ninja import Router

router = Router()
