from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NewsletterConfig(AppConfig):
    name = "newsletter"
    verbose_name = _("E-journal")

    def ready(self):
        from home.registry import demo_loaders, home_sections

        from . import demo, demo_activity, views

        # Journal issues: demo issues and the latest issue on the home page.
        demo_loaders.register("newsletter", demo.load_demo)
        demo_loaders.register("newsletter-activity", demo_activity.load_activity)
        home_sections.register("newsletter", views.latest_issue_section)
