from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CareConfig(AppConfig):
    name = "care"
    verbose_name = _("Customer care")

    def ready(self):
        from home.registry import demo_loaders

        from .demo import load_demo
        from .demo_activity import load_activity
        from .demo_complaints import load_demo as load_complaints_demo

        demo_loaders.register("care", load_demo)
        demo_loaders.register("complaints", load_complaints_demo)
        demo_loaders.register("care-activity", load_activity)
