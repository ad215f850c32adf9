import random

from django.http import HttpResponse, JsonResponse
from django.utils import timezone

from .models import Hit, Item

ITEMS = 10_000


def hello(request):
    return HttpResponse(b"hello", content_type="text/plain")


def select_insert(request):
    """One indexed SELECT (unique code) and one INSERT, autocommit: the write path's floor."""
    item = Item.objects.get(code=f"i{random.randrange(ITEMS)}")
    hit = Hit.objects.create(item=item, at=timezone.now())
    return JsonResponse({"item": item.code, "hit": hit.pk})
