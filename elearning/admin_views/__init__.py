"""Wagtail admin views of the core: people, units, the officials import."""
