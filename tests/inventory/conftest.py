"""Fixtures of the inventory tests."""

from .pages_setup import stock_world  # noqa: F401 (the stock world of the page and API tests)
