"""Grievances and petitions: the models (see docs/ARCHITECTURE.md)."""
