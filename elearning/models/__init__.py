from .images import CustomImage, CustomRendition
from .legal import LegalDocument
from .pages import HomePage, NewsIndexPage, NewsPage, NewsPageTag
from .profiles import Profile
from .site_settings import SiteSettings
from .units import Unit, UnitKind

__all__ = [
    "CustomImage",
    "CustomRendition",
    "HomePage",
    "LegalDocument",
    "NewsIndexPage",
    "NewsPage",
    "NewsPageTag",
    "Profile",
    "SiteSettings",
    "Unit",
    "UnitKind",
]
