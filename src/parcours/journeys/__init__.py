"""Shipped journey definitions (rules) and, in vocabularies/, their words."""
