from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NewsletterConfig(AppConfig):
    name = "newsletter"
    verbose_name = _("E-journal")

    def ready(self):
        from home.registry import demo_loaders, home_sections

        from . import demo, views

        # Journal issues: demo issues and the latest issue on the home page.
        demo_loaders.register("newsletter", demo.load_demo)
        home_sections.register("newsletter", views.latest_issue_section)
