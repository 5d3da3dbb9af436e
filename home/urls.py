from django.urls import path

from . import privacy_views

app_name = "home"
urlpatterns = [
    path("privacy/request/", privacy_views.privacy_request, name="privacy_request"),
    path("privacy/request/sent/", privacy_views.privacy_request_sent, name="privacy_request_sent"),
    path("privacy/confirm/<str:token>/", privacy_views.privacy_confirm, name="privacy_confirm"),
    path("privacy/download/<str:signed>/", privacy_views.privacy_download, name="privacy_download"),
    path("privacy/consent/<str:signed>/", privacy_views.consent_manage, name="consent_manage"),
]
