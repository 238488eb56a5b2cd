"""Work-group notifications: the models (see docs/ARCHITECTURE.md)."""
