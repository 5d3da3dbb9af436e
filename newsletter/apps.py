from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NewsletterConfig(AppConfig):
    name = "newsletter"
    verbose_name = _("E-journal")

    def ready(self):
        from home.registry import demo_loaders, home_sections

        from .demo import activity, pages
        from .views.pages import latest_issue_section

        # Journal issues: demo issues and the latest issue on the home page.
        demo_loaders.register("newsletter", pages.load_demo)
        demo_loaders.register("newsletter-activity", activity.load_activity)
        home_sections.register("newsletter", latest_issue_section)

        from home.registry import my_page_sections

        from .views.my_page import my_page_section

        my_page_sections.register("newsletter", my_page_section)
