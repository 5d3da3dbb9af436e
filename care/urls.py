from django.urls import path

from .views import campaigns, complaints, satisfaction

app_name = "care"
urlpatterns = [
    path("care/survey/<str:token>/", satisfaction.survey_view, name="survey"),
    # Complaints and gift campaigns (public)
    path("care/complaints/new/", complaints.complaint_new, name="complaint_new"),
    path("care/complaints/thanks/", complaints.complaint_thanks, name="complaint_thanks"),
    path("care/complaints/status/<str:token>/", complaints.complaint_status, name="complaint_status"),
    path("care/gifts/address/<str:token>/", campaigns.gift_address, name="gift_address"),
]
