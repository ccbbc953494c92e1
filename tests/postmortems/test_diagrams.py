"""Root-cause diagrams in the workspace: drawn from rows, stored in the text, served as SVG,
counted as factors, refused with a clear message when they can't be drawn."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
from typing import Any

import pytest
from django.test import Client

from hindsight.accounts.models import User
from hindsight.core.model import SectionKind
from hindsight.postmortems import printing, services
from hindsight.postmortems.models import PostMortem

from ..core.test_diagrams import EXAMPLE
from .conftest import editor_form, with_section

pytestmark = pytest.mark.django_db

ANALYSIS = "The pool was too small for the new worker count.\n\n" + EXAMPLE


@pytest.fixture
def drawn(draft: PostMortem, an_editor: User) -> PostMortem:
    text = with_section(draft.body, SectionKind.ROOT_CAUSE, ANALYSIS)
    return services.save_body(postmortem=draft, body=text, author=an_editor, expected_version=1)


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def post_op(client: Client, postmortem: PostMortem, op: str, **fields: str) -> Any:
    data = editor_form(postmortem.body, postmortem.version, op=op, **fields)
    return client.post(f"/postmortems/{postmortem.pk}/save/", data)


def test_the_factors_api_gives_the_diagrams_as_data(drawn: PostMortem, the_viewer: User) -> None:
    answer = client_for(the_viewer).get(f"/api/postmortems/{drawn.pk}/factors").json()
    assert answer["whys"] == [
        [
            "Checkout returned 502s",
            "The API could not get a database connection",
            "The connection pool was exhausted",
            "The pool size does not follow the worker count",
        ]
    ]
    assert answer["fishbone"] == {
        "technology": ["The pool size is fixed at 20"],
        "process": ["No load test before the deploy"],
    }
    assert [c["id"] for c in answer["fault_tree"]["children"]] == ["pool", "dns"]
    assert {"tag": "deploy", "text": "The deploy doubled the workers"} in answer["factors"]


def test_a_post_mortem_without_diagrams_has_empty_factors(
    draft: PostMortem, the_viewer: User
) -> None:
    answer = client_for(the_viewer).get(f"/api/postmortems/{draft.pk}/factors").json()
    assert answer == {"whys": [], "fishbone": {}, "fault_tree": {}, "factors": []}


@pytest.mark.parametrize("kind", ["whys", "fishbone", "fault-tree"])
def test_each_diagram_is_an_svg_image(drawn: PostMortem, the_viewer: User, kind: str) -> None:
    answer = client_for(the_viewer).get(f"/postmortems/{drawn.pk}/diagram/{kind}.svg")
    root = ET.fromstring(answer.content)
    assert (answer["Content-Type"], root.tag) == (
        "image/svg+xml",
        "{http://www.w3.org/2000/svg}svg",
    )


def test_an_unknown_diagram_is_not_found(drawn: PostMortem, the_viewer: User) -> None:
    answer = client_for(the_viewer).get(f"/postmortems/{drawn.pk}/diagram/venn.svg")
    assert answer.status_code == 404


def test_the_html_export_draws_the_diagrams(drawn: PostMortem, the_viewer: User) -> None:
    page = client_for(the_viewer).get(f"/postmortems/{drawn.pk}/export.html").content.decode()
    assert page.count('<figure class="diagram') == 3
    assert "Connection pool exhausted</text>" in page


def test_the_pdf_export_carries_the_diagrams(drawn: PostMortem, the_viewer: User) -> None:
    if printing.missing():
        pytest.skip(printing.missing())
    from pypdf import PdfReader

    answer = client_for(the_viewer).get(f"/postmortems/{drawn.pk}/export.pdf")
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(answer.content)).pages)
    assert "Connection pool exhausted" in text


def test_the_workspace_shows_the_diagrams(drawn: PostMortem, an_editor: User) -> None:
    page = client_for(an_editor).get(f"/postmortems/{drawn.pk}/").content.decode()
    assert page.count('class="rca-diagram"') == 3


def test_adding_a_chain_writes_it_into_the_analysis(draft: PostMortem, an_editor: User) -> None:
    post_op(
        client_for(an_editor),
        draft,
        "whys-add",
        **{
            "why-problem": "Checkout returned 502s",
            "why-whys": "The pool was exhausted\nThe deploy doubled the workers",
            "why-factor": "The pool size does not follow the worker count",
            "why-tag": "capacity",
        },
    )
    draft.refresh_from_db()
    assert (
        "```whys\nproblem: Checkout returned 502s\nwhy: The pool was exhausted\n"
        "why: The deploy doubled the workers\n"
        "factor [capacity]: The pool size does not follow the worker count\n```"
    ) in draft.body


def test_events_added_under_gates_make_a_fault_tree(draft: PostMortem, an_editor: User) -> None:
    client = client_for(an_editor)
    steps = [
        {"tree-label": "Checkout unavailable", "tree-gate": "OR"},
        {"tree-label": "DNS answers failed", "tree-parent": "checkout-unavailable"},
        {"tree-label": "Pool exhausted", "tree-gate": "AND", "tree-parent": "checkout-unavailable"},
        {
            "tree-label": "Deploy doubled workers",
            "tree-parent": "pool-exhausted",
            "tree-tag": "deploy",
        },
    ]
    for fields in steps:
        post_op(client, draft, "tree-add", **fields)
        draft.refresh_from_db()
    tree = client.get(f"/api/postmortems/{draft.pk}/factors").json()["fault_tree"]
    assert [(c["label"], [g["label"] for g in c["children"]]) for c in tree["children"]] == [
        ("DNS answers failed", []),
        ("Pool exhausted", ["Deploy doubled workers"]),
    ]


def test_removing_a_gate_removes_what_only_it_led_to(drawn: PostMortem, an_editor: User) -> None:
    post_op(client_for(an_editor), drawn, "tree-remove:pool")
    drawn.refresh_from_db()
    assert "pool AND" not in drawn.body
    assert "deploy [deploy]" not in drawn.body
    assert "top OR(dns): Checkout unavailable" in drawn.body


def test_a_cycle_typed_into_the_text_is_refused_and_nothing_is_lost(
    drawn: PostMortem, an_editor: User
) -> None:
    cyclic = ANALYSIS.replace("deploy [deploy]: The", "deploy OR(pool) [deploy]: The")
    text = with_section(drawn.body, SectionKind.ROOT_CAUSE, cyclic)
    with pytest.raises(services.InvalidBody) as refused:
        services.save_body(postmortem=drawn, body=text, author=an_editor, expected_version=2)
    assert "The fault tree has a cycle (pool -> deploy -> pool)" in str(refused.value)
    drawn.refresh_from_db()
    assert (drawn.version, "deploy [deploy]: The deploy" in drawn.body) == (2, True)


def test_the_editor_shows_why_a_chain_without_an_end_was_not_saved(
    drawn: PostMortem, an_editor: User
) -> None:
    open_chain = "```whys\nproblem: Checkout returned 502s\nwhy: The pool was exhausted\n```"
    text = with_section(drawn.body, SectionKind.ROOT_CAUSE, open_chain)
    data = editor_form(text, drawn.version, op="save")
    answer = client_for(an_editor).post(f"/postmortems/{drawn.pk}/save/", data)
    page = answer.content.decode()
    assert answer.status_code == 400
    assert "has no end: finish it with the contributing factor" in page
    assert "why: The pool was exhausted" in page  # the author's text stays in the editor
    drawn.refresh_from_db()
    assert drawn.version == 2


def test_adding_a_chain_without_a_factor_is_refused(draft: PostMortem, an_editor: User) -> None:
    answer = post_op(
        client_for(an_editor),
        draft,
        "whys-add",
        **{"why-problem": "Checkout returned 502s", "why-whys": "The pool was exhausted"},
    )
    assert "Write the contributing factor the chain ends in first." in answer.content.decode()
    draft.refresh_from_db()
    assert draft.version == 1
