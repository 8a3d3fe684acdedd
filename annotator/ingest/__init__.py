"""Bringing documents in: extraction, snapshots, validation and saving, for web, API and import."""
