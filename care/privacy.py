"""Personal data held by care (issue 10's registry, see home.privacy).

Calls, complaints and ratings stay as anonymous records (the figures and reports count them), with
their free text (notes, descriptions, comments) blanked; shipping details of gifts are blanked; survey
links are deleted. Complaint texts and call notes are blanked after the periods in settings.RETENTION.
"""

from django.db.models import Q

from home import privacy

from .models import (
    Call,
    CallAttempt,
    CallScript,
    CareTeam,
    Complaint,
    CustomerAccount,
    Device,
    GiftCampaign,
    GiftRecipient,
    KeyAccountReport,
    LetterTemplate,
    SatisfactionRating,
    SupportGroup,
    SurveyInvitation,
    WorkOrder,
)

privacy.register(CustomerAccount, fields=["address"], person="person", erase="anonymise",
                 note=privacy.NOTE_RECORD)
privacy.register(Device, fields=[], person="customer__person", erase="keep", note=privacy.NOTE_RECORD)
privacy.register(
    Call, fields=["notes", "answers"], person="contact", erase="anonymise",
    retention=[privacy.Retention("call_notes_days", field="created_at", action="anonymise")],
)
privacy.register(
    CallAttempt, fields=["note"], person="call__contact", erase="anonymise",
    retention=[privacy.Retention("call_notes_days", field="created_at", action="anonymise")],
)
privacy.register(SatisfactionRating, fields=["comment"], person="person", erase="anonymise",
                 note=privacy.NOTE_TEXT_BLANKED)
privacy.register(SurveyInvitation, fields=[], person="person", erase="delete")
privacy.register(
    Complaint, fields=["summary", "description", "resolution"], person="person", erase="anonymise",
    note=privacy.NOTE_TEXT_BLANKED,
    retention=[privacy.Retention("complaint_text_days", field="received_at", action="anonymise",
                                 fields=["summary", "description"], filter=Q(state__in=["resolved", "closed"]))],
)
privacy.register(WorkOrder, fields=["note"], person="complaint__person", erase="anonymise")
privacy.register(
    GiftRecipient,
    fields=["ship_name", "ship_phone", "ship_address", "ship_postcode", "letter_body", "feedback"],
    person="person", match={"mobile": "ship_phone"}, erase="anonymise",
    note=privacy.NOTE_SHIPPING,
)
privacy.register(KeyAccountReport, fields=["sent_to"], match={"email": "sent_to"}, erase="anonymise",
                 note=privacy.NOTE_TEXT_BLANKED)
privacy.exempt(CareTeam, "care teams: names of teams")
privacy.exempt(SupportGroup, "support groups: names and team mailboxes")
privacy.exempt(CallScript, "call scripts: authored content")
privacy.exempt(LetterTemplate, "letter templates: authored content")
privacy.exempt(GiftCampaign, "campaign names")
