"""Roles from app.yaml: ids, aliases and e-mail addresses; admins include brokers; refusals name who can act."""

from __future__ import annotations

from pathlib import Path

from bot.config import WorkflowSettings, load_settings
from bot.handlers.slack.broker_slack import slack_mention
from bot.workflows.roles import Role, needs_email, refusal, role_of
from tests.workflow_support import ADMIN, BROKER, MEMBER, OTHER

ROLES = WorkflowSettings(brokers=["UBROKER", "anna@example.org"], admins=["admin@example.org"])


def test_roles_match_ids_aliases_and_addresses_case_insensitively() -> None:
    assert role_of(ROLES, BROKER) is Role.BROKER
    assert role_of(ROLES, ADMIN) is Role.ADMIN  # by e-mail, whatever its case
    assert role_of(ROLES, MEMBER) is Role.MEMBER  # empty members list: everybody is a member
    by_alias = WorkflowSettings(brokers=["0B6F3C52-5A4E-4D1C-9F1E-2C3D4E5F6A7B"])
    assert role_of(by_alias, ADMIN) is Role.BROKER
    assert role_of(ROLES, type(MEMBER)("slack", "T1", "UX", "ANNA@example.org")) is Role.BROKER


def test_a_members_list_leaves_everybody_else_without_a_role() -> None:
    closed = WorkflowSettings(brokers=["UBROKER"], members=["UMEMBER"])
    assert [role_of(closed, actor) for actor in (BROKER, MEMBER, OTHER)] == [Role.BROKER, Role.MEMBER, Role.NONE]
    refused = refusal(closed, OTHER, Role.MEMBER, "act_challenge", "en")
    assert refused is not None and refused.message == "Only network members can publish challenges. Please ask UBROKER."


def test_refusals_name_who_can_act_in_the_platforms_way() -> None:
    assert refusal(ROLES, BROKER, Role.BROKER, "act_push", "en") is None
    assert refusal(ROLES, ADMIN, Role.BROKER, "act_push", "en") is None
    refused = refusal(ROLES, MEMBER, Role.BROKER, "act_push", "da", slack_mention)
    assert refused is not None and refused.code == "role"
    assert refused.message == ("Kun mæglere kan sende forslag ud i kanaler. "
                               "Spørg <@UBROKER>, anna@example.org, admin@example.org.")
    teams_only = WorkflowSettings(brokers=["0b6f3c52-5a4e-4d1c-9f1e-2c3d4e5f6a7b"])
    hidden = refusal(teams_only, MEMBER, Role.BROKER, "act_push", "en", slack_mention)
    assert hidden is not None and "0b6f3c52" not in hidden.message and "No broker is configured" in hidden.message
    nobody = refusal(WorkflowSettings(), MEMBER, Role.BROKER, "act_intros", "sv")
    assert nobody is not None and "workflows.brokers" in nobody.message and nobody.message.startswith("Bara mäklare")


def test_role_lists_come_from_app_yaml_and_the_environment(tmp_path: Path) -> None:
    config = tmp_path / "app.yaml"
    config.write_text("workflows:\n  brokers: [U0BROKER]\n  push_dedupe_days: 2\n", encoding="utf-8")
    settings = load_settings(config, environ={"INNOBROKER_WORKFLOWS__ADMINS": "boss@example.org, U0ADMIN"})
    assert settings.workflows.brokers == ["U0BROKER"] and settings.workflows.push_dedupe_days == 2
    assert settings.workflows.admins == ["boss@example.org", "U0ADMIN"]
    assert needs_email(settings.workflows) and not needs_email(WorkflowSettings(brokers=["U1"]))
