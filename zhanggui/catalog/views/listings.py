"""Catalog pages: listings."""

urls: list = []
