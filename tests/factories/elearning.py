import factory
from django.contrib.auth import get_user_model

from elearning.models import LegalDocument, Profile, Unit, UnitKind


class UnitKindFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = UnitKind
        django_get_or_create = ("code",)

    code = "commune"
    name = "Xã"


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit

    code = factory.Sequence(lambda n: f"unit-{n}")
    name = factory.Sequence(lambda n: f"Xã Thử Nghiệm {n}")
    kind = factory.SubFactory(UnitKindFactory)
    headcount = 20


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"09{n:08d}")
    password = factory.PostGenerationMethodCall("set_password", "Mat-khau-2018")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class ProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Profile

    user = factory.SubFactory(UserFactory)
    full_name = factory.Sequence(lambda n: f"Nguyễn Văn {n}")
    unit = factory.SubFactory(UnitFactory)
    kind = Profile.Kind.CITIZEN
    phone = factory.LazyAttribute(lambda p: p.user.username)
    birth_year = 1990


class OfficialFactory(ProfileFactory):
    kind = Profile.Kind.OFFICIAL
    position = "Công chức Văn phòng - Thống kê"


class LegalDocumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LegalDocument
        django_get_or_create = ("number",)

    number = factory.Sequence(lambda n: f"{n}/2018/NĐ-CP")
    kind = LegalDocument.Kind.DECREE
    title = factory.Sequence(lambda n: f"Nghị định số {n}")
    issuer = "Chính phủ"


def user_with_role(role, **kwargs):
    """A user (with an official's profile) in one of the role groups of elearning.roles."""
    from django.contrib.auth.models import Group

    profile = OfficialFactory(**kwargs)
    profile.user.groups.add(Group.objects.get_or_create(name=role)[0])
    return profile.user
