"""Organizers manage the contest section of the page tree: they may add, edit
and publish pages under every contest index. Granted when the index is created,
so nobody has to set page permissions by hand."""

from django.contrib.auth.models import Group, Permission
from django.db.models.signals import post_save
from django.dispatch import receiver
from wagtail.models import GroupPagePermission

from elearning.roles import ORGANIZER
from quizzes.models import ContestIndexPage

ORGANIZER_PAGE_PERMISSIONS = ("add_page", "change_page", "publish_page", "lock_page", "unlock_page")


def grant_organizer_pages(page):
    group, _created = Group.objects.get_or_create(name=ORGANIZER)
    for permission in Permission.objects.filter(
        content_type__app_label="wagtailcore", codename__in=ORGANIZER_PAGE_PERMISSIONS
    ):
        GroupPagePermission.objects.get_or_create(group=group, page=page, permission=permission)


@receiver(post_save, sender=ContestIndexPage)
def contest_index_created(sender, instance, created, raw=False, **kwargs):
    if created and not raw:
        grant_organizer_pages(instance)
