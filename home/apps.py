from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HomeConfig(AppConfig):
    name = "home"
    verbose_name = _("Site and people")

    def ready(self):
        from django.db.models.signals import post_migrate

        from .setup import after_migrate

        post_migrate.connect(after_migrate, sender=self)
