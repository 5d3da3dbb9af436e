"""Which staff roles may do what in the e-journal (applied by home.roles.sync_roles)."""

from home.roles import CARE_MANAGERS, CARE_STAFF, EDITORS

# Journal issues: editors write and publish issues under the archive pages. Readers' replies are
# the care team's queue; editors may read them and the answers.
_REPLIES = ["newsletter.view_readerreply", "newsletter.change_readerreply"]
PAGE_PERMISSIONS = {EDITORS: ("newsletter.journalindexpage", ["add", "change", "publish"])}
PERMISSIONS = {
    EDITORS: ["newsletter.view_readerreply", "newsletter.view_sectionanswer"],
    CARE_STAFF: _REPLIES,
    CARE_MANAGERS: _REPLIES,
}
