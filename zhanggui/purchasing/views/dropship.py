"""Purchasing pages: dropship."""

urls = []
