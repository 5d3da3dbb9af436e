"""One registry of personal data across the apps: a model with an email, phone, name or address field
that is neither registered nor exempted (with a reason) fails this test."""

import pytest
from django.apps import apps
from django.utils import timezone

from home.privacy import registry

pytestmark = pytest.mark.django_db


def test_every_model_with_personal_looking_fields_is_registered():
    assert registry.unregistered_models() == []


def test_the_check_catches_a_model_left_out():
    from home.models import Person

    saved = registry._registry.pop(Person)
    try:
        assert any(entry.startswith("home.Person ") for entry in registry.unregistered_models())
    finally:
        registry._registry[Person] = saved


def test_field_names_that_suggest_personal_data():
    from care.models import GiftRecipient

    assert {"ship_name", "ship_phone", "ship_address"} <= set(registry.personal_looking_fields(GiftRecipient))
    assert "filename" not in {"filename"} & registry.PERSONAL_FIELD_WORDS


def test_the_three_feature_apps_declare_their_data():
    labels = {reg.model._meta.app_label for reg in registry.registrations()}
    assert {"home", "newsletter", "training", "care"} <= labels
    for app in ("newsletter", "training", "care"):
        config = apps.get_app_config(app)
        assert getattr(config.module, "privacy", None) is not None, app


def test_every_registration_resolves():
    """Fields exist and the paths to a person and to email/mobile fields are valid queries."""
    for reg in registry.registrations():
        manager = reg.model._default_manager
        if reg.person and reg.person != "self":
            manager.filter(**{f"{reg.person}__in": []}).exists()
        for paths in reg.match.values():
            for path in [paths] if isinstance(paths, str) else paths:
                manager.filter(**{f"{path}__iexact": "x"}).exists()
        for rule in reg.retention:
            manager.filter(**{f"{rule.field}__lt": timezone.now()}).exists()
        assert isinstance(reg.erase, str) or callable(reg.erase)


def test_exemptions_give_a_reason():
    for model, reason in registry._exempt.items():
        assert len(reason) > 5, model
