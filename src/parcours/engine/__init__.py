"""The journey engine: pure Python, no Django, no clock, no database.

Everything here is a function of its inputs (touchpoints and a journey definition).
An import-linter contract in pyproject.toml keeps Django out of this package.
"""
