from django.urls import path

from . import views

urlpatterns = [
    path("hello/", views.hello),
    path("select-insert/", views.select_insert),
]
