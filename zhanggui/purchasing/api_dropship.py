"""Purchasing API: dropship."""

from ninja import Router

router = Router()
