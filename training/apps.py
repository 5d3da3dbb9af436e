from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrainingConfig(AppConfig):
    name = "training"
    verbose_name = _("Training")

    def ready(self):
        from home.registry import demo_loaders, home_sections, my_page_sections, search_sources

        from .demo.catalogue import load_demo
        from .views.catalogue import home_section

        home_sections.register("training", home_section)
        from .views.search import SOURCES

        for source in SOURCES:
            search_sources.register(source.key, source)
        from .views.my_page import my_page_section

        my_page_sections.register("training", my_page_section)
        demo_loaders.register("training", load_demo)
        # certificates need the catalogue: registered after it, so they load after it
        from .demo.certificates import load_demo as load_certificates_demo

        demo_loaders.register("certificates", load_certificates_demo)
        from .demo.history import load_history

        demo_loaders.register("training-history", lambda pages, stdout=None: load_history(stdout))
