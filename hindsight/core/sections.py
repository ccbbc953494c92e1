"""Heading synonyms: which section kind a heading like "Root cause of the outage" stands for.

Two passes: the practice's usual headings matched whole ("Root Cause(s)",
"What went wrong"), then key words anywhere in the heading, so that
"Timeline of events", "What worked", "How did this happen", "Next steps" or
"再発防止策" are read the way their authors meant them. Key words are checked
in an order that lets the more specific meaning win ("What didn't work" is an
improvement before "worked" makes it a success; "Root cause remediations" are
actions before "root cause" makes them analysis).
"""

from __future__ import annotations

import functools
import re

from hindsight.core.model import SectionKind

# Checked in order; the first pattern that matches the whole normalised heading wins.
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

# Second pass: key words anywhere in the heading, most specific meaning first.
_KEYWORDS: tuple[tuple[SectionKind, str], ...] = (
    (
        SectionKind.IMPROVEMENTS,
        r"\b(went|go|going) (wrong|poorly|badly|less well)|didn.?t (work|go)|did not (work|go)"
        r"|could (be|have been|have gone|go) (better|improved)|(could|can|should) (we )?improve"
        r"|to improve\b|\bimprovements?\b(?! (planned|to make|we will))|room for|pain points?"
        r"|what (was|were) (hard|difficult)|challenges|problems we (hit|had)|the bad\b"
        r"|課題|反省|改善点|うまくいかなかった|不足していた|问题与改进|待改进|不足之处",
    ),
    (
        SectionKind.WENT_WELL,
        r"\b(went|go|going) (well|right|smoothly)|\bworked( well)?\b|did well|successes"
        r"|positives?\b|the good\b|うまくいった|良かった|正しく対応できた|做得好",
    ),
    (SectionKind.LUCKY, r"\blucky\b|\bluck\b|幸運"),
    (
        SectionKind.ACTION_ITEMS,
        r"\baction (items?|points?|plan)|\bactions? (planned|to take|we will)|next steps?"
        r"|follow.?ups?|\bcorrective|\bpreventa?tive|\bprevention\b|remediations?|remedial"
        r"|\bto.?dos?\b|future (work|plans?|improvements?)|going forward|looking (forward|ahead)"
        r"|what we.?(are|re|will)? ?(be )?(doing|changing|do|change)\b|recommendations?"
        r"|improvements (planned|to make|we will)|再発防止|今後の対応|今後の対策|対策|アクション"
        r"|改进措施|后续|整改|行动项",
    ),
    (
        SectionKind.ROOT_CAUSE,
        r"root[ -]?causes?|\bcauses?\b|\bcaused\b|contributing|causal|\bwhy\b|how did (this|it)"
        r"|\btriggers?\b|\borigin\b|\banalysis\b|investigation|technical (details|explanation)"
        r"|attack (method|vector)|5 whys|five whys|fishbone|fault tree|原因|根因|起因",
    ),
    (
        SectionKind.TIMELINE,
        r"\btime ?line\b|chronolog|sequence of events|\bkey events\b|^events\b|\bevents$"
        r"|what happened when|タイムライン|時系列|経緯|経過|时间线|时间轴|经过",
    ),
    (
        SectionKind.IMPACT,
        r"\bimpact|\baffected\b|blast radius|\brisks?\b|影響|影响",
    ),
    (
        SectionKind.LESSONS,
        r"\blessons?\b|\blearn(ed|t|ing|ings)?\b|takeaways?|conclusions?|reflections?"
        r"|教訓|学んだ|经验|教训",
    ),
    (
        SectionKind.DETECTION,
        r"\bdetect(ion|ed)?\b|how (was it|we|it was) (found|noticed)|発見|检测",
    ),
    (
        SectionKind.RESOLUTION,
        r"\bresolution\b|mitigations?\b|\brecovery\b|\bfix(es)?\b|how (we|it was) (fixed|resolved)"
        r"|\bresponse\b|\bremedy\b|workaround|復旧|恢复|处理|対応",
    ),
    (
        SectionKind.SUMMARY,
        r"\bsummary\b|overview|tl;? ?dr|synopsis|abstract|introduction|current status"
        r"|what happened|概要|サマリ|摘要|概述|简介|障害の内容|事象",
    ),
)
_KEYWORD_PATTERNS = tuple((kind, re.compile(pattern)) for kind, pattern in _KEYWORDS)

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
# Headings that tell the story rather than sum it up: a summary only when there is no other.
_NARRATIVE = re.compile(r"^(what happened|details?|description|incident details)$")


def normalise(title: str) -> str:
    """Lower-case, drop numbering, markup, "(s)", parentheticals and trailing punctuation."""
    text = title.lower().replace("(s)", "s")
    text = re.sub(r"[*_`]", "", text)
    text = re.sub(r"\([^)]*\)|（[^）]*）", "", text)
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
    for kind, pattern in _KEYWORD_PATTERNS:
        if pattern.search(text):
            return kind
    return SectionKind.OTHER


def is_narrative(title: str) -> bool:
    """ "What happened", "Details": the story of the incident, a summary only for want of one."""
    return bool(_NARRATIVE.match(normalise(title)))
