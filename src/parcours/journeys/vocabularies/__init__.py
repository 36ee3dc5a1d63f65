"""Vocabularies: the words of a journey per language (fr, en); never its rules."""
