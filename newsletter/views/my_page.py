"""The e-journal's part of a signed-in customer's "My page": the subscription and a link to its
preferences page (the same signed link every issue carries)."""

from ..selectors import subscription_of_person
from ..services.subscribers import preferences_token


def my_page_section(request, person) -> dict:
    subscriber = subscription_of_person(person_id=person.pk)
    return {
        "template": "newsletter/includes/my_page_section.html", "order": 30, "subscriber": subscriber,
        "preferences_token": preferences_token(subscriber.pk) if subscriber else "",
    }
