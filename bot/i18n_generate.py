"""User-facing strings of generated answers in Danish, Swedish, German and English."""

from __future__ import annotations

GENERATE_STRINGS: dict[str, dict[str, str]] = {
    "generated_repaired": {
        "da": "Enkelte sætninger i svaret er fjernet, fordi kilderne ikke understøttede dem.",
        "sv": "Några meningar i svaret har tagits bort eftersom källorna inte stödde dem.",
        "de": "Einzelne Sätze der Antwort wurden entfernt, weil die Quellen sie nicht stützten.",
        "en": "Some sentences of the answer were removed because the sources did not support them.",
    },
    "generated_partly": {
        "da": "Kilderne dækker kun en del af spørgsmålet; spørg en udbudsjurist om resten.",
        "sv": "Källorna täcker bara en del av frågan; fråga en upphandlingsjurist om resten.",
        "de": "Die Quellen decken die Frage nur teilweise ab; fragen Sie zum Rest eine Vergaberechtlerin.",
        "en": "The sources cover only part of the question; ask a procurement lawyer about the rest.",
    },
    "generated_replaced": {
        "da": "Det skrevne svar kunne ikke efterprøves mod kilderne; her er de citerede bestemmelser i stedet.",
        "sv": "Det skrivna svaret kunde inte kontrolleras mot källorna; här är de citerade bestämmelserna i stället.",
        "de": "Die formulierte Antwort ließ sich nicht an den Quellen prüfen; hier stattdessen die Bestimmungen.",
        "en": "The written answer could not be checked against the sources; here are the provisions instead.",
    },
    "generated_unavailable": {
        "da": "Sprogmodellen svarer ikke lige nu; her er de citerede bestemmelser i stedet.",
        "sv": "Språkmodellen svarar inte just nu; här är de citerade bestämmelserna i stället.",
        "de": "Das Sprachmodell antwortet gerade nicht; hier stattdessen die zitierten Bestimmungen.",
        "en": "The language model is not answering right now; here are the quoted provisions instead.",
    },
    "sources": {
        "da": "Kilder",
        "sv": "Källor",
        "de": "Quellen",
        "en": "Sources",
    },
}
