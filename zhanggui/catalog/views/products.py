"""Catalog pages: products."""

urls: list = []
