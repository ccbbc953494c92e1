"""Abbreviations: which ones readers outside the team need spelled out."""

from __future__ import annotations

import pytest

from hindsight.core.config import Config, ConfigError, config_from_toml
from hindsight.core.parser import parse
from hindsight.core.review import review


def flagged(summary: str, config: Config | None = None) -> list[str]:
    text = f"# Outage\n\n## Summary\n\n{summary}\n\n## Timeline\n\n- 14:09 Alertmanager paged\n"
    config = config or Config(enable=frozenset({"undefined-acronym"}))
    return [f.message.split('"')[1] for f in review(parse(text), config=config).findings]


@pytest.mark.parametrize(
    "word", ["ETH", "DAI", "OP", "AKA", "RFC", "CVE", "OOM", "EKS", "TLS", "R&D", "ASG", "TXT"]
)
def test_token_names_everyday_abbreviations_and_standards_are_known(word: str):
    assert flagged(f"On 2 March the {word} handling failed for 30% of users.") == []


def test_an_unknown_abbreviation_in_the_summary_is_reported():
    assert flagged("On 2 March the PSP rejected 30% of payments.") == ["PSP"]


def test_a_definition_anywhere_in_the_document_counts():
    summary = "On 2 March the PSP rejected 30% of payments. PSP (payment service provider)."
    assert flagged(summary) == []


def test_the_organisation_wide_list_in_the_config_counts():
    config = config_from_toml('acronyms = ["PSP", "S&O"]\n', "hindsight.toml")
    assert config is not None
    only = Config(enable=frozenset({"undefined-acronym"}), acronyms=config.acronyms)
    assert flagged("On 2 March the PSP failed; S&O answered the tickets.", only) == []


def test_team_abbreviations_with_an_ampersand_are_reported():
    assert flagged("On 2 March S&O answered 400 tickets about failed payments.") == ["S&O"]


@pytest.mark.parametrize(
    "summary",
    [
        "On 2 March the EC2 hosts failed for 30% of users.",
        "On 2 March the ACME' mirror failed; see ACME' status page.",
        "INCIDENT REPORT: CHECKOUT FAILURE ON 2 MARCH",
        "On 2 March checkout failed for 30% of users. Present:\n\n- EC, AN, SD\n- WC",
        'On 2 March 30% of checkout pods logged "PLEG is not healthy" and restarted.',
        "On 2 March critical workloads such as KIAM failed on 30% of the nodes.",
        "On 2 March the same attack hit the BSC chain; 30% of blocks were lost.",
        "> [!NOTE]\n> On 2 March checkout failed for 30% of users.",
    ],
)
def test_names_initials_quotations_and_markup_are_not_abbreviations_to_spell_out(summary: str):
    assert flagged(summary) == []


def test_an_abbreviation_beside_a_quotation_is_still_reported():
    assert flagged('On 2 March the PSP answered "retry later" to 30% of payments.') == ["PSP"]


def test_a_bad_acronyms_setting_is_refused():
    with pytest.raises(ConfigError, match="`acronyms` must be a list of abbreviations"):
        config_from_toml("acronyms = [1]\n", "hindsight.toml")
