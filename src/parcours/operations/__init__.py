"""Operations: `parcours backup` and `parcours restore` (docs/operations.md)."""
