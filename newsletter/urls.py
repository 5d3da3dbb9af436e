from django.urls import path

from .feeds import IssueFeed
from .views import engagement, inbound, knowledge, subscribers

app_name = "newsletter"
urlpatterns = [
    # Journal issues (pages, answers, replies)
    path("journal/feed/", IssueFeed(), name="feed"),
    path("journal/answer/<int:issue_id>/<str:block_id>/", engagement.answer, name="answer"),
    path("journal/reply/<int:issue_id>/", engagement.reply, name="reply"),
    # Knowledge base: journal sections as articles, "was this helpful?", suggestions while typing
    path("knowledge/section/<int:pk>/", knowledge.section, name="knowledge_section"),
    path("knowledge/helpful/", knowledge.helpful, name="knowledge_helpful"),
    path("knowledge/suggest/", knowledge.suggest, name="knowledge_suggest"),
    path("knowledge/suggest/submitted/", knowledge.suggest_submitted, name="knowledge_suggest_submitted"),
    # Subscription
    path("journal/subscribe/", subscribers.subscribe, name="subscribe"),
    path("journal/subscribe/done/", subscribers.subscribe_done, name="subscribe_done"),
    path("journal/confirm/<str:token>/", subscribers.confirm, name="confirm"),
    path("journal/preferences/<str:token>/", subscribers.preferences, name="preferences"),
    path("journal/unsubscribe/<str:token>/", subscribers.unsubscribe, name="unsubscribe"),
    # Opens and clicks of a delivered issue, and mail that comes back
    path("journal/o/<str:trk>.gif", engagement.open_pixel, name="open"),
    path("journal/c/<str:trk>/<int:link_id>/", engagement.click, name="click"),
    path("journal/inbound/", inbound.inbound_webhook, name="inbound"),
]
