from django.urls import path

from home.views import customers, privacy, search

app_name = "home"
urlpatterns = [
    path("search/", search.search, name="search"),
    path("privacy/request/", privacy.privacy_request, name="privacy_request"),
    path("privacy/request/sent/", privacy.privacy_request_sent, name="privacy_request_sent"),
    path("privacy/confirm/<str:token>/", privacy.privacy_confirm, name="privacy_confirm"),
    path("privacy/download/<str:signed>/", privacy.privacy_download, name="privacy_download"),
    path("privacy/consent/<str:signed>/", privacy.consent_manage, name="consent_manage"),
    # Customers' sign-in and their own page (issue 21)
    path("signin/", customers.signin_request, name="customer_signin"),
    path("signin/code/", customers.signin_code, name="customer_signin_code"),
    path("signin/link/<str:token>/", customers.signin_link, name="customer_signin_link"),
    path("signout/", customers.signout, name="customer_signout"),
    path("my/", customers.my_page, name="my_page"),
]
