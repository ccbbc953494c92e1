"""The findings on every real post-mortem are those recorded in corpus_findings.json.

Speed work on the reviewer must not change what it finds: this test compares
each corpus file's status, score and findings (rule and line, and a digest of
the messages: no corpus text), for the internal and the public audience, with
the recorded ones. When a rule change is meant to change them, record the
new ones with `HINDSIGHT_RECORD_FINDINGS=1 pytest tests/core/test_corpus_findings.py`
and let `git diff` show what changed.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

from hindsight.core.parser import parse
from hindsight.core.review import review

from ..system import CORPUS, corpus_postmortems

RECORDED = Path(__file__).with_name("corpus_findings.json")


def findings_now() -> dict[str, Any]:
    found = {}
    for path in corpus_postmortems():
        document = parse(path.read_text(encoding="utf-8"), path.name)
        for audience in ("internal", "public"):
            report = review(document, audience=audience)
            messages = "\n".join(f"{f.message}\t{f.suggestion}" for f in report.findings)
            found[f"{path.relative_to(CORPUS)} {audience}"] = {
                "status": report.status,
                "score": report.score,
                "findings": [f"{f.line} {f.severity} {f.rule}" for f in report.findings],
                "messages": hashlib.sha256(messages.encode()).hexdigest()[:16],
            }
    return found


def test_the_findings_on_the_corpus_are_the_recorded_ones():
    now = findings_now()
    if os.environ.get("HINDSIGHT_RECORD_FINDINGS") == "1":
        RECORDED.write_text(json.dumps(now, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    recorded = json.loads(RECORDED.read_text(encoding="utf-8"))
    changed = {
        name: (recorded.get(name), found)
        for name, found in now.items()
        if recorded.get(name) != found
    }
    assert changed == {}
    assert sorted(recorded) == sorted(now)
