"""Work lists and problem ledgers: the models (see docs/ARCHITECTURE.md)."""
