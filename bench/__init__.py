"""Benchmarks: `python -m bench` (see docs/performance.md). Not tests: they measure, never assert."""
