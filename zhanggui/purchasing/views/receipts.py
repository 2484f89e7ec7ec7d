"""Purchasing pages: receipts."""

urls = []
