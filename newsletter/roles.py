"""Which staff roles may do what in the e-journal (applied by home.roles.sync_roles)."""

from home.roles import CARE_MANAGERS, CARE_STAFF, EDITORS

# Journal issues: editors write and publish issues under the archive pages. Readers' replies are
# the care team's queue; editors may read them and the answers.
_REPLIES = ["newsletter.view_readerreply", "newsletter.change_readerreply"]
PAGE_PERMISSIONS = {EDITORS: ("newsletter.journalindexpage", ["add", "change", "publish"])}
# Editors also make an issue's copy in the other language (Wagtail's simple_translation "Translate").
PERMISSIONS = {
    EDITORS: ["newsletter.view_readerreply", "newsletter.view_sectionanswer", "simple_translation.submit_translation"],
    CARE_STAFF: _REPLIES,
    CARE_MANAGERS: _REPLIES,
}
# Delivery: editors send issues (``send_issue``) and follow deliveries; the subscriber list (personal
# data, with its CSV export) and bounces are for care managers.
PERMISSIONS[EDITORS] = PERMISSIONS[EDITORS] + ["newsletter.send_issue", "newsletter.view_delivery"]
PERMISSIONS[CARE_MANAGERS] = PERMISSIONS[CARE_MANAGERS] + [
    "newsletter.view_subscriber", "newsletter.change_subscriber", "newsletter.view_bounce", "newsletter.view_delivery",
    "newsletter.view_inboundemail",
]
