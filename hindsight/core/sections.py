"""Heading synonyms: which section kind a heading like "Root Cause(s)" stands for."""

from __future__ import annotations

import functools
import re

from hindsight.core.model import SectionKind

# Checked in order; the first pattern that matches the normalised heading wins.
_SYNONYMS: tuple[tuple[SectionKind, str], ...] = (
    (SectionKind.WENT_WELL, r"(what )?(went|worked) (well|right)|things that went well|successes"),
    (
        SectionKind.IMPROVEMENTS,
        r"what (went|could go|could be|can be|to be) (wrong|poorly|badly|better|improved)"
        r"|(what )?went (wrong|poorly|badly)|what didn.?t go well"
        r"|(areas for |room for )?improvements?"
        r"|things that went wrong|what could (we )?(have )?(done|do) better",
    ),
    (SectionKind.LUCKY, r"where (we|did we) (got|get) lucky|lucky"),
    (
        SectionKind.ACTION_ITEMS,
        r"(corrective|preventive|preventative|remediation|follow.?up|next)"
        r" ?(actions?|items?|steps?)?"
        r"|action (items?|points?|plan)( (and|&) follow.?ups?)?|follow.?ups?|remediations?|todos?"
        r"|what we( are|.re| will be)? (changing|doing|will do|will change)",
    ),
    (
        SectionKind.ROOT_CAUSE,
        r"root[ -]?causes?( analysis)?|rca|contributing factors?|causes?|causal factors?"
        r"|what caused (it|the|this) ?(incident|outage|problem)?|why did (it|this) happen|triggers?"
        r"|(technical )?(analysis|investigation)|process breakdowns?"
        r"|five whys|5 whys|fishbone|fault tree",
    ),
    (
        SectionKind.TIMELINE,
        r"(incident |detailed )?timeline|chronology|key events|sequence of events|events",
    ),
    (
        SectionKind.SUMMARY,
        r"(executive |incident )?summary|overview|tl;? ?dr|synopsis|abstract|what happened",
    ),
    (SectionKind.IMPACT, r"(customer |user |end user |business |service )?impact"),
    (SectionKind.LESSONS, r"lessons? (learned|learnt)|learnings?|conclusions?|takeaways?"),
    (SectionKind.DETECTION, r"detection|how (was it|we) detected"),
    (SectionKind.RESOLUTION, r"resolution|mitigation( (and|&) resolution)?|recovery|fix"),
)
_COMPILED = tuple((kind, re.compile(rf"^(?:{pattern})$")) for kind, pattern in _SYNONYMS)

CANONICAL_TITLES = {
    SectionKind.SUMMARY: "Summary",
    SectionKind.IMPACT: "Impact",
    SectionKind.TIMELINE: "Timeline",
    SectionKind.ROOT_CAUSE: "Root cause analysis",
    SectionKind.WENT_WELL: "What went well",
    SectionKind.IMPROVEMENTS: "What could be improved",
    SectionKind.LUCKY: "Where we got lucky",
    SectionKind.LESSONS: "Lessons learned",
    SectionKind.ACTION_ITEMS: "Action items",
    SectionKind.DETECTION: "Detection",
    SectionKind.RESOLUTION: "Resolution",
}


def normalise(title: str) -> str:
    """Lower-case, drop numbering, markup, "(s)", parentheticals and trailing punctuation."""
    text = title.lower().replace("(s)", "s")
    text = re.sub(r"[*_`]", "", text)
    text = re.sub(r"\([^)]*\)", "", text)
    text = re.sub(r"^\s*(?:\d+(?:\.\d+)*[.)]?|[ivx]+\.)\s+", "", text)
    text = re.sub(r"[?:!.]+\s*$", "", text)
    return " ".join(text.replace("’", "'").split())


@functools.lru_cache(maxsize=1024)
def classify(title: str) -> SectionKind:
    """The kind a heading stands for; OTHER when it isn't one of the practice's sections."""
    text = normalise(title)
    for kind, pattern in _COMPILED:
        if pattern.match(text):
            return kind
    return SectionKind.OTHER
