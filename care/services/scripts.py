"""Walking a call script: its steps as data, branching on answers, recording each answer."""

import re

from django.db import transaction
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from ..models import Call, CallScript
from . import CareError


def script_for(purpose: str, language: str) -> CallScript | None:
    scripts = CallScript.objects.filter(live=True, purpose=purpose)
    return scripts.filter(language=language).order_by("pk").first() or scripts.order_by("pk").first()


def script_steps(script: CallScript | None) -> list[dict]:
    """The script's steps as plain data, numbered from 1."""
    if script is None:
        return []
    steps = []
    for number, block in enumerate(script.steps, start=1):
        value = block.value
        step = {"number": number, "kind": block.block_type, "answer_kind": "", "choices": []}
        if block.block_type == "say":
            step["text"] = value["text"]
        elif block.block_type == "ask":
            step["text"] = value["question"]
            step["answer_kind"] = value["answer_kind"]
            step["choices"] = [str(c) for c in value["choices"]]
        else:
            step["text"] = value["item"]
            step["answer_kind"] = "checklist"
        step["branches"] = [(str(b["answer"]).strip(), int(b["goto"] or 0)) for b in value["branches"]]
        steps.append(step)
    return steps


_COMPARE = re.compile(r"^(<=|>=|<|>|=)\s*(-?\d+(?:\.\d+)?)$")


def _matches(rule: str, answer: str) -> bool:
    if rule == "*":
        return True
    found = _COMPARE.match(rule)
    if found:
        try:
            number = float(answer)
        except ValueError:
            return False
        op, limit = found.group(1), float(found.group(2))
        return {"<=": number <= limit, ">=": number >= limit, "<": number < limit, ">": number > limit,
                "=": number == limit}[op]
    return rule.casefold() == answer.casefold()


def script_next(steps: list[dict], number: int, answer: str) -> int | None:
    """The step after ``number`` given ``answer``: the first matching branch, else the next step; None ends."""
    step = steps[number - 1]
    for rule, goto in step["branches"]:
        if _matches(rule, answer):
            return goto if 1 <= goto <= len(steps) else None
    return number + 1 if number < len(steps) else None


def _clean_answer(step: dict, answer: str) -> str:
    answer = (answer or "").strip()
    kind = step["answer_kind"]
    if step["kind"] == "say":
        return "ok"
    if kind == "checklist":
        if answer not in ("done", "not_done"):
            raise CareError(_("Tick the item as done or not done."))
    elif kind == "yes_no":
        if answer not in ("yes", "no"):
            raise CareError(_("Answer yes or no."))
    elif kind == "choice":
        if answer not in step["choices"]:
            raise CareError(_("Pick one of the choices."))
    elif kind == "number":
        try:
            float(answer)
        except ValueError:
            raise CareError(_("Enter a number."))
    elif kind == "rating":
        if answer not in {"1", "2", "3", "4", "5"}:
            raise CareError(_("Give a rating from 1 to 5."))
    elif not answer:
        raise CareError(_("Enter the answer."))
    return answer[:2000]


def answer_label(item: dict) -> str:
    """A recorded answer as people read it, in the active language ("ok" of a say step reads "said")."""
    answer, kind = item.get("a", ""), item.get("kind", "")
    labels = {
        "ok": _("said"), "yes": _("yes"), "no": _("no"), "done": _("done"), "not_done": _("not done"),
    }
    if kind in ("", "yes_no", "checklist") and answer in labels:
        return labels[answer]
    if kind == "rating":
        return _("%(score)s of 5") % {"score": answer}
    return answer


def call_answers(call: Call) -> list[dict]:
    """The answers given so far, in the order they were given: [{"number", "text", "answer", "label"}]."""
    answers = call.answers or {}
    recorded = answers.get("steps", {})
    found = []
    for number in answers.get("path", []):
        item = recorded.get(str(number))
        if item:
            found.append({"number": number, "text": item.get("q", ""), "answer": item.get("a", ""),
                          "label": answer_label(item)})
    return found


def call_progress(call: Call, *, back_to: int | None = None) -> dict:
    """Where the caller is in the script: {"current": step number or None when done, "path": [...], ...}.

    ``back_to`` (a step already answered) is the step shown again to change its answer (the Back step);
    answering it again forgets what came after it (``call_record_answer``).
    """
    steps = script_steps(call.script)
    answers = call.answers or {}
    current = answers.get("current", 1 if steps else None)
    path = answers.get("path", [])
    shown = back_to if back_to in path else current
    # Back from the shown step: the answered step before it.
    before = path[: path.index(shown)] if shown in path else path
    previous = (answers.get("steps", {}).get(str(shown)) or {}).get("a", "") if shown in path else ""
    return {"steps": steps, "current": current, "path": path, "answered": call_answers(call),
            "shown": shown, "back": before[-1] if before else None, "previous": previous,
            "finished": bool(steps) and current is None}


@transaction.atomic
def call_record_answer(*, call_id: int, step: int, answer: str, acting_user) -> Call:
    """Store the answer to one script step and move to the step its branches lead to."""
    call = Call.objects.select_for_update(of=("self",)).select_related("script").get(pk=call_id)
    if call.state != Call.State.OPEN:
        raise CareError(_("This call is closed."))
    steps = script_steps(call.script)
    if not 1 <= step <= len(steps):
        raise CareError(_("This step is not in the script."))
    answers = dict(call.answers or {})
    path = list(answers.get("path", []))
    current = answers.get("current", 1)
    if step in path:
        # Going back: forget what came after that step.
        path = path[: path.index(step)]
    elif step != current:
        raise CareError(_("Answer the current step first."))
    value = _clean_answer(steps[step - 1], answer)
    recorded = {str(n): answers.get("steps", {}).get(str(n)) for n in path}
    recorded[str(step)] = {"q": steps[step - 1]["text"], "a": value, "kind": steps[step - 1]["answer_kind"]}
    path.append(step)
    call.answers = {"path": path, "steps": recorded, "current": script_next(steps, step, value),
                    "script_revision": call.script.latest_revision_id if call.script else None}
    call.save(update_fields=["answers", "updated_at"])
    log(instance=call, action="care.call_answer", user=acting_user, data={"step": step})
    return call
