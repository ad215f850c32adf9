from django.db import migrations


def make_items(apps, schema_editor):
    Item = apps.get_model("baseline", "Item")
    Item.objects.bulk_create([Item(code=f"i{n}", name=f"Item {n}") for n in range(10_000)], batch_size=2_000)


class Migration(migrations.Migration):
    dependencies = [("baseline", "0001_initial")]
    operations = [migrations.RunPython(make_items, migrations.RunPython.noop)]
