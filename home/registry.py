"""Extension points where feature apps plug into the shared base without home importing them.

Feature apps register in their ``AppConfig.ready()``.
"""


class Registry:
    def __init__(self, name):
        self.name = name
        self._items = {}

    def register(self, key, item=None):
        """Register ``item`` under ``key``; usable as a decorator when ``item`` is omitted."""
        if item is None:
            return lambda func: self.register(key, func)
        self._items[key] = item
        return item

    def items(self):
        return list(self._items.values())

    def get(self, key, default=None):
        return self._items.get(key, default)

    def keys(self):
        return list(self._items)


# callable(request, home_page) -> dict with "template" and the template's context
home_sections = Registry("home sections")
# callable(home_pages: dict[language code, HomePage], stdout) -> None; must be idempotent
demo_loaders = Registry("demo loaders")
# home.dashboard.DashboardPanel subclasses, shown on the admin home to users with their permission
dashboard_panels = Registry("dashboard panels")
# home.search.results.SearchSource: a kind of result of the public search (issues, courses...)
search_sources = Registry("search sources")
# callable(request, person) -> dict with "template" and the template's context, or None to show nothing;
# the sections of a signed-in customer's "My page", in registration order
my_page_sections = Registry("my page sections")
