from django.urls import path

from . import auth, units

urlpatterns = [
    path("auth/register/", auth.RegisterView.as_view(), name="api-register"),
    path("auth/token/", auth.TokenView.as_view(), name="api-token"),
    path("units/", units.UnitListView.as_view(), name="api-units"),
]
