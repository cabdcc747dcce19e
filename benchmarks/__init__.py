"""Benchmarks of netcap: run ``python -m benchmarks`` from the repository root."""
