"""docs/architecture.md's table of background jobs is the job registry, no more and no less."""

from __future__ import annotations

import re
from pathlib import Path

from hindsight.runner.registry import registered

DOC = Path(__file__).resolve().parents[2] / "docs" / "architecture.md"


def test_the_job_table_lists_every_registered_job_and_nothing_else() -> None:
    table = DOC.read_text().split("| job | when | shared by | what |")[1].split("\n\n")[0]
    documented = re.findall(r"^\| `([a-z-]+)` \|", table, re.M)
    assert sorted(documented) == sorted(job.name for job in registered())
