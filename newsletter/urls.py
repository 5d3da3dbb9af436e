from django.urls import path

from . import subscribe_views, views
from .feeds import IssueFeed

app_name = "newsletter"
urlpatterns = [
    # Journal issues (pages, answers, replies)
    path("journal/feed/", IssueFeed(), name="feed"),
    path("journal/answer/<int:issue_id>/<str:block_id>/", views.answer, name="answer"),
    path("journal/reply/<int:issue_id>/", views.reply, name="reply"),
    # Subscription and delivery (subscribe_views)
    path("journal/subscribe/", subscribe_views.subscribe, name="subscribe"),
    path("journal/subscribe/done/", subscribe_views.subscribe_done, name="subscribe_done"),
    path("journal/confirm/<str:token>/", subscribe_views.confirm, name="confirm"),
    path("journal/preferences/<str:token>/", subscribe_views.preferences, name="preferences"),
    path("journal/unsubscribe/<str:token>/", subscribe_views.unsubscribe, name="unsubscribe"),
    path("journal/o/<str:trk>.gif", subscribe_views.open_pixel, name="open"),
    path("journal/c/<str:trk>/<int:link_id>/", subscribe_views.click, name="click"),
    path("journal/inbound/", subscribe_views.inbound_webhook, name="inbound"),
]
