"""Create the four roles with their permissions, and the home page as site root."""

from django.db import migrations

from elearning.roles import ADMIN_ROLES, LEARNER, ORGANIZER, ROLES, grant

CORE_PERMISSIONS = {
    ORGANIZER: [
        "elearning.add_unit",
        "elearning.change_unit",
        "elearning.view_unit",
        "elearning.add_unitkind",
        "elearning.change_unitkind",
        "elearning.view_unitkind",
        "elearning.add_profile",
        "elearning.change_profile",
        "elearning.view_profile",
        "elearning.add_legaldocument",
        "elearning.change_legaldocument",
        "elearning.view_legaldocument",
        "elearning.change_sitesettings",
    ],
}


def create_roles(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for role in ROLES:
        Group.objects.get_or_create(name=role)
    grant(apps, {role: ["wagtailadmin.access_admin"] for role in ADMIN_ROLES})
    grant(apps, CORE_PERMISSIONS)
    Group.objects.get_or_create(name=LEARNER)


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


def create_home_page(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Page = apps.get_model("wagtailcore", "Page")
    Site = apps.get_model("wagtailcore", "Site")
    Locale = apps.get_model("wagtailcore", "Locale")
    HomePage = apps.get_model("elearning", "HomePage")

    if HomePage.objects.exists():
        return
    page_type = ContentType.objects.get(app_label="wagtailcore", model="page")
    Page.objects.filter(content_type=page_type, depth=2, slug="home").delete()
    home_type, _ = ContentType.objects.get_or_create(app_label="elearning", model="homepage")
    root = Page.objects.get(depth=1)
    # Wagtail's materialised path: the root is 0001, its first child 00010001.
    used = set(Page.objects.filter(depth=2).values_list("path", flat=True))
    step = 1
    while f"0001{step:04d}" in used:
        step += 1
    home = HomePage.objects.create(
        title="Trang chủ",
        draft_title="Trang chủ",
        slug="home",
        content_type=home_type,
        path=f"0001{step:04d}",
        depth=2,
        numchild=0,
        url_path="/home/",
        locale=Locale.objects.order_by("pk").first(),
        live=True,
    )
    root.numchild = Page.objects.filter(depth=2).count()
    root.save(update_fields=["numchild"])
    if not Site.objects.filter(is_default_site=True).exists():
        Site.objects.create(hostname="localhost", port=80, root_page=home, is_default_site=True, site_name="CCHC e-Learning")


def remove_home_page(apps, schema_editor):
    apps.get_model("elearning", "HomePage").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("elearning", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("wagtailadmin", "0006_formstate"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [
        migrations.RunPython(create_roles, remove_roles),
        migrations.RunPython(create_home_page, remove_home_page),
    ]
