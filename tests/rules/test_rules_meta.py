"""Meta: every installed rule's defaults are documented in config.example.toml, and that file loads."""

from __future__ import annotations

import tomllib

from runsync.config import load_config
from runsync.plugins import get_plugin_manager, installed_rules
from runsync.rules import rule_config
from tests.conftest import REPO

EXAMPLE = REPO / "config.example.toml"


def test_every_rule_default_appears_in_config_example_with_its_value() -> None:
    documented = tomllib.loads(EXAMPLE.read_text(encoding="utf-8"))["rules"]
    for installed in installed_rules(get_plugin_manager(strict=True)):
        rule = installed.rule
        assert documented[rule.id] == {"enabled": True, **rule.defaults}, rule.id


def test_config_example_loads_and_its_rule_sections_validate() -> None:
    config = load_config(EXAMPLE)
    for installed in installed_rules(get_plugin_manager()):
        assert rule_config(installed.rule, config) == installed.rule.defaults
