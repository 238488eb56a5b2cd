"""Star-rated households: the models (see docs/ARCHITECTURE.md)."""
