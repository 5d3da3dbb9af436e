from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HomeConfig(AppConfig):
    name = "home"
    verbose_name = _("Site and people")

    def ready(self):
        from django.db.models.signals import post_migrate

        from .setup import after_migrate

        post_migrate.connect(after_migrate, sender=self)

        from .registry import my_page_sections
        from .views.customers import rights_section

        my_page_sections.register("home.rights", rights_section)
