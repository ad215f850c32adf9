from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting


@register_setting(icon="site")
class SiteSettings(BaseSiteSetting):
    """Contact block and footer, edited by the office in the admin."""

    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    email = models.EmailField(_("email"), blank=True)
    content_responsible = models.CharField(
        _("responsible for content"), max_length=200, blank=True, help_text=_("Who answers for the published content.")
    )
    footer_text = models.TextField(_("footer text"), blank=True)

    panels = [
        MultiFieldPanel(
            [FieldPanel("organisation"), FieldPanel("address"), FieldPanel("phone"), FieldPanel("email")],
            heading=_("Contact"),
        ),
        MultiFieldPanel([FieldPanel("content_responsible"), FieldPanel("footer_text")], heading=_("Footer")),
    ]

    class Meta:
        verbose_name = _("site settings")
