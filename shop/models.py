"""Points supermarkets: the models (see docs/ARCHITECTURE.md)."""
