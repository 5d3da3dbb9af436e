"""Wagtail admin screens of the shared base (ViewSets and admin views), one module per sub-domain;
registered in ``home/wagtail_hooks.py``."""
