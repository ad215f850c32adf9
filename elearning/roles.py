"""The four roles as groups, and the permissions each holds.

Each app's data migration calls :func:`grant` for its own models, so a role's
permissions grow with the apps without anyone clicking in the admin.
"""

LEARNER = "Learner"
TRAINER = "Trainer"
REVIEWER = "Reviewer"
ORGANIZER = "Organizer"
ROLES = (LEARNER, TRAINER, REVIEWER, ORGANIZER)

# Roles that work in the Wagtail admin.
ADMIN_ROLES = (TRAINER, REVIEWER, ORGANIZER)


def _ensure_permissions(apps, app_labels):
    """Permissions are created after migrate; data migrations need them now."""
    from django.apps import apps as global_apps
    from django.contrib.auth.management import create_permissions

    for label in app_labels:
        create_permissions(global_apps.get_app_config(label), apps=apps, verbosity=0)


def grant(apps, role_permissions):
    """``role_permissions``: {role: ["app_label.codename", ...]} — idempotent."""
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    labels = {perm.split(".", 1)[0] for perms in role_permissions.values() for perm in perms}
    _ensure_permissions(apps, labels)
    for role, perms in role_permissions.items():
        group, _created = Group.objects.get_or_create(name=role)
        for perm in perms:
            app_label, codename = perm.split(".", 1)
            group.permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))


def revoke(apps, role_permissions):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, perms in role_permissions.items():
        group = Group.objects.filter(name=role).first()
        if group is None:
            continue
        for perm in perms:
            app_label, codename = perm.split(".", 1)
            group.permissions.remove(*Permission.objects.filter(content_type__app_label=app_label, codename=codename))
