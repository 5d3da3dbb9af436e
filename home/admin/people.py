"""Care managers' screen for people that public forms flagged as possible duplicates: compare, then
merge into the known person or keep apart. Registered in ``home/wagtail_hooks.py``."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from wagtail.admin.menu import MenuItem

from home.exceptions import HomeError
from home.models import Person
from home.services.people import person_keep_apart, person_merge
from home.services.rights import access_log_record

MERGE = "home.merge_person"


def _require(request):
    if not request.user.has_perm(MERGE):
        raise PermissionDenied


def _records(person):
    """How many records of each kind point at a person (what a merge would move)."""
    counts = []
    for rel in Person._meta.get_fields(include_hidden=True):
        if rel.concrete or not rel.auto_created or rel.related_model is Person or not (rel.one_to_many or rel.one_to_one):
            continue
        count = rel.related_model._base_manager.filter(**{rel.field.name: person}).count()
        if count:
            counts.append((rel.related_model._meta.verbose_name_plural, count))
    return counts


def duplicates_view(request):
    _require(request)
    flagged = Person.objects.exclude(duplicate_of=None).select_related("duplicate_of").order_by("-created_at")[:200]
    return render(request, "home/people/duplicates.html", {"flagged": flagged})


def duplicate_view(request, pk):
    _require(request)
    flagged = get_object_or_404(Person.objects.exclude(duplicate_of=None).select_related("duplicate_of"), pk=pk)
    for person in (flagged, flagged.duplicate_of):
        access_log_record(user=request.user, person=person, what="possible duplicate compared", path=request.path)
    fields = [(Person._meta.get_field(name).verbose_name, getattr(flagged, name), getattr(flagged.duplicate_of, name))
              for name in ("name", "email", "mobile", "language", "organisation", "created_at")]
    return render(request, "home/people/duplicate.html", {
        "flagged": flagged, "known": flagged.duplicate_of, "fields": fields,
        "flagged_records": _records(flagged), "known_records": _records(flagged.duplicate_of),
    })


@require_POST
def duplicate_action_view(request, pk):
    _require(request)
    action = request.POST.get("action")
    try:
        if action == "merge":
            person = person_merge(flagged_id=pk, acting_user=request.user)
            messages.success(request, _("Merged into %(person)s.") % {"person": person})
        elif action == "apart":
            person_keep_apart(flagged_id=pk, acting_user=request.user)
            messages.success(request, _("Kept as a separate person."))
        else:
            raise PermissionDenied
    except HomeError as exc:
        messages.error(request, str(exc))
        return redirect(reverse("person_duplicate", args=[pk]))
    return redirect(reverse("person_duplicates"))


class DuplicatesMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm(MERGE)


def menu_item():
    return DuplicatesMenuItem(gettext_lazy("Possible duplicates"), reverse("person_duplicates"), icon_name="group",
                              order=8600)


def admin_urls():
    return [
        path("people/duplicates/", duplicates_view, name="person_duplicates"),
        path("people/duplicates/<int:pk>/", duplicate_view, name="person_duplicate"),
        path("people/duplicates/<int:pk>/act/", duplicate_action_view, name="person_duplicate_action"),
    ]
