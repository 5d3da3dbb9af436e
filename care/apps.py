from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CareConfig(AppConfig):
    name = "care"
    verbose_name = _("Customer care")

    def ready(self):
        from home.registry import demo_loaders

        from .demo.activity import load_activity, load_day_counts
        from .demo.complaints import load_demo as load_complaints_demo
        from .demo.customers import load_demo

        demo_loaders.register("care", load_demo)
        demo_loaders.register("complaints", load_complaints_demo)
        demo_loaders.register("care-activity", load_activity)
        demo_loaders.register("care-day-counts", load_day_counts)  # last: after every demo call and complaint

        from home.registry import my_page_sections

        from .views.my_page import my_page_section

        my_page_sections.register("care", my_page_section)
