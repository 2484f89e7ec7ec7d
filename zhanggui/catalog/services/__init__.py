"""Every write to the catalog, split by sub-area: products, imports, listings, titles, images, pricing, lifecycle."""
