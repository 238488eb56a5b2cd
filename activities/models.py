"""Record of work: the models (see docs/ARCHITECTURE.md)."""
