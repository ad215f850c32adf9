"""Site-wide template tags: navigation to sections owned by other apps.

``elearning`` must not import ``courses`` or ``quizzes``; the header finds their
section pages by model name instead, and hides a link while no such page is live.
"""

from django import template
from django.apps import apps
from django.urls import NoReverseMatch, reverse
from wagtail.models import Page

from elearning import pagecache

register = template.Library()


def _first_live_page(model_string):
    try:
        model = apps.get_model(model_string)
    except (LookupError, ValueError):
        return None
    if not issubclass(model, Page):
        return None
    return model.objects.live().order_by("path").first()


@register.simple_tag(takes_context=True)
def first_page_of_type(context, model_string):
    """The first live page (in tree order) of a type given as ``"app_label.modelname"``.

    ``None`` when the model does not exist or no page of it is live. Kept per process until
    any page changes (``elearning.pagecache.memo``): no query on most requests.

        {% first_page_of_type "courses.courseindexpage" as courses_index %}
    """
    key = model_string.lower()
    request = context.get("request")
    if request is None:
        return _first_live_page(key)
    return pagecache.memo(request, ("first_page_of_type", key), lambda: _first_live_page(key))


@register.simple_tag
def optional_url(name, *args, **kwargs):
    """``reverse(name)``, or ``""`` while no app provides that URL yet.

    {% optional_url "courses:my_learning" as my_learning_url %}
    """
    try:
        return reverse(name, args=args or None, kwargs=kwargs or None)
    except NoReverseMatch:
        return ""


@register.inclusion_tag("includes/nav_item.html", takes_context=True)
def nav_item(context, target, label):
    """A navigation link to a page or a URL, marked ``aria-current="page"`` inside its section."""
    request = context.get("request")
    url = target.get_url(request) if isinstance(target, Page) else target
    path = request.path if request is not None else ""
    current = bool(url) and (path == url if url == "/" else path.startswith(url))
    return {"url": url, "label": label, "current": current}


@register.filter
def elided_pages(page_obj):
    """Page numbers around the current one, with ``…`` gaps: 1 … 4 5 6 … 20."""
    return page_obj.paginator.get_elided_page_range(page_obj.number, on_each_side=1, on_ends=1)


@register.simple_tag(takes_context=True)
def can_access_admin(context):
    """``{% can_access_admin as admin_access %}``: the user may use the Wagtail admin (remembered, see
    elearning.adminaccess), without reading their permissions on each page."""
    from elearning.adminaccess import can_access_admin

    request = context.get("request")
    return can_access_admin(request if request is not None else context.get("user"))


@register.simple_tag(takes_context=True)
def editor_userbar(context, position="bottom-right"):
    """Wagtail's user bar for the people who can edit in the admin; nothing (and no permission
    query) for anyone else."""
    from wagtail.admin.templatetags.wagtailuserbar import wagtailuserbar

    from elearning.adminaccess import can_access_admin

    request = context.get("request")
    if request is None or not can_access_admin(request):
        return ""
    return wagtailuserbar(context, position)
