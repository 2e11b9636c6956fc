"""Conversation state shared by every chat surface: de-duplication, thread history, feedback, profiles."""

from bot.conversations.store import ConversationStore, Place, Profile, Turn

__all__ = ["ConversationStore", "Place", "Profile", "Turn"]
