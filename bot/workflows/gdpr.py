"""Erasure of a person's data (GDPR art. 17): ``innobroker forget USER`` removes it all in one transaction.

Removed: profiles (with interests, needs, consent), the person's own turns and all feedback on them, the person's
feedback, intro requests and "not relevant" verdicts elsewhere, and interest in challenges. Records that belong to
the network rather than the person — pushes a broker made, challenges a buyer published, intro requests a broker
handled — are kept but no longer name the person (user id and e-mail are blanked). The references of the person's
personal chats with the Teams app (``teams_conversations``) are removed too; channel and group chat references
belong to the conversation and are kept.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, delete, false, func, select, update
from sqlalchemy.orm import InstrumentedAttribute

from bot.conversations.models import FeedbackRow, ProfileRow, TurnRow
from bot.db import Database
from bot.handlers.teams.references import TeamsConversationRow
from bot.workflows.models import ChallengeRow, InterestRow, PushRow
from bot.workflows.types import Erasure

FORGOTTEN = "(forgotten)"


class _DryRun(Exception):
    """Raised to roll a dry run back."""


def forget(database: Database, person: str, platform: str | None = None, workspace: str | None = None,
           dry_run: bool = False) -> Erasure:
    """Delete (or, with ``dry_run``, only count) everything stored about ``person`` (a user id or e-mail address).

    Returns the user ids that were matched and, per kind of record, how many rows were removed or anonymised.
    """
    result = Erasure([], {}, dry_run)
    try:
        with database.transaction() as session:
            ids = {person}
            if "@" in person:
                pushed = select(PushRow.user_id).where(func.lower(PushRow.user_email) == person.casefold())
                published = select(ChallengeRow.user_id).where(func.lower(ChallengeRow.user_email) == person.casefold())
                ids |= set(session.scalars(pushed)) | set(session.scalars(published))
            ids.discard("")

            def scope(platform_column: InstrumentedAttribute[str],
                      workspace_column: InstrumentedAttribute[str]) -> list[ColumnElement[bool]]:
                clauses = []
                if platform is not None:
                    clauses.append(platform_column == platform)
                if workspace is not None:
                    clauses.append(workspace_column == workspace)
                return clauses

            def where(platform_column: InstrumentedAttribute[str], workspace_column: InstrumentedAttribute[str],
                      user_column: InstrumentedAttribute[str]) -> list[ColumnElement[bool]]:
                return [user_column.in_(ids), *scope(platform_column, workspace_column)]

            own_turns = select(TurnRow.id).where(*where(TurnRow.platform, TurnRow.workspace, TurnRow.user_id))
            feedback_scope = [FeedbackRow.user_id.in_(ids)]
            if platform is not None or workspace is not None:
                feedback_scope.append(FeedbackRow.turn_id.in_(
                    select(TurnRow.id).where(*scope(TurnRow.platform, TurnRow.workspace))))
            counts = {
                "profiles": session.execute(delete(ProfileRow).where(
                    *where(ProfileRow.platform, ProfileRow.workspace, ProfileRow.user_id))),
                "feedback_on_their_turns": session.execute(delete(FeedbackRow).where(
                    FeedbackRow.turn_id.in_(own_turns), FeedbackRow.user_id.not_in(ids))),
                "feedback_and_intros": session.execute(delete(FeedbackRow).where(*feedback_scope)),
                "turns": session.execute(delete(TurnRow).where(
                    *where(TurnRow.platform, TurnRow.workspace, TurnRow.user_id))),
                "challenge_interest": session.execute(delete(InterestRow).where(
                    *where(InterestRow.platform, InterestRow.workspace, InterestRow.user_id))),
                "pushes_anonymised": session.execute(update(PushRow).where(
                    *where(PushRow.platform, PushRow.workspace, PushRow.user_id)).values(
                        user_id=FORGOTTEN, user_email=None)),
                "challenges_anonymised": session.execute(update(ChallengeRow).where(
                    *where(ChallengeRow.platform, ChallengeRow.workspace, ChallengeRow.user_id)).values(
                        user_id=FORGOTTEN, user_email=None)),
                "intros_handled_anonymised": session.execute(update(FeedbackRow).where(
                    FeedbackRow.handled_by.in_(ids)).values(handled_by=FORGOTTEN)),
                "teams_personal_chats": session.execute(delete(TeamsConversationRow).where(
                    TeamsConversationRow.kind == "personal", TeamsConversationRow.user_id.in_(ids),
                    *([TeamsConversationRow.tenant_id == workspace] if workspace is not None else []),
                    *([] if platform in (None, "teams") else [false()]))),
            }
            removed = {name: int(getattr(done, "rowcount", 0) or 0) for name, done in counts.items()}
            result = Erasure(sorted(ids), removed, dry_run)
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    return result
