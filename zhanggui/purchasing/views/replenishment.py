"""Purchasing pages: replenishment."""

urls = []
