"""The snippet choosers of call scripts and letter templates are restricted like their listings."""

import pytest
from django.urls import reverse

from care.models import CallScript, LetterTemplate
from home.roles import TRAINING_COORDINATORS

from ..calls_fixtures import *  # noqa: F403

pytestmark = pytest.mark.django_db


@pytest.fixture
def snippets():
    script = CallScript.objects.create(name="回访话术甲", live=True)
    letter = LetterTemplate.objects.create(name="感谢信乙", subject_zh_hans="谢谢", body_zh_hans="正文",
                                           subject_en="Thanks", body_en="Body", live=True)
    return {"callscript": script, "lettertemplate": letter}


def _chooser_urls(model, pk):
    namespace = f"wagtailsnippetchoosers_care_{model}"
    return [reverse(f"{namespace}:choose"), reverse(f"{namespace}:choose_results"),
            reverse(f"{namespace}:chosen", args=[pk]), reverse(f"{namespace}:chosen_multiple") + f"?id={pk}"]


@pytest.fixture
def coordinator(make_user):  # noqa: F811
    return make_user("peixun", TRAINING_COORDINATORS)


@pytest.mark.parametrize("role", ["editor", "coordinator", "staff_east"])
@pytest.mark.parametrize("model", ["callscript", "lettertemplate"])
def test_choosers_refuse_who_may_not_list_the_snippet(client, request, snippets, role, model):
    client.force_login(request.getfixturevalue(role))
    assert client.get(reverse(f"wagtailsnippets_care_{model}:list")).status_code in (302, 403)
    for url in _chooser_urls(model, snippets[model].pk):
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans")
        assert response.status_code in (302, 403), url  # Wagtail redirects a refusal to the dashboard
        assert snippets[model].name not in response.content.decode()
    create = reverse(f"wagtailsnippetchoosers_care_{model}:create")
    assert client.post(create, {"name": "新建"}).status_code in (302, 403)
    assert not type(snippets[model]).objects.filter(name="新建").exists()


@pytest.mark.parametrize("model", ["callscript", "lettertemplate"])
def test_care_managers_choose_from_the_snippets(client, snippets, manager, model):
    client.force_login(manager)
    choose, results, chosen, _multiple = _chooser_urls(model, snippets[model].pk)
    assert snippets[model].name in client.get(choose).json()["html"]
    assert snippets[model].name in client.get(results).content.decode()
    assert client.get(chosen).status_code == 200
