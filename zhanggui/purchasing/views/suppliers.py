"""Purchasing pages: suppliers."""

urls = []
