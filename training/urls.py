from django.urls import path

from . import certificate_views, views

app_name = "training"
urlpatterns = [
    path("training/book/<int:session_id>/", views.signup_view, name="signup"),
    path("training/booking/<str:token>/", views.signup_manage, name="signup_manage"),
    path("training/booking/<str:token>/cancel/", views.signup_cancel_view, name="signup_cancel"),
    path("training/booking/<str:token>/move/", views.signup_move_view, name="signup_move"),
    path("training/booking/<str:token>/accept/", views.offer_accept_view, name="offer_accept"),
    path("training/booking/<str:token>/decline/", views.offer_decline_view, name="offer_decline"),
    # Certificates (issue 6)
    path("certificates/verify/", certificate_views.certificate_verify, name="certificate_verify"),
    path("certificates/verify/<str:number>/", certificate_views.certificate_verify, name="certificate_verify_number"),
    path("lessons/<int:lesson_id>/progress/", certificate_views.lesson_progress, name="lesson_progress"),
]
