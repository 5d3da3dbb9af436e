"""Care's part of a signed-in customer's "My page": their complaints and where each stands, linked
to the status page whose private link they were emailed."""

from ..selectors import complaints_of_person


def my_page_section(request, person) -> dict:
    return {"template": "care/includes/my_page_section.html", "order": 40,
            "complaints": list(complaints_of_person(person_id=person.pk)[:50])}
