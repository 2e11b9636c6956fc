"""User-facing strings in Danish, Swedish, German and English."""

from __future__ import annotations

from bot.i18n_broker import BROKER_STRINGS
from bot.i18n_chat import CHAT_STRINGS
from bot.i18n_forms import FORM_STRINGS
from bot.i18n_generate import GENERATE_STRINGS
from bot.i18n_teams import TEAMS_STRINGS
from bot.i18n_workflows import WORKFLOW_STRINGS

_STRINGS: dict[str, dict[str, str]] = {
    "intro": {
        "da": "Disse bestemmelser i kilderne dækker bedst dit spørgsmål:",
        "sv": "Dessa bestämmelser i källorna täcker bäst din fråga:",
        "de": "Diese Bestimmungen aus den Quellen passen am besten zu Ihrer Frage:",
        "en": "These provisions in the sources best cover your question:",
    },
    "abstain": {
        "da": "Det kan jeg ikke svare på ud fra mine kilder: de dækker ikke spørgsmålet. "
        "Prøv at omformulere det, eller spørg en udbudsjurist.",
        "sv": "Det kan jag inte svara på utifrån mina källor: de täcker inte frågan. "
        "Försök formulera om den, eller fråga en upphandlingsjurist.",
        "de": "Das kann ich aus meinen Quellen nicht beantworten: Sie decken die Frage nicht ab. "
        "Formulieren Sie die Frage um oder wenden Sie sich an eine Vergaberechtlerin.",
        "en": "I can't answer that from my sources: they do not cover the question. "
        "Try rephrasing it, or ask a procurement lawyer.",
    },
    "disclaimer": {
        "da": "Dette er ikke juridisk rådgivning; læs altid de citerede kilder.",
        "sv": "Detta är inte juridisk rådgivning; läs alltid de citerade källorna.",
        "de": "Dies ist keine Rechtsberatung; prüfen Sie stets die zitierten Quellen.",
        "en": "This is not legal advice; always read the cited sources.",
    },
    "in_short": {
        "da": "Kort fortalt (innobrokers oversættelse)",
        "sv": "Kort sagt (innobrokers översättning)",
        "de": "Kurz gesagt (Übersetzung von innobroker)",
        "en": "In short (innobroker's translation)",
    },
    "closest": {
        "da": "Nærmeste fund (svagt match):",
        "sv": "Närmaste träffar (svag matchning):",
        "de": "Nächstliegende Treffer (schwache Übereinstimmung):",
        "en": "Closest passages (weak match):",
    },
    "chat_welcome": {
        "da": "innobroker – spørg om udbudsreglerne eller beskriv et behov. 'help' viser hjælp, 'exit' afslutter.",
        "sv": "innobroker – fråga om upphandlingsreglerna eller beskriv ett behov. "
              "'help' visar hjälp, 'exit' avslutar.",
        "de": "innobroker – fragen Sie zum Vergaberecht oder beschreiben Sie einen Bedarf. "
              "'help' hilft, 'exit' beendet.",
        "en": "innobroker – ask about procurement rules or describe a need. Type 'help' for help, 'exit' to quit.",
    },
    "chat_help": {
        "da": "Skriv et spørgsmål om reglerne (svar med kilder), et behov (`match: ...`: leverandører og andre "
              "ordregivere) eller `peers: emne` for ordregivere med lignende indkøb. Spørgsmål i samme samtale "
              "bygger på det forrige.",
        "sv": "Skriv en fråga om reglerna (svar med källor), ett behov (`match: ...`: leverantörer och andra köpare) "
              "eller `peers: ämne` för köpare med liknande upphandlingar. Följdfrågor bygger på den förra frågan.",
        "de": "Schreiben Sie eine Frage zum Vergaberecht (Antwort mit Quellen), einen Bedarf (`match: ...`: Anbieter "
              "und andere Auftraggeber) oder `peers: Thema` für Auftraggeber mit ähnlichen Beschaffungen. "
              "Nachfragen bauen auf der vorigen Frage auf.",
        "en": "Type a rule question (answered with sources), a need (`match: ...`: suppliers and peer buyers) or "
              "`peers: topic` for buyers with similar procurements. Follow-ups build on the previous question.",
    },
}

# The chat surfaces' strings live in their own modules to keep each file readable.
_STRINGS |= CHAT_STRINGS | FORM_STRINGS | TEAMS_STRINGS
_STRINGS |= GENERATE_STRINGS
_STRINGS |= WORKFLOW_STRINGS | BROKER_STRINGS


def t(key: str, language: str) -> str:
    """Translate ``key`` into ``language``, falling back to English."""
    entry = _STRINGS[key]
    return entry.get(language, entry["en"])
