"""Staff roles as Wagtail groups.

The groups are created by a migration (home 0002). Which permissions each role holds is declared
next to the models, in each app's ``roles.py``:

    PERMISSIONS = {"Care staff": ["care.view_call", ...]}
    PAGE_PERMISSIONS = {"Editors": ("newsletter.journalindexpage", ["add", "change", "publish"])}
    COLLECTION_PERMISSIONS = {"Editors": ["wagtailimages.add_image", ...]}

and ``sync_roles()`` makes the groups match after every migrate and after the demo content loads,
so a new model's permissions reach the right role without a hand-written data migration.
"""

from django.apps import apps as global_apps
from django.contrib.auth.models import Group, Permission
from django.utils.module_loading import autodiscover_modules

EDITORS = "Editors"
TRAINING_COORDINATORS = "Training coordinators"
CARE_STAFF = "Care staff"
CARE_MANAGERS = "Care managers"
ROLES = [EDITORS, TRAINING_COORDINATORS, CARE_STAFF, CARE_MANAGERS]

# What the shared base itself grants: images and documents for the people who author content, and
# the outbox (which holds everyone's addresses) for care managers only.
_PRODUCT_LINES = ["home.add_productline", "home.change_productline"]
PERMISSIONS = {
    EDITORS: _PRODUCT_LINES,
    TRAINING_COORDINATORS: _PRODUCT_LINES,
    CARE_MANAGERS: ["home.view_outboxmessage", "home.change_outboxmessage", "home.view_accesslog", "home.view_rightsrequest", "home.change_rightsrequest", "home.merge_person", *_PRODUCT_LINES],
}
_MEDIA = [
    "wagtailimages.add_image", "wagtailimages.change_image", "wagtailimages.choose_image",
    "wagtaildocs.add_document", "wagtaildocs.change_document", "wagtaildocs.choose_document",
]
COLLECTION_PERMISSIONS = {EDITORS: _MEDIA, TRAINING_COORDINATORS: _MEDIA}


def _declarations():
    autodiscover_modules("roles")
    declared = {"PERMISSIONS": {}, "PAGE_PERMISSIONS": {}, "COLLECTION_PERMISSIONS": {}}
    for config in global_apps.get_app_configs():
        module = getattr(config.module, "roles", None)
        if module is None:
            continue
        for name in declared:
            for role, value in getattr(module, name, {}).items():
                if name == "PAGE_PERMISSIONS":
                    declared[name].setdefault(role, []).append(value)
                else:
                    declared[name].setdefault(role, []).extend(value)
    return declared


def _permissions(labels):
    found = []
    for label in labels:
        app_label, codename = label.split(".", 1)
        perm = Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()
        if perm is not None:
            found.append(perm)
    return found


def sync_roles():
    """Make each role group hold exactly the permissions its apps declare. Idempotent."""
    from wagtail.models import Collection, GroupCollectionPermission, GroupPagePermission, Page

    declared = _declarations()
    for role in ROLES:
        group, _created = Group.objects.get_or_create(name=role)
        perms = _permissions(["wagtailadmin.access_admin", *declared["PERMISSIONS"].get(role, [])])
        group.permissions.set(perms)

        GroupCollectionPermission.objects.filter(group=group).delete()
        root_collection = Collection.get_first_root_node()
        if root_collection:
            for perm in _permissions(declared["COLLECTION_PERMISSIONS"].get(role, [])):
                GroupCollectionPermission.objects.create(group=group, collection=root_collection, permission=perm)

        GroupPagePermission.objects.filter(group=group).delete()
        for model_label, actions in declared["PAGE_PERMISSIONS"].get(role, []):
            app_label, model_name = model_label.split(".")
            try:
                model = global_apps.get_model(app_label, model_name)
            except LookupError:
                continue
            page_perms = _permissions([f"wagtailcore.{action}_page" for action in actions])
            for page in Page.objects.type(model):
                for perm in page_perms:
                    GroupPagePermission.objects.get_or_create(group=group, page=page, permission=perm)


def sync_roles_after_migrate(sender, **kwargs):
    from django.contrib.auth.management import create_permissions

    for config in global_apps.get_app_configs():
        create_permissions(config, verbosity=0, using=kwargs.get("using", "default"))
    sync_roles()
