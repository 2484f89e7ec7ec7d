"""The after-sales world fixture (`asw`, setup.py) for every test here."""

from .setup import asw  # noqa: F401
