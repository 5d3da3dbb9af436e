from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NewsletterConfig(AppConfig):
    name = "newsletter"
    verbose_name = _("E-journal")

    def ready(self):
        from home.registry import demo_loaders, home_sections, search_sources

        from .demo import activity, knowledge, pages
        from .views.pages import latest_issue_section

        # Journal issues: demo issues and the latest issue on the home page.
        demo_loaders.register("newsletter", pages.load_demo)
        demo_loaders.register("newsletter-activity", activity.load_activity)
        demo_loaders.register("newsletter-knowledge", knowledge.load_knowledge)
        home_sections.register("newsletter", latest_issue_section)

        # Knowledge base: journal sections become articles when an issue is published; public search.
        from wagtail.signals import page_published, page_unpublished

        from .services.knowledge import on_issue_published, on_issue_unpublished
        from .views.knowledge import SOURCES

        page_published.connect(on_issue_published, dispatch_uid="newsletter-knowledge-published")
        page_unpublished.connect(on_issue_unpublished, dispatch_uid="newsletter-knowledge-unpublished")
        for source in SOURCES:
            search_sources.register(source.key, source)
        from home.registry import my_page_sections

        from .views.my_page import my_page_section

        my_page_sections.register("newsletter", my_page_section)
