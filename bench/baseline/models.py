from django.db import models


class Item(models.Model):
    """Rows for the indexed SELECT (10,000 of them, made by the migration)."""

    code = models.CharField(max_length=20, unique=True)
    name = models.CharField(max_length=100)


class Hit(models.Model):
    """One row INSERTed per request."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE)
    at = models.DateTimeField()
