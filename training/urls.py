from django.urls import path

from .views import bookings, certificates

app_name = "training"
urlpatterns = [
    path("training/book/<int:session_id>/", bookings.signup_view, name="signup"),
    path("training/booking/<str:token>/", bookings.signup_manage, name="signup_manage"),
    path("training/booking/<str:token>/cancel/", bookings.signup_cancel_view, name="signup_cancel"),
    path("training/booking/<str:token>/move/", bookings.signup_move_view, name="signup_move"),
    path("training/booking/<str:token>/accept/", bookings.offer_accept_view, name="offer_accept"),
    path("training/booking/<str:token>/decline/", bookings.offer_decline_view, name="offer_decline"),
    # Certificates (issue 6)
    path("certificates/verify/", certificates.certificate_verify, name="certificate_verify"),
    path("certificates/verify/<str:number>/", certificates.certificate_verify, name="certificate_verify_number"),
    path("lessons/<int:lesson_id>/progress/", certificates.lesson_progress, name="lesson_progress"),
    # A customer's own page (issue 21)
    path("my/certificates/<str:number>.pdf", certificates.certificate_pdf_download, name="my_certificate_pdf"),
]
