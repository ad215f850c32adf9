"""Domain logic shared by pages, the API and management commands."""
