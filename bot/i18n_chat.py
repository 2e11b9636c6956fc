"""Strings of the chat surfaces' conversations (replies, feedback, errors) in da/sv/de/en; merged into ``bot.i18n``.

Plain text with ``{fields}`` for ``str.format`` and backticks for literal input, so every platform can render them.
"""

from __future__ import annotations

CHAT_STRINGS: dict[str, dict[str, str]] = {
    "understood_ask": {
        "da": "Forstået som et spørgsmål om reglerne", "sv": "Uppfattat som en fråga om reglerna",
        "de": "Verstanden als Frage zu den Vergaberegeln", "en": "Understood as a rule question",
    },
    "understood_match": {
        "da": "Forstået som et behov: leverandører og andre ordregivere, der kan hjælpe",
        "sv": "Uppfattat som ett behov: leverantörer och andra köpare som kan hjälpa",
        "de": "Verstanden als Bedarf: Anbieter und andere Auftraggeber, die helfen können",
        "en": "Understood as a need: suppliers and peer buyers who can help",
    },
    "understood_peers": {
        "da": "Forstået som en søgning efter andre ordregivere", "sv": "Uppfattat som en sökning efter andra köpare",
        "de": "Verstanden als Suche nach anderen Auftraggebern", "en": "Understood as a search for peer buyers",
    },
    "understood_help": {
        "da": "Forstået som et ønske om hjælp", "sv": "Uppfattat som en begäran om hjälp",
        "de": "Verstanden als Bitte um Hilfe", "en": "Understood as a request for help",
    },
    "followup": {
        "da": "opfølgning på “{previous}”", "sv": "uppföljning av ”{previous}”",
        "de": "Nachfrage zu „{previous}“", "en": "follow-up to “{previous}”",
    },
    "switch_hint": {
        "da": "Ikke det, du mente? Start med `match:`, `peers:` eller `ask:`",
        "sv": "Inte vad du menade? Börja med `match:`, `peers:` eller `ask:`",
        "de": "Nicht gemeint? Beginnen Sie mit `match:`, `peers:` oder `ask:`",
        "en": "Not what you meant? Start with `match:`, `peers:` or `ask:`",
    },
    "thinking": {"da": "tænker …", "sv": "tänker …", "de": "denkt nach …", "en": "is thinking…"},
    "working": {
        "da": "⏳ {what} – et øjeblik …", "sv": "⏳ {what} – ett ögonblick …",
        "de": "⏳ {what} – einen Moment …", "en": "⏳ {what} – one moment…",
    },
    "cpv": {"da": "Sandsynlige CPV-koder", "sv": "Troliga CPV-koder", "de": "Wahrscheinliche CPV-Codes",
            "en": "Likely CPV codes"},
    "suppliers": {"da": "Leverandører", "sv": "Leverantörer", "de": "Anbieter", "en": "Suppliers"},
    "peers": {
        "da": "Ordregivere, der har købt noget lignende", "sv": "Köpare som har upphandlat något liknande",
        "de": "Auftraggeber, die Ähnliches beschafft haben", "en": "Buyers who procured something similar",
    },
    "no_suppliers": {
        "da": "Ingen passende leverandører i kataloget.", "sv": "Inga passande leverantörer i katalogen.",
        "de": "Keine passenden Anbieter im Verzeichnis.", "en": "No matching suppliers in the directory.",
    },
    "no_peers": {
        "da": "Ingen andre ordregivere med lignende indkøb i kataloget.",
        "sv": "Inga andra köpare med liknande upphandlingar i katalogen.",
        "de": "Keine anderen Auftraggeber mit ähnlichen Beschaffungen im Verzeichnis.",
        "en": "No other buyers with similar procurements in the directory.",
    },
    "score": {"da": "match {score}", "sv": "matchning {score}", "de": "Treffer {score}", "en": "match {score}"},
    "intro_button": {"da": "Bed om introduktion", "sv": "Be om introduktion", "de": "Vorstellung anfragen",
                     "en": "Request intro"},
    "dismiss_button": {"da": "Ikke relevant", "sv": "Inte relevant", "de": "Nicht relevant", "en": "Not relevant"},
    "helpful_button": {"da": "👍 Nyttigt", "sv": "👍 Användbart", "de": "👍 Hilfreich", "en": "👍 Helpful"},
    "unhelpful_button": {"da": "👎 Ikke nyttigt", "sv": "👎 Inte användbart", "de": "👎 Nicht hilfreich",
                         "en": "👎 Not helpful"},
    "thanks_up": {
        "da": "Tak! Din vurdering er gemt sammen med spørgsmålet.",
        "sv": "Tack! Ditt omdöme har sparats tillsammans med frågan.",
        "de": "Danke! Ihre Bewertung wurde mit der Frage gespeichert.",
        "en": "Thanks! Your feedback was saved with the question.",
    },
    "thanks_down": {
        "da": "Tak, noteret. Fortæl gerne, hvad der var galt.", "sv": "Tack, noterat. Berätta gärna vad som var fel.",
        "de": "Danke, notiert. Sagen Sie uns gern, was falsch war.",
        "en": "Thanks, noted. Please tell us what was wrong.",
    },
    "thanks_details": {
        "da": "Tak! Mæglerne gennemgår svar med 👎.", "sv": "Tack! Mäklarna går igenom svar med 👎.",
        "de": "Danke! Das Broker-Team prüft Antworten mit 👎.", "en": "Thanks! The brokers review 👎 answers.",
    },
    "intro_done": {
        "da": "Anmodning om introduktion til {name} er registreret. En mægler vender tilbage.",
        "sv": "Begäran om introduktion till {name} är registrerad. En mäklare återkommer.",
        "de": "Vorstellungsanfrage für {name} ist erfasst. Ein Broker meldet sich.",
        "en": "Intro to {name} requested. A broker will follow up.",
    },
    "intro_notice": {
        "da": "{user} beder om en introduktion til {name} for behovet: {need}",
        "sv": "{user} ber om en introduktion till {name} för behovet: {need}",
        "de": "{user} bittet um eine Vorstellung bei {name} für den Bedarf: {need}",
        "en": "{user} asks for an intro to {name} for the need: {need}",
    },
    "dismiss_done": {
        "da": "Noteret: {name} er ikke relevant. Tak.", "sv": "Noterat: {name} är inte relevant. Tack.",
        "de": "Notiert: {name} ist nicht relevant. Danke.", "en": "Noted: {name} is not relevant. Thanks.",
    },
    "turn_missing": {
        "da": "Den forespørgsel findes ikke længere.", "sv": "Den förfrågan finns inte längre.",
        "de": "Diese Anfrage ist nicht mehr gespeichert.", "en": "That request is no longer stored.",
    },
    "problem": {
        "da": "Det kunne jeg ikke: {problem}", "sv": "Det kunde jag inte: {problem}",
        "de": "Das ging nicht: {problem}", "en": "I could not do that: {problem}",
    },
    "error": {
        "da": "Beklager, noget gik galt undervejs (reference {ref}). Prøv igen om lidt; "
        "fortæl din mægler, hvis det bliver ved.",
        "sv": "Tyvärr gick något fel (referens {ref}). Försök igen om en stund; "
        "säg till din mäklare om det fortsätter.",
        "de": "Leider ist etwas schiefgegangen (Referenz {ref}). Bitte versuchen Sie es gleich noch einmal; "
        "wenden Sie sich an Ihren Broker, wenn es so bleibt.",
        "en": "Sorry, something went wrong (reference {ref}). Please try again in a moment; "
        "tell your broker if it keeps failing.",
    },
    "post_failed": {
        "da": "Jeg kunne ikke skrive i {channel} ({error}); her er resultatet i stedet.",
        "sv": "Jag kunde inte skriva i {channel} ({error}); här är resultatet i stället.",
        "de": "Ich konnte nicht in {channel} posten ({error}); hier ist das Ergebnis.",
        "en": "I couldn't post in {channel} ({error}); here is the result instead.",
    },
    "shortcut_empty": {
        "da": "Den besked har ingen tekst, jeg kan arbejde med.",
        "sv": "Det meddelandet har ingen text jag kan använda.",
        "de": "Diese Nachricht enthält keinen Text, mit dem ich arbeiten kann.",
        "en": "That message has no text I can work with.",
    },
    "usage": {
        "da": "Skriv noget efter kommandoen, fx `{command} ask Må vi tale med leverandører før udbuddet?`",
        "sv": "Skriv något efter kommandot, t.ex. `{command} ask Hur länge får ett ramavtal gälla?`",
        "de": "Schreiben Sie etwas nach dem Befehl, z. B. `{command} ask Wann gilt der Schwellenwert?`",
        "en": "Write something after the command, e.g. `{command} ask How long may a framework agreement run?`",
    },
    "continued": {"da": "fortsat ({page}/{pages})", "sv": "fortsättning ({page}/{pages})",
                  "de": "Fortsetzung ({page}/{pages})", "en": "continued ({page}/{pages})"},
    "rate_limited": {
        "da": "du sender beskeder hurtigere, end jeg kan nå at svare på dem. Vent {seconds} sekunder, og prøv igen.",
        "sv": "du skickar meddelanden snabbare än jag hinner svara på dem. Vänta {seconds} sekunder och försök igen.",
        "de": "Sie senden Nachrichten schneller, als ich sie beantworten kann. Bitte warten Sie {seconds} Sekunden "
              "und versuchen Sie es dann noch einmal.",
        "en": "you are sending messages faster than I can answer them. Please wait {seconds} seconds and try again.",
    },
}
