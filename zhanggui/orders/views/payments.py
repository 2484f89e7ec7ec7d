"""Order pages (being built): `urls` its routes."""

urls: list = []
