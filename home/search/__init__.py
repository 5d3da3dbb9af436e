"""Chinese-aware full-text search on Wagtail's database backends.

``segment`` cuts Chinese text into words with jieba; ``backend`` plugs that into Wagtail's SQLite
FTS5 and PostgreSQL backends (``WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "home.search.backend"}}``).
"""
