"""The registry of personal data: each app declares, in its ``privacy.py``, which of its models hold
personal data, how a person's rows are found, erased and kept (found like ``roles.py``):

    from home.privacy import registry
    registry.register(
        Subscriber,
        fields=["email", "name"],               # the personal fields (blanked by "anonymise")
        person="person",                         # ORM path to home.Person, if the model links to one
        match={"email": "email"},                # and/or fields holding a normalised email / mobile
        erase="delete",                          # "delete", "anonymise", "keep" or callable(queryset) -> str
        retention=[registry.Retention("unconfirmed_subscribers_days", field="created_at",
                                      filter=Q(status="pending"), action="delete")],
    )
    registry.exempt(ProductLine, "product names, not people")   # has a name field but no personal data

The shared base then finds everything about a person (``home.privacy.export``), erases it
(``home.privacy.erasure``) and enforces the retention periods in ``settings.RETENTION``
(``home.privacy.retention``) without knowing any feature app.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.apps import apps as global_apps
from django.db import models
from django.db.models import Q
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _

from home.models import Person

# Notes shown to care managers next to what is kept after an erasure (shared so they are translated once).
NOTE_PERSON = _("Anonymised: records kept by law still refer to an anonymous person.")
NOTE_LEDGER = _("The consent ledger is kept as proof; after erasure it refers to an anonymous person.")
NOTE_SECURITY_LOG = _("The access log is append-only and kept for security.")
NOTE_REQUEST_RECORD = _("Kept as the record of how requests were handled.")
NOTE_ACCOUNTING = _("Kept for accounting and invoices; the person it refers to is anonymised.")
NOTE_RECORD = _("Kept as a record (attendance, warranty, figures); it refers to an anonymous person after erasure.")
NOTE_TEXT_BLANKED = _("The record stays in figures and reports; its free text is blanked.")
NOTE_CERTIFICATE = _("Kept: number, course, dates and status stay verifiable; the holder's name is masked and the PDF "
                     "deleted.")
NOTE_SHIPPING = _("Kept in the campaign's budget; name, phone, address and letter are blanked.")

# Field names that suggest personal data; a model with one must be registered or exempted.
PERSONAL_FIELD_WORDS = {"email", "mail", "phone", "mobile", "tel", "name", "address", "addr", "wechat"}


@dataclass
class Retention:
    """Rows older than ``settings.RETENTION[setting]`` days (counted from ``field``) lose their data.

    ``action``: "delete", "anonymise" (blank ``fields``, default the registration's fields), or a
    callable(queryset) -> int. ``filter`` narrows the rows the rule applies to. An "anonymise" rule
    only touches rows that still hold something, so running it twice changes nothing more.
    """

    setting: str
    field: str = "created_at"
    action: str | Callable = "delete"
    filter: Q | None = None
    fields: list[str] | None = None


@dataclass
class Registration:
    model: type[models.Model]
    fields: list[str]
    person: str | None = None
    match: dict = field(default_factory=dict)
    export: Callable | None = None
    erase: str | Callable = "anonymise"
    retention: list[Retention] = field(default_factory=list)
    note: str = ""

    @property
    def label(self):
        return self.model._meta.label

    @property
    def title(self):
        return str(self.model._meta.verbose_name_plural)


_registry: dict[type, Registration] = {}
_exempt: dict[type, str] = {}
_discovered = False


def register(model, *, fields, person=None, match=None, export=None, erase="anonymise", retention=(), note=""):
    """Declare ``model``'s personal data. ``person="self"`` for home.Person itself."""
    if isinstance(erase, str) and erase not in {"delete", "anonymise", "keep"}:
        raise ValueError(f"erase must be delete, anonymise, keep or a callable, not {erase!r}")
    for name in fields:
        model._meta.get_field(name)  # fails early on a typo
    _registry[model] = Registration(
        model=model, fields=list(fields), person=person, match=dict(match or {}), export=export, erase=erase,
        retention=list(retention), note=note,
    )
    return model


def exempt(model, reason: str):
    """Declare that ``model`` holds no personal data although a field's name suggests it."""
    _exempt[model] = reason
    return model


_withdraw_handlers: dict[str, Callable] = {}


def on_withdraw(purpose: str, handler: Callable):
    """``handler(person, source)`` runs when the person withdraws ``purpose`` from the consent page, so the
    owning app stops for real (the journal unsubscribes them). The ledger entry is added either way."""
    _withdraw_handlers[purpose] = handler
    return handler


def withdraw_handler(purpose: str) -> Callable | None:
    _discover()
    return _withdraw_handlers.get(purpose)


def _discover():
    global _discovered
    if not _discovered:
        autodiscover_modules("privacy")
        _discovered = True


def registrations() -> list[Registration]:
    """Every registration, feature apps first and the shared base (people) last."""
    _discover()
    return sorted(_registry.values(), key=lambda reg: (reg.model._meta.app_label == "home", reg.model is Person))


def registration_for(model) -> Registration | None:
    _discover()
    return _registry.get(model)


def exemption_for(model) -> str | None:
    _discover()
    return _exempt.get(model)


def personal_looking_fields(model) -> list[str]:
    """Concrete fields whose name contains one of PERSONAL_FIELD_WORDS as a word (``holder_name``)."""
    found = []
    for f in model._meta.concrete_fields:
        if set(f.name.lower().split("_")) & PERSONAL_FIELD_WORDS:
            found.append(f.name)
    return found


def unregistered_models(app_labels=("home", "newsletter", "training", "care")) -> list[str]:
    """Models of our apps with personal-looking fields that are neither registered nor exempted."""
    _discover()
    missing = []
    for label in app_labels:
        try:
            config = global_apps.get_app_config(label)
        except LookupError:
            continue
        for model in config.get_models():
            if model._meta.proxy or model in _registry or model in _exempt:
                continue
            if personal_looking_fields(model):
                missing.append(f"{model._meta.label} ({', '.join(personal_looking_fields(model))})")
    return missing
