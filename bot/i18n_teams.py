"""Strings only the Teams surface needs (progress, long-running notes, the need form command) in da/sv/de/en.

Merged into ``bot.i18n``; the Teams cards reuse the shared chat and form strings for everything else.
"""

from __future__ import annotations

TEAMS_STRINGS: dict[str, dict[str, str]] = {
    "teams_working": {
        "da": "Søger i kilderne og kataloget …", "sv": "Söker i källorna och katalogen …",
        "de": "Durchsuche die Quellen und das Verzeichnis …", "en": "Searching the sources and the directory…",
    },
    "teams_still_working": {
        "da": "Det tager længere tid end normalt – jeg skriver resultatet her, så snart det er klar.",
        "sv": "Det tar längre tid än vanligt – jag skriver resultatet här så snart det är klart.",
        "de": "Das dauert länger als sonst – ich poste das Ergebnis hier, sobald es fertig ist.",
        "en": "This is taking longer than usual – I'll post the result here as soon as it is ready.",
    },
    "teams_help_form": {
        "da": "åbn en formular og beskriv et behov", "sv": "öppna ett formulär och beskriv ett behov",
        "de": "ein Formular öffnen und einen Bedarf beschreiben", "en": "open a form to describe a need",
    },
    "teams_need_empty": {
        "da": "Beskriv behovet med et par ord.", "sv": "Beskriv behovet med några ord.",
        "de": "Beschreiben Sie den Bedarf in ein paar Worten.", "en": "Describe the need in a few words.",
    },
}
