from django.urls import path

from . import complaint_views, views

app_name = "care"
urlpatterns = [
    path("care/survey/<str:token>/", views.survey_view, name="survey"),
    # Complaints and gift campaigns (public)
    path("care/complaints/new/", complaint_views.complaint_new, name="complaint_new"),
    path("care/complaints/thanks/", complaint_views.complaint_thanks, name="complaint_thanks"),
    path("care/complaints/status/<str:token>/", complaint_views.complaint_status, name="complaint_status"),
    path("care/gifts/address/<str:token>/", complaint_views.gift_address, name="gift_address"),
]
