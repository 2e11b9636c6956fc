"""Render previews of every broker workflow as Slack shows them, from the real core and the real Block Kit, and
of the main Teams cards from the Teams handler's own Adaptive Card builders.

Usage: python bench/render_previews.py [--write]
Runs the workflows on a scratch SQLite database with the sample directory (no embeddings, nothing leaves the
machine), renders each result with the handlers' own builders and prints a text preview of the Block Kit
(headers, sections, context lines, buttons, form fields) and of the Adaptive Cards. With ``--write`` the previews
replace the blocks between ``<!-- previews:start -->`` and ``<!-- previews:end -->`` (Slack) and between
``<!-- teams-previews:start -->`` and ``<!-- teams-previews:end -->`` (Teams) in docs/brokers.md.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import sys
import tempfile
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.config import load_settings  # noqa: E402
from bot.conversations import ConversationStore, Profile  # noqa: E402
from bot.conversations.store import utcnow  # noqa: E402
from bot.db import Database  # noqa: E402
from bot.handlers.slack import broker_views as views  # noqa: E402
from bot.handlers.slack.blocks import Message  # noqa: E402
from bot.handlers.slack.broker_slack import slack_mention  # noqa: E402
from bot.handlers.slack.views import profile_modal  # noqa: E402
from bot.handlers.teams import broker_cards as teams_cards  # noqa: E402
from bot.handlers.teams import broker_forms as teams_forms  # noqa: E402
from bot.handlers.teams.broker_teams import People  # noqa: E402
from bot.matching.service import MatchService  # noqa: E402
from bot.workflows.service import Workflows  # noqa: E402
from bot.workflows.types import (  # noqa: E402
    Actor,
    BrokerOverview,
    ChallengeDraft,
    ChallengePlan,
    Channel,
    IntroRequest,
    MemberProfile,
    PeerSearch,
    PushPlan,
    Refusal,
)

DOC = ROOT / "docs" / "brokers.md"
START, END = "<!-- previews:start -->", "<!-- previews:end -->"
TEAMS_START, TEAMS_END = "<!-- teams-previews:start -->", "<!-- teams-previews:end -->"
PEOPLE = {"UBROKER": "@Anna (broker)", "UKARIN": "@Karin (Aarhus Kommune)", "ULARS": "@Lars (Odense Kommune)",
          "UMIA": "@Mia (Göteborgs Stad)"}
CHANNELS = {"CNET": "#buyers-network"}
BROKER = Actor("slack", "T1", "UBROKER")
KARIN, LARS, MIA = (Actor("slack", "T1", user) for user in ("UKARIN", "ULARS", "UMIA"))
NETWORK = Channel("CNET", "buyers-network")
TEAMS_PEOPLE = People({"aad-anna": "Anna Berg", "aad-karin": "Karin Holm"})
T_BROKER, T_KARIN = Actor("teams", "tenant", "aad-anna"), Actor("teams", "tenant", "aad-karin")
UDBUD = Channel("19:udbud@thread.tacv2", "Udbud")


def _mrkdwn(text: str) -> str:
    text = re.sub(r"<@([A-Z0-9]+)>", lambda m: PEOPLE.get(m.group(1), "@" + m.group(1)), text)
    text = re.sub(r"<#([A-Z0-9]+)(?:\|[^>]*)?>", lambda m: CHANNELS.get(m.group(1), "#" + m.group(1)), text)
    text = re.sub(r"<([^|>]+)\|([^>]+)>", r"\2", text)
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _element(element: dict[str, Any]) -> str:
    kind = element.get("type")
    if kind == "button":
        return f"[ {element['text']['text']} ]" + (" (primary)" if element.get("style") == "primary" else "")
    if kind == "plain_text_input":
        value = element.get("initial_value")
        return f"[ {value} ]" if value else "[ ______ ]"
    if kind in ("static_select", "external_select"):
        chosen = (element.get("initial_option") or {}).get("text", {}).get("text", "choose…")
        return f"[ {chosen} ▾ ]"
    if kind == "conversations_select":
        return f"[ {CHANNELS.get(element.get('initial_conversation', ''), 'choose a channel')} ▾ ]"
    if kind in ("checkboxes", "radio_buttons"):
        chosen = {o["value"] for o in element.get("initial_options") or []}
        mark = ("☑", "☐") if kind == "checkboxes" else ("◉", "○")
        return "  ".join(f"{mark[0] if o['value'] in chosen else mark[1]} {o['text']['text']}"
                         for o in element["options"])
    return f"[{kind}]"


def preview(blocks: list[dict[str, Any]]) -> list[str]:
    """A text rendering of Block Kit: what a user sees, line by line."""
    lines: list[str] = []
    for block in blocks:
        kind = block["type"]
        if kind == "header":
            lines.append(f"## {block['text']['text']}")
        elif kind == "section":
            lines.extend(_mrkdwn(block["text"]["text"]).splitlines())
        elif kind == "context":
            lines.append("  " + " ".join(_mrkdwn(e.get("text", "")) for e in block["elements"]))
        elif kind == "divider":
            lines.append("─" * 60)
        elif kind == "actions":
            lines.append("  ".join(_element(e) for e in block["elements"]))
        elif kind == "input":
            optional = " (optional)" if block.get("optional") else ""
            lines.append(f"{block['label']['text']}{optional}: {_element(block['element'])}")
            if block.get("hint"):
                lines.append(f"    {block['hint']['text']}")
    return lines


def _messages(messages: list[Message]) -> list[str]:
    out: list[str] = []
    for number, message in enumerate(messages):
        if number:
            out.append("· · · (next message)")
        out += preview(message.blocks)
    return out


def _modal(view: dict[str, Any]) -> list[str]:
    buttons = f"[ {view['close']['text']} ]  [ {view['submit']['text']} ] (primary)" if "submit" in view else ""
    return [f"┌ {view['title']['text']} ┐", *preview(view["blocks"]), buttons]


async def scenes(core: Workflows) -> list[tuple[str, str, list[str]]]:
    """Each workflow once, in order, as (title, where it appears, preview lines)."""
    out: list[tuple[str, str, list[str]]] = []
    refused = await core.push(KARIN, NETWORK, "Electric bikes for home care staff", "en")
    assert isinstance(refused, Refusal)
    out.append(("Role refusal", "a member tries `/innobroker push` (only they see it)", [_mrkdwn(refused.message)]))
    plan = await core.push(BROKER, NETWORK, "Electric bikes for home care staff", "en")
    assert isinstance(plan, PushPlan) and plan.reply.match is not None and plan.reply.turn_id is not None
    await core.push_posted(plan.id, "CNET:1")
    out.append(("Push: the match card", "#buyers-network, after `/innobroker push #buyers-network Electric bikes "
                "for home care staff`", _messages(views.push_card(plan, slack_mention))))
    duplicate = await core.push(BROKER, NETWORK, "electric bikes for home-care staff", "en")
    assert isinstance(duplicate, Refusal)
    out.append(("Push: duplicate suppressed", "the broker, privately", [_mrkdwn(duplicate.message)]))
    intro = await core.request_intro(KARIN, plan.reply.turn_id, "supplier", plan.reply.match.suppliers[2].id, "en")
    assert isinstance(intro, IntroRequest)
    out.append(("Request intro: the broker's DM", "direct message to every broker",
                preview(views.intro_notice(intro.outcome, slack_mention).blocks)))
    await core.dismiss(LARS, plan.reply.turn_id, "supplier", plan.reply.match.suppliers[4].id, "en", "field",
                       "we need cargo bikes")
    out.append(("Not relevant: optional reason", "modal after “Not relevant”",
                _modal(views.dismiss_modal("en", f"{plan.reply.turn_id}|supplier|x"))))
    member = MemberProfile("dk-aarhus", "DK", "en", "e-mobility, home care",
                           "Electric bikes and charging for home care staff", True)
    await core.save_profile(KARIN, member, "en")
    await core.save_profile(LARS, MemberProfile("dk-odense", "DK", "en", "", "Cargo bikes for home care", False), "en")
    out.append(("Profile form", "`/innobroker profile` or App Home → Edit profile",
                _modal(profile_modal("en", Profile("dk-aarhus", "DK", "en"), False, "Aarhus Kommune (DK)", member))))
    await core.save_profile(MIA, MemberProfile("se-goteborg"), "en")
    peers = await core.peers(MIA, "electric bikes for home care", "en")
    assert isinstance(peers, PeerSearch)
    out.append(("Peers: members with similar needs", "`/innobroker peers electric bikes for home care` "
                "(after the directory's peer buyers)", preview(views.member_blocks("en", peers.members,
                                                                                   slack_mention))))
    out.append(("Challenge form", "`/innobroker challenge`", _modal(views.challenge_modal("en", "CNET"))))
    draft = ChallengeDraft("Textile recycling for care homes", "Collect, sort and recycle discarded textiles, workwear "
                           "and bed linen from our care homes.", "market dialogue in May, pilot from Q4 2026", "500k",
                           "2m", "SEK", "90514000", NETWORK)
    challenge = await core.publish_challenge(MIA, draft, "en")
    assert isinstance(challenge, ChallengePlan)
    await core.challenge_posted(challenge.challenge.id, "CNET:2")
    out.append(("Challenge card", "#buyers-network", _messages(views.challenge_card(
        challenge, slack_mention, await core.organisation_label("se-goteborg")))))
    await core.interested(LARS, challenge.challenge.id, "en")
    found = await core.interests(BROKER, challenge.challenge.id, "en")
    assert not isinstance(found, Refusal)
    out.append(("Who is interested", "a broker clicks “Who is interested?”",
                [_mrkdwn(views.interest_text("en", found[0].title, found[1], slack_mention))]))
    overview = await core.overview(BROKER, "en")
    assert isinstance(overview, BrokerOverview)
    out.append(("App Home: broker desk", "App Home of brokers and admins, below the usual home",
                preview(views.broker_home_blocks(overview, "en", slack_mention, 30))))
    digest = core.digest("slack", NETWORK)
    out.append(("Weekly digest", "#buyers-network, from `innobroker digest --channel CNET` (cron)",
                _messages(views.digest_messages(digest, "en", slack_mention))))
    return out


def _runs(block: dict[str, Any]) -> str:
    marks = []
    for item in block["inlines"]:
        text = item["text"]
        core, mark = text.strip(), ""
        if item.get("fontType") == "Monospace":
            mark = "`"
        elif item.get("weight") == "Bolder":
            mark = "*"
        elif item.get("italic"):
            mark = "_"
        if mark and core:
            text = text.replace(core, f"{mark}{core}{mark}", 1)
        marks.append(text)
    return "".join(marks)


def _action(action: dict[str, Any]) -> str:
    return f"[ {action['title']} ]" + (" (primary)" if action.get("style") == "positive" else "")


def _input(element: dict[str, Any]) -> list[str]:
    label, kind = element.get("label") or element["id"], element["type"]
    if kind == "Input.Text":
        line = f"{label}: [ {element.get('value') or '______'} ]"
        return [line, f"    {element['placeholder']}"] if element.get("placeholder") else [line]
    if kind == "Input.Toggle":
        return [f"{label}: {'☑' if element.get('value') == 'true' else '☐'} {element['title']}"]
    chosen = {c["value"]: c["title"] for c in element["choices"]}
    if element.get("style") == "expanded":
        return [f"{label}: " + "  ".join(f"○ {title}" for title in chosen.values())]
    return [f"{label}: [ {chosen.get(element.get('value') or '', 'choose…')} ▾ ]"]


def card_preview(elements: list[dict[str, Any]]) -> list[str]:
    """A text rendering of Adaptive Card elements: what a Teams user sees, line by line."""
    lines: list[str] = []
    for element in elements:
        kind = element["type"]
        if kind == "TextBlock":
            lines.append(("## " if element.get("size") == "Medium" else "") + element["text"])
        elif kind == "RichTextBlock":
            lines.append(_runs(element))
        elif kind == "FactSet":
            lines.extend(f"{fact['title']}: {fact['value']}" for fact in element["facts"])
        elif kind == "Container":
            lines.extend(card_preview(element["items"]))
        elif kind == "ColumnSet":
            lines.extend(line for column in element["columns"] for line in card_preview(column["items"]))
        elif kind == "ActionSet":
            lines.append("  ".join(_action(a) for a in element["actions"]))
        elif kind.startswith("Input."):
            lines.extend(_input(element))
    return lines


def _cards(messages: list[Any]) -> list[str]:
    out: list[str] = []
    for number, message in enumerate(messages):
        if number:
            out.append("· · · (next card)")
        out += card_preview(message.card["body"])
        if message.card.get("actions"):
            out.append("  ".join(_action(a) for a in message.card["actions"]))
    return out


async def teams_scenes(core: Workflows) -> list[tuple[str, str, list[str]]]:
    """The main Teams cards: push, the broker's intro notice, the profile and challenge forms."""
    out: list[tuple[str, str, list[str]]] = []
    plan = await core.push(T_BROKER, UDBUD, "Electric bikes for home care staff", "en")
    assert isinstance(plan, PushPlan) and plan.reply.match is not None and plan.reply.turn_id is not None
    await core.push_posted(plan.id, f"{UDBUD.id}:1")
    card = _cards(teams_cards.push_card(plan, TEAMS_PEOPLE.mention))
    first = card.index(next(line for line in card if line.startswith("[ Request intro ]"))) + 1
    out.append(("Push: the match card", "a new post in the Udbud channel, after `push #Udbud Electric bikes for "
                "home care staff` in the broker's personal chat (shortened: every supplier and peer buyer has the "
                "same buttons)", [*card[:first], "…", *card[-1:]]))
    intro = await core.request_intro(T_KARIN, plan.reply.turn_id, "supplier", plan.reply.match.suppliers[2].id, "en")
    assert isinstance(intro, IntroRequest)
    out.append(("Request intro: the broker's notice", "the broker's personal chat (and `teams.broker_channel`)",
                _cards([teams_cards.intro_notice(intro.outcome, TEAMS_PEOPLE.mention, UDBUD.name)])))
    member = MemberProfile("dk-aarhus", "DK", "en", "e-mobility, home care",
                           "Electric bikes and charging for home care staff", True)
    out.append(("Profile form", "`profile` (in the personal chat)",
                _cards([teams_forms.profile_form("en", member, "Aarhus Kommune")])))
    out.append(("Challenge form", "`challenge`", _cards([teams_forms.challenge_form(
        "en", [UDBUD, Channel("19:general@thread.tacv2", "General")], UDBUD.id)])))
    return out


async def _all(core: Workflows) -> tuple[list[tuple[str, str, list[str]]], list[tuple[str, str, list[str]]]]:
    return await scenes(core), await teams_scenes(core)


def markdown(found: list[tuple[str, str, list[str]]]) -> str:
    """The previews as Markdown sections with fenced text blocks."""
    parts = []
    for title, where, lines in found:
        body = "\n".join(line.rstrip() for line in lines)
        parts.append(f"#### {title}\n\n*{where}*\n\n```text\n{body}\n```\n")
    return "\n".join(parts)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help=f"update the previews in {DOC.relative_to(ROOT)}")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        settings = load_settings(environ={}, overrides={"data_dir": Path(scratch), "matching": {"embed_limit": 0},
                                                        "workflows": {"brokers": ["UBROKER", "aad-anna"]}})
        database = Database(settings.resolved_database_url)
        core = Workflows(settings, ConversationStore(database), MatchService(settings, database), slack_mention)
        found, teams_found = asyncio.run(_all(core))
        texts = [markdown(found), markdown(teams_found)]
        database.dispose()
    today, week_ago = utcnow(), utcnow() - timedelta(days=7)  # stable dates in the committed previews
    for number, text in enumerate(texts):
        text = text.replace(f"{today:%Y-%m-%d}", "2026-05-04").replace(f"{week_ago:%Y-%m-%d}", "2026-04-27")
        texts[number] = re.sub(r"(2026-05-04) \d{2}:\d{2}", r"\1 09:30", text)
    if not args.write:
        print("\n".join(texts))
        return 0
    doc = DOC.read_text(encoding="utf-8")
    for (start, end), text in zip(((START, END), (TEAMS_START, TEAMS_END)), texts, strict=True):
        if start not in doc or end not in doc:
            print(f"{DOC} has no {start} … {end} block", file=sys.stderr)
            return 1
        head, rest = doc.split(start, 1)
        doc = f"{head}{start}\n{text}\n{end}{rest.split(end, 1)[1]}"
    DOC.write_text(doc, encoding="utf-8")
    print(f"previews written to {DOC}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
