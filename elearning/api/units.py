"""GET /api/v1/units/: the units open for registration today."""

from drf_spectacular.utils import extend_schema
from rest_framework.generics import ListAPIView
from rest_framework.permissions import AllowAny

from elearning.models import Unit

from .serializers import UnitSerializer


class UnitListView(ListAPIView):
    authentication_classes = []
    permission_classes = [AllowAny]
    serializer_class = UnitSerializer
    pagination_class = None

    def get_queryset(self):
        return Unit.objects.open_now().with_related()

    @extend_schema(
        operation_id="units_list",
        tags=["units"],
        summary="Units open for registration",
        description="Units in existence today, with their kind code and parent unit code (null at the top).",
        auth=[],
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)
