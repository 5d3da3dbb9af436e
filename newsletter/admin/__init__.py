"""Admin screens of the e-journal (ViewSets and admin views), one module per sub-domain; all of them
are registered in ``newsletter.wagtail_hooks``."""
