"""Catalog pages: imports."""

urls: list = []
