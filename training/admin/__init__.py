"""The training admin: ViewSets and admin views, one module per sub-domain (classes, sign-ups and
payments, certificates). ``wagtail_hooks`` registers them. Shared here: the base for records that
change only through services."""

from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies import ModelPermissionPolicy


class ReadOnlyPolicy(ModelPermissionPolicy):
    """Records that change only through services (sign-ups, payments, certificates): nobody adds,
    edits or deletes them by hand, superusers included."""

    def user_has_permission(self, user, action):
        if action in {"add", "change", "delete"}:
            return False
        return super().user_has_permission(user, action)


class RecordViewSet(ModelViewSet):
    """Lists and inspects such records; there is no form to fill in (see ``ReadOnlyPolicy``)."""

    copy_view_enabled = False
    inspect_view_enabled = True
    form_fields = []
