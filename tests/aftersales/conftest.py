"""The after-sales world fixture (`asw`, setup.py) for every test here."""

from .returns_setup import stock  # noqa: F401  (INV-5: the returns world)
from .setup import asw  # noqa: F401
