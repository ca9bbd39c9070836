"""Benchmarks: `make bench` (generated data, baseline and import timings)."""
