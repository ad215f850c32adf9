"""Site-wide template tags: navigation to sections owned by other apps, and the parts of a page
kept for every reader (``{% shared_fragment %}``).

``elearning`` must not import ``courses`` or ``quizzes``; the header finds their
section pages by model name instead, and hides a link while no such page is live.
"""

from django import template
from django.apps import apps
from django.urls import NoReverseMatch, reverse
from django.utils.translation import get_language
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


# --- Parts of a page that are the same for every reader -----------------------------------------

SHARED_FRAGMENT_SCOPE = "shared_fragment_scope"
CSRF_FIELD = "csrfmiddlewaretoken"


class SharedFragmentNode(template.Node):
    def __init__(self, name, nodelist):
        self.name = name
        self.nodelist = nodelist

    def render(self, context):
        scope = context.get(SHARED_FRAGMENT_SCOPE)
        request = context.get("request")
        if not scope or request is None or getattr(request, "is_preview", False):
            return self.nodelist.render(context)
        user = getattr(request, "user", None)
        key = (
            "shared-fragment",
            self.name,
            scope,
            get_language(),
            pagecache.request_host(request),
            request.path,
            bool(user is not None and user.is_authenticated),
        )
        return pagecache.memo(
            request, key, lambda: self.nodelist.render(context), keep=lambda html: CSRF_FIELD not in html
        )


@register.tag
def shared_fragment(parser, token):
    """``{% shared_fragment "name" %}…{% endshared_fragment %}``: rendered once per process for every
    reader of the same page (``elearning.pagecache.memo``: until any content changes, a minute at
    most), when the view put a ``shared_fragment_scope`` in the context (for instance the page, its
    live revision). Kept per scope, language, host, path and whether the reader is logged in;
    without a scope, or in a preview, it renders as if the tag were not there.

    What is inside must show nothing of the reader's own (their name, progress, answers, messages,
    a CSRF token) and set no context variable used after it. A fragment holding a CSRF field is
    never kept.
    """
    bits = token.split_contents()
    if len(bits) != 2 or bits[1][0] not in "\"'" or bits[1][0] != bits[1][-1]:
        raise template.TemplateSyntaxError(f"{bits[0]} takes one quoted name")
    nodelist = parser.parse(("endshared_fragment",))
    parser.delete_first_token()
    return SharedFragmentNode(bits[1][1:-1], nodelist)
