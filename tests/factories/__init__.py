from .elearning import (
    LegalDocumentFactory,
    OfficialFactory,
    ProfileFactory,
    UnitFactory,
    UnitKindFactory,
    UserFactory,
)

__all__ = [
    "LegalDocumentFactory",
    "OfficialFactory",
    "ProfileFactory",
    "UnitFactory",
    "UnitKindFactory",
    "UserFactory",
]
