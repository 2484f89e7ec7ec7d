"""Purchasing pages: orders."""

urls = []
