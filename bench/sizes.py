"""Benchmark sizes (../shared/docs/quality.md): households per size."""

SIZES: dict[str, int] = {"XS": 200, "S": 1_000, "M": 100_000, "L": 1_000_000}
