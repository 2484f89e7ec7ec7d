"""Purchasing pages: exchanges."""

urls = []
