"""Live review cost: one request of the workspace's review panel, against the reviewer alone.

Usage: python bench/workspace_review.py [--requests 200] [--runs 5]

Seeds the demo data into a throwaway SQLite database, then times (a) the
reviewer on the demo post-mortem's text (core parse + review, the reference)
and (b) POST /postmortems/<id>/review/ through Django's test client in this
process: the form is composed into the text, reviewed, each finding placed in
its section and the panel rendered. Prints the median milliseconds per
review of each and their ratio.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from urllib.parse import urlencode


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hindsight.settings")
    os.environ["HINDSIGHT_DATA_DIR"] = tempfile.mkdtemp(prefix="hindsight-bench-")
    os.environ.pop("HINDSIGHT_DATABASE_URL", None)
    os.environ["HINDSIGHT_ALLOWED_HOSTS"] = "testserver,127.0.0.1"  # the in-process test client
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    _setup()
    from django.test import Client

    from hindsight.accounts.models import Role, User
    from hindsight.core.parser import parse
    from hindsight.core.review import review
    from hindsight.postmortems.editor import editable
    from hindsight.postmortems.models import PostMortem
    from hindsight.web.demo import seed

    admin = User.objects.create_user(username="admin", role=Role.ADMIN)
    seed(web_url="http://127.0.0.1:8000/")
    postmortem = PostMortem.objects.get(incident__title__startswith="Checkout")
    cut = editable(postmortem.body)
    form = {"version": str(postmortem.version), "parts": str(len(cut.parts)), "head": cut.head}
    form["front"] = cut.front or ""
    for index, part in enumerate(cut.parts):
        form |= {
            f"part-{index}-title": part.title,
            f"part-{index}-level": str(part.level),
            f"part-{index}-body": part.body,
        }
    client = Client()
    client.force_login(admin)
    url = f"/postmortems/{postmortem.pk}/review/"
    encoded = urlencode(form)  # as htmx sends it

    def request() -> None:
        answer = client.post(url, encoded, content_type="application/x-www-form-urlencoded")
        assert answer.status_code == 200

    request()

    def per_review(work: object, count: int) -> float:
        started = time.perf_counter()
        for _ in range(count):
            work()  # type: ignore[operator]
        return (time.perf_counter() - started) * 1000 / count

    core, panel = [], []
    for _ in range(args.runs):
        core.append(per_review(lambda: review(parse(postmortem.body)), args.requests))
        panel.append(per_review(request, args.requests))
    reference, measured = statistics.median(core), statistics.median(panel)
    print(f"document: {len(postmortem.body):,} characters, {postmortem.body.count(chr(10))} lines")
    print(f"reviewer alone (core parse + review): {reference:.2f} ms per review")
    print(f"review panel request (form -> text -> review -> HTML): {measured:.2f} ms per request")
    print(f"ratio panel / reviewer: {measured / reference:.1f}x (medians of {args.runs} runs)")


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    main()
