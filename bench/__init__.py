"""Benchmarks for zhanggui: `make bench` (all) or `make bench ONLY=name` (one). See bench/README.md."""
