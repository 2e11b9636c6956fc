"""Strings only the Teams surface needs (progress, long-running notes, the need form command, the broker
workflows' Teams wording: channels the app is installed in, personal chats) in da/sv/de/en.

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
    "teams_push_usage": {
        "da": "Skriv `push #kanal behov` (eller @nævn kanalen), fx `push #Udbud tekstilgenbrug`.",
        "sv": "Skriv `push #kanal behov` (eller @nämn kanalen), t.ex. `push #Upphandling textilåtervinning`.",
        "de": "Schreiben Sie `push #Kanal Bedarf` (oder @erwähnen Sie den Kanal), z. B. `push #Einkauf "
        "Textilrecycling`.",
        "en": "Write `push #channel need` (or @mention the channel), e.g. `push #Procurement textile recycling`.",
    },
    "teams_not_installed": {
        "da": "Jeg er ikke installeret i {channel}, så jeg kan ikke skrive der. Tilføj innobroker til teamet "
        "(eller @nævn mig én gang i kanalen), og prøv igen.",
        "sv": "Jag är inte installerad i {channel}, så jag kan inte skriva där. Lägg till innobroker i teamet "
        "(eller @nämn mig en gång i kanalen) och försök igen.",
        "de": "Ich bin in {channel} nicht installiert und kann dort nicht posten. Fügen Sie innobroker dem Team hinzu "
        "(oder @erwähnen Sie mich einmal im Kanal) und versuchen Sie es erneut.",
        "en": "I'm not installed in {channel}, so I can't post there. Add innobroker to that team (or @mention me "
        "in the channel once), then try again.",
    },
    "teams_unknown_channel": {
        "da": "Jeg kender ingen kanal, der hedder {channel}. @Nævn mig én gang i kanalen (eller tilføj mig til "
        "teamet), og prøv igen.",
        "sv": "Jag känner inte till någon kanal som heter {channel}. @Nämn mig en gång i kanalen (eller lägg till "
        "mig i teamet) och försök igen.",
        "de": "Ich kenne keinen Kanal namens {channel}. @Erwähnen Sie mich einmal im Kanal (oder fügen Sie mich dem "
        "Team hinzu) und versuchen Sie es erneut.",
        "en": "I don't know a channel called {channel}. @mention me in that channel once (or add me to its team), "
        "then try again.",
    },
    "teams_private_sent": {"da": "Jeg har sendt det til vores personlige chat.",
                           "sv": "Jag har skickat det till vår personliga chatt.",
                           "de": "Ich habe es Ihnen in unseren persönlichen Chat geschickt.",
                           "en": "I've sent it to our personal chat."},
    "teams_private_missing": {
        "da": "Det hører til i en personlig chat: åbn innobroker under Apps, og skriv `{command}` der.",
        "sv": "Det hör hemma i en personlig chatt: öppna innobroker under Appar och skriv `{command}` där.",
        "de": "Das gehört in einen persönlichen Chat: Öffnen Sie innobroker unter Apps und schreiben Sie dort "
        "`{command}`.",
        "en": "That belongs in a personal chat: open innobroker under Apps and write `{command}` there.",
    },
    "teams_no_channels": {
        "da": "Jeg er ikke med i nogen kanal endnu: tilføj innobroker til et team, og prøv igen.",
        "sv": "Jag är inte med i någon kanal ännu: lägg till innobroker i ett team och försök igen.",
        "de": "Ich bin noch in keinem Kanal: Fügen Sie innobroker einem Team hinzu und versuchen Sie es erneut.",
        "en": "I'm not in any channel yet: add innobroker to a team, then try again.",
    },
    "teams_help_brokers": {"da": "åbne anmodninger om introduktion og udfald (mæglere)",
                           "sv": "öppna introduktionsförfrågningar och utfall (mäklare)",
                           "de": "offene Vorstellungsanfragen und Ergebnisse (Broker)",
                           "en": "open intro requests and outcomes (brokers)"},
    "teams_consent_withdraw": {"da": "Træk samtykke tilbage", "sv": "Återkalla samtycke",
                               "de": "Einwilligung widerrufen", "en": "Withdraw consent"},
    "teams_consent_withdrawn": {
        "da": "Samtykket er trukket tilbage: andre medlemmer ser ikke længere dit navn.",
        "sv": "Samtycket är återkallat: andra medlemmar ser inte längre ditt namn.",
        "de": "Einwilligung widerrufen: Andere Mitglieder sehen Ihren Namen nicht mehr.",
        "en": "Consent withdrawn: other members no longer see your name.",
    },
    "teams_consent_current": {"da": "Du deler i dag din kontakt med andre medlemmer.",
                              "sv": "Du delar i dag din kontakt med andra medlemmar.",
                              "de": "Sie geben Ihren Kontakt derzeit für andere Mitglieder frei.",
                              "en": "You currently share your contact with other members."},
}
