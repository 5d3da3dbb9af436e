from django.urls import path

from home.views import privacy, search

app_name = "home"
urlpatterns = [
    path("search/", search.search, name="search"),
    path("privacy/request/", privacy.privacy_request, name="privacy_request"),
    path("privacy/request/sent/", privacy.privacy_request_sent, name="privacy_request_sent"),
    path("privacy/confirm/<str:token>/", privacy.privacy_confirm, name="privacy_confirm"),
    path("privacy/download/<str:signed>/", privacy.privacy_download, name="privacy_download"),
    path("privacy/consent/<str:signed>/", privacy.consent_manage, name="consent_manage"),
]
