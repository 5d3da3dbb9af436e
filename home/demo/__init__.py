"""Demo content of the shared base; ``load.demo_load`` runs every app's loader (``manage.py demo_load``)."""
