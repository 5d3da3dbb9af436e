"""``manage.py demo_load``: the shared base's demo content, the demo staff accounts, then every feature
app's demo loader (registered in ``home.registry.demo_loaders``)."""

import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from home import roles
from home.demo.pages import _home_pages, _product_lines
from home.registry import demo_loaders

DEMO_USERS = [
    ("admin", None, "admin@example.com"),
    ("editor", roles.EDITORS, "editor@example.com"),
    ("coordinator", roles.TRAINING_COORDINATORS, "coordinator@example.com"),
    ("carestaff", roles.CARE_STAFF, "carestaff@example.com"),
    ("caremanager", roles.CARE_MANAGERS, "caremanager@example.com"),
]


def demo_password() -> str:
    path = settings.VAR_DIR / "demo_password"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(12))
        path.chmod(0o600)
    return path.read_text().strip()


def _users(password):
    User = get_user_model()
    for username, role, email in DEMO_USERS:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(username=username, email=email, is_staff=True, is_superuser=role is None)
            user.set_password(password)
            user.save()
        if role:
            user.groups.add(Group.objects.get(name=role))


def demo_load(stdout=None) -> dict:
    """Create the demo content. Idempotent: a second run changes nothing."""
    password = demo_password()
    with transaction.atomic():
        roles.sync_roles()
        pages = _home_pages()
        _product_lines()
        _users(password)
        for loader in demo_loaders.items():
            loader(pages, stdout)
        roles.sync_roles()
    return {"users": [u for u, _role, _email in DEMO_USERS], "password": password}
