"""Which staff roles hold which training permissions (applied by ``home.roles.sync_roles``)."""

from home.roles import TRAINING_COORDINATORS

PERMISSIONS = {
    # Certificates (issue 6): coordinators assess, issue and revoke; care reads through
    # training.selectors and holds no certificate permission here.
    TRAINING_COORDINATORS: [
        "training.view_certificate", "training.issue_certificate", "training.revoke_certificate",
        "training.view_assessment", "training.add_assessment", "training.change_assessment",
    ],
}

# Catalogue and sign-ups (issue 5): coordinators run classes, see sign-ups and payments, mark
# attendance and record payments; they edit the catalogue pages and courses beneath them.
PERMISSIONS.setdefault(TRAINING_COORDINATORS, []).extend([
    "training.add_classsession", "training.change_classsession", "training.view_classsession",
    "training.view_signup", "training.mark_attendance",
    "training.view_payment", "training.change_payment",
    "training.view_booking",
])
PAGE_PERMISSIONS = {TRAINING_COORDINATORS: ("training.catalogpage", ["add", "change", "publish"])}
