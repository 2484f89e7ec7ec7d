"""Catalog pages: images."""

urls: list = []
