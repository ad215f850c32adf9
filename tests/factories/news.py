"""Pages and images of the core site: home, news index, news articles."""

import datetime

import factory
import wagtail_factories
from wagtail.images.tests.utils import get_test_image_file
from wagtail.models import Collection

from elearning.models import CustomImage, HomePage, NewsIndexPage, NewsPage


def home_page():
    """The site root made by the migration."""
    return HomePage.objects.get()


class CustomImageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CustomImage

    title = factory.Sequence(lambda n: f"Ảnh {n}")
    alt_text = "Cán bộ một cửa tiếp nhận hồ sơ của người dân"
    file = factory.LazyFunction(lambda: get_test_image_file(size=(1200, 800)))
    collection = factory.LazyFunction(Collection.get_first_root_node)


class NewsIndexPageFactory(wagtail_factories.PageFactory):
    class Meta:
        model = NewsIndexPage

    title = "Tin tức"
    slug = "tin-tuc"
    parent = factory.LazyFunction(home_page)


class NewsPageFactory(wagtail_factories.PageFactory):
    """``NewsPageFactory(parent=index, tags=["Một cửa"])``"""

    class Meta:
        model = NewsPage
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Tin cải cách hành chính số {n}")
    slug = factory.Sequence(lambda n: f"tin-{n}")
    date = factory.Sequence(lambda n: datetime.date(2018, 1, 1) + datetime.timedelta(days=n))
    intro = "Tóm tắt tin bài."

    @factory.post_generation
    def tags(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.tags.add(*extracted)
            obj.save()
