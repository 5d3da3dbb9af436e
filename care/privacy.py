"""Personal data held by care (issue 10's registry, see home.privacy).

Calls, complaints and ratings stay as anonymous records (the figures and reports count them), with
their free text (notes, descriptions, comments) blanked; shipping details of gifts are blanked; survey
links are deleted. Complaint texts and call notes are blanked after the periods in settings.RETENTION.
"""

from django.db.models import Q

from home.privacy import registry

from .models import (
    ArticleLinkSent,
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

registry.register(CustomerAccount, fields=["address"], person="person", erase="anonymise",
                 note=registry.NOTE_RECORD)
registry.register(Device, fields=[], person="customer__person", erase="keep", note=registry.NOTE_RECORD)
registry.register(
    Call, fields=["notes", "answers"], person="contact", erase="anonymise",
    retention=[registry.Retention("call_notes_days", field="created_at", action="anonymise")],
)
registry.register(
    CallAttempt, fields=["note"], person="call__contact", erase="anonymise",
    retention=[registry.Retention("call_notes_days", field="created_at", action="anonymise")],
)
registry.register(SatisfactionRating, fields=["comment"], person="person", erase="anonymise",
                 note=registry.NOTE_TEXT_BLANKED)
registry.register(SurveyInvitation, fields=[], person="person", erase="delete")
registry.register(ArticleLinkSent, fields=["title", "url"], person="person", erase="delete")
registry.register(
    Complaint, fields=["summary", "description", "resolution"], person="person", erase="anonymise",
    note=registry.NOTE_TEXT_BLANKED,
    retention=[registry.Retention("complaint_text_days", field="received_at", action="anonymise",
                                 fields=["summary", "description"], filter=Q(state__in=["resolved", "closed"]))],
)
registry.register(WorkOrder, fields=["note"], person="complaint__person", erase="anonymise")
registry.register(
    GiftRecipient,
    fields=["ship_name", "ship_phone", "ship_address", "ship_postcode", "letter_body", "feedback"],
    person="person", match={"mobile": "ship_phone"}, erase="anonymise",
    note=registry.NOTE_SHIPPING,
)
registry.register(KeyAccountReport, fields=["sent_to"], match={"email": "sent_to"}, erase="anonymise",
                 note=registry.NOTE_TEXT_BLANKED)
registry.exempt(CareTeam, "care teams: names of teams")
registry.exempt(SupportGroup, "support groups: names and team mailboxes")
registry.exempt(CallScript, "call scripts: authored content")
registry.exempt(LetterTemplate, "letter templates: authored content")
registry.exempt(GiftCampaign, "campaign names")
