"""Synthetic associations for the demo, the tests and the benchmark (seeded, no Django)."""
