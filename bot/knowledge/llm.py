"""Chat models behind one small protocol: OpenAI, Azure OpenAI or any OpenAI-compatible server (Ollama, vLLM).

Only LangChain's OpenAI integration talks to the network. The OpenAI client retries 408/409/429/5xx and connection
errors with exponential backoff (honouring ``Retry-After``) up to ``max_retries`` times; every failure that is left
reaches the caller as one ``LLMError`` with a short ``kind``, so callers can fall back to the extractive answer.
Tokens are never counted with tiktoken (it downloads encodings): budgets are estimated from characters.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from bot.config import LLMSettings

CHARS_PER_TOKEN = 4


@dataclass(frozen=True)
class ChatMessage:
    """One message of a chat prompt."""

    role: Literal["system", "user", "assistant"]
    content: str


class LLMError(RuntimeError):
    """The model could not answer; ``kind`` is one of timeout, rate_limited, http_<status>, unreachable, malformed."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


class ChatModel(Protocol):
    """Writes a reply to a chat prompt, whole or as a stream of text pieces."""

    name: str

    def complete(self, messages: Sequence[ChatMessage]) -> str:
        """The whole reply (blocking)."""
        ...

    def stream(self, messages: Sequence[ChatMessage]) -> AsyncIterator[str]:
        """The reply as it is written."""
        ...


def estimate_tokens(text: str) -> int:
    """A tokenizer-free estimate (about four characters per token for our languages)."""
    return len(text) // CHARS_PER_TOKEN + 1


def classify(exc: BaseException) -> LLMError:
    """Map a client or transport exception to an ``LLMError``."""
    import openai

    if isinstance(exc, LLMError):
        return exc
    if isinstance(exc, openai.APITimeoutError | TimeoutError):
        return LLMError("timeout", f"the model did not answer in time: {exc}")
    if isinstance(exc, openai.RateLimitError):
        return LLMError("rate_limited", f"the model is rate limited: {exc}")
    if isinstance(exc, openai.APIStatusError):
        return LLMError(f"http_{exc.status_code}", f"the model endpoint refused: {exc}")
    if isinstance(exc, openai.APIConnectionError):
        return LLMError("unreachable", f"the model endpoint is unreachable: {exc}")
    if isinstance(exc, json.JSONDecodeError | openai.APIResponseValidationError | ValueError | KeyError | TypeError):
        return LLMError("malformed", f"the model endpoint sent a malformed response: {exc}")
    return LLMError("error", f"the model call failed: {type(exc).__name__}: {exc}")


def _text(content: Any) -> str:
    """Message content as text (a string, or a list of content parts)."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(p if isinstance(p, str) else str(p.get("text", "")) for p in content if p)
    return ""


class OpenAIChatModel:
    """A chat model reached through ``langchain_openai`` (ChatOpenAI or AzureChatOpenAI)."""

    def __init__(self, settings: LLMSettings) -> None:
        from langchain_openai import AzureChatOpenAI, ChatOpenAI

        key = settings.api_key.get_secret_value() if settings.api_key else "not-needed"
        common: dict[str, Any] = {"temperature": settings.temperature, "timeout": settings.timeout_s,
                                  "max_retries": settings.max_retries}
        self._client: Any
        if settings.provider == "azure":
            deployment = settings.deployment or settings.model
            self._client = AzureChatOpenAI(
                azure_endpoint=settings.base_url, azure_deployment=deployment, api_version=settings.api_version,
                api_key=key, max_completion_tokens=settings.max_output_tokens, **common)  # type: ignore[arg-type]
            self.name = f"azure/{deployment}"
        else:
            # OpenAI takes ``max_completion_tokens``; Ollama, vLLM and LM Studio all understand ``max_tokens``.
            budget: dict[str, Any] = (
                {"extra_body": {"max_tokens": settings.max_output_tokens}} if settings.provider == "compatible"
                else {"max_completion_tokens": settings.max_output_tokens})
            self._client = ChatOpenAI(
                model=settings.model, base_url=settings.base_url, api_key=key,  # type: ignore[arg-type]
                use_responses_api=False, **budget, **common)
            self.name = f"{settings.provider}/{settings.model}"

    @staticmethod
    def _messages(messages: Sequence[ChatMessage]) -> list[Any]:
        from langchain_core.messages import AIMessage, HumanMessage, SystemMessage

        kinds = {"system": SystemMessage, "user": HumanMessage, "assistant": AIMessage}
        return [kinds[m.role](content=m.content) for m in messages]

    def complete(self, messages: Sequence[ChatMessage]) -> str:
        """Send the prompt and return the whole reply."""
        try:
            return _text(self._client.invoke(self._messages(messages)).content)
        except Exception as exc:
            raise classify(exc) from exc

    async def stream(self, messages: Sequence[ChatMessage]) -> AsyncIterator[str]:
        """Send the prompt and yield the reply's text as the server streams it."""
        try:
            async for chunk in self._client.astream(self._messages(messages)):
                text = _text(chunk.content)
                if text:
                    yield text
        except Exception as exc:
            raise classify(exc) from exc


def make_chat_model(settings: LLMSettings) -> ChatModel | None:
    """The configured model, or None for ``llm.provider: none``."""
    return OpenAIChatModel(settings) if settings.enabled else None
