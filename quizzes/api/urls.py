from django.urls import path

from . import views

urlpatterns = [
    path("contests/", views.ContestListView.as_view(), name="api-contests"),
    path("contests/<slug:slug>/", views.ContestDetailView.as_view(), name="api-contest"),
    path("contests/<slug:slug>/attempts/", views.StartAttemptView.as_view(), name="api-start-attempt"),
    path("contests/<slug:slug>/leaderboard/", views.LeaderboardView.as_view(), name="api-leaderboard"),
    path("contests/<slug:slug>/leaderboard/me/", views.MyRankView.as_view(), name="api-leaderboard-me"),
    path("attempts/<int:attempt_id>/", views.AttemptDetailView.as_view(), name="api-attempt"),
    path(
        "attempts/<int:attempt_id>/answers/<int:question_id>/",
        views.AnswerView.as_view(),
        name="api-answer",
    ),
    path("attempts/<int:attempt_id>/submit/", views.SubmitView.as_view(), name="api-submit"),
    path("attempts/<int:attempt_id>/review/", views.ReviewView.as_view(), name="api-review"),
]
