"""Permission policies of the e-journal's admin screens (registered in ``newsletter.wagtail_hooks``)."""

from wagtail.permission_policies import ModelPermissionPolicy


class ReadOnlyActions(ModelPermissionPolicy):
    """Subscribers come from the subscribe form and the import, deliveries from the send screen,
    bounces from the mail server: nobody adds them by hand, and deliveries and bounces are records."""

    def __init__(self, model, denied):
        super().__init__(model)
        self.denied = set(denied)

    def user_has_permission(self, user, action):
        return action not in self.denied and super().user_has_permission(user, action)

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)
