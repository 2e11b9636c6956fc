"""Strings of the broker workflows' core (roles, refusals, pushes, intros, challenges, digests) in da/sv/de/en.

Merged into ``bot.i18n``; plain text with ``{fields}`` and backticks, so every platform can render them.
"""

from __future__ import annotations

WORKFLOW_STRINGS: dict[str, dict[str, str]] = {
    "role_broker_only": {"da": "Kun mæglere kan {action}.", "sv": "Bara mäklare kan {action}.",
                         "de": "Nur Broker können {action}.", "en": "Only brokers can {action}."},
    "role_admin_only": {"da": "Kun administratorer kan {action}.", "sv": "Bara administratörer kan {action}.",
                        "de": "Nur Administratoren können {action}.", "en": "Only administrators can {action}."},
    "role_member_only": {"da": "Kun netværkets medlemmer kan {action}.",
                         "sv": "Bara nätverkets medlemmar kan {action}.",
                         "de": "Nur Mitglieder des Netzwerks können {action}.",
                         "en": "Only network members can {action}."},
    "role_ask": {"da": "Spørg {who}.", "sv": "Fråga {who}.", "de": "Fragen Sie {who}.", "en": "Please ask {who}."},
    "role_nobody": {
        "da": "Der er endnu ikke udpeget nogen mægler: en administrator tilføjer dem under `workflows.brokers` "
        "i app.yaml.",
        "sv": "Ingen mäklare är utsedd ännu: en administratör lägger till dem under `workflows.brokers` i app.yaml.",
        "de": "Es ist noch kein Broker eingetragen: Eine Administratorin ergänzt sie unter `workflows.brokers` "
        "in app.yaml.",
        "en": "No broker is configured yet: an administrator adds them under `workflows.brokers` in app.yaml.",
    },
    "act_push": {"da": "sende forslag ud i kanaler", "sv": "skicka förslag till kanaler",
                 "de": "Vorschläge in Kanäle senden", "en": "push matches into channels"},
    "act_intros": {"da": "se og opdatere anmodninger om introduktion",
                   "sv": "se och uppdatera introduktionsförfrågningar",
                   "de": "Vorstellungsanfragen sehen und bearbeiten", "en": "see and update intro requests"},
    "act_intro": {"da": "bede om introduktioner", "sv": "be om introduktioner", "de": "Vorstellungen anfragen",
                  "en": "request intros"},
    "act_challenge": {"da": "offentliggøre udfordringer", "sv": "publicera utmaningar",
                      "de": "Herausforderungen veröffentlichen", "en": "publish challenges"},
    "act_interest": {"da": "melde interesse for udfordringer", "sv": "anmäla intresse för utmaningar",
                     "de": "Interesse an Herausforderungen melden", "en": "register interest in challenges"},
    "act_interest_list": {"da": "se, hvem der er interesseret", "sv": "se vem som är intresserad",
                          "de": "sehen, wer interessiert ist", "en": "see who is interested"},
    "refusal_not_in_channel": {
        "da": "Jeg er ikke med i {channel}, så jeg kan ikke skrive der. Invitér mig med `/invite @innobroker` i "
        "kanalen, og prøv igen.",
        "sv": "Jag är inte med i {channel}, så jag kan inte skriva där. Bjud in mig med `/invite @innobroker` i "
        "kanalen och försök igen.",
        "de": "Ich bin nicht in {channel} und kann dort nicht posten. Laden Sie mich mit `/invite @innobroker` in "
        "den Kanal ein und versuchen Sie es erneut.",
        "en": "I'm not in {channel}, so I can't post there. Invite me with `/invite @innobroker` in that channel, "
        "then try again.",
    },
    "refusal_unknown_channel": {
        "da": "Jeg kan ikke finde kanalen {channel}. Er den privat, så invitér mig først (`/invite @innobroker`).",
        "sv": "Jag hittar inte kanalen {channel}. Är den privat, bjud in mig först (`/invite @innobroker`).",
        "de": "Ich finde den Kanal {channel} nicht. Ist er privat, laden Sie mich zuerst ein (`/invite @innobroker`).",
        "en": "I can't find the channel {channel}. If it is private, invite me first (`/invite @innobroker`).",
    },
    "refusal_post_failed": {
        "da": "Jeg kunne ikke skrive i {channel} ({error}); intet blev sendt.",
        "sv": "Jag kunde inte skriva i {channel} ({error}); inget skickades.",
        "de": "Ich konnte nicht in {channel} posten ({error}); nichts wurde gesendet.",
        "en": "Posting to {channel} failed ({error}); nothing was sent.",
    },
    "push_need_missing": {"da": "Skriv behovet efter kanalen.", "sv": "Skriv behovet efter kanalen.",
                          "de": "Schreiben Sie den Bedarf nach dem Kanal.", "en": "Write the need after the channel."},
    "push_empty": {
        "da": "Ingen leverandører eller ordregivere passer til behovet, så intet blev sendt.",
        "sv": "Inga leverantörer eller köpare passar behovet, så inget skickades.",
        "de": "Keine Anbieter oder Auftraggeber passen zu dem Bedarf; es wurde nichts gesendet.",
        "en": "No suppliers or peer buyers match that need, so nothing was pushed.",
    },
    "push_duplicate": {
        "da": "Allerede sendt til {channel} af {who} den {date}: det samme forslag sendes ikke to gange til en kanal "
        "inden for {window}.",
        "sv": "Redan skickat till {channel} av {who} den {date}: samma förslag skickas inte två gånger till en kanal "
        "inom {window}.",
        "de": "Bereits am {date} von {who} an {channel} gesendet: Derselbe Vorschlag geht innerhalb von {window} "
        "nicht zweimal an einen Kanal.",
        "en": "Already pushed to {channel} by {who} on {date}: the same suggestion is not pushed to a channel twice "
        "within {window}.",
    },
    "days": {"da": "{n} dage", "sv": "{n} dagar", "de": "{n} Tagen", "en": "{n} days"},
    "peers_usage": {"da": "Skriv et emne, fx `peers elcykler til hjemmeplejen`.",
                    "sv": "Skriv ett ämne, t.ex. `peers elcyklar till hemtjänsten`.",
                    "de": "Nennen Sie ein Thema, z. B. `peers E-Bikes für die Pflege`.",
                    "en": "Give a topic, e.g. `peers e-bikes for home care`."},
    "intro_not_found": {"da": "Den anmodning om introduktion findes ikke længere.",
                        "sv": "Den introduktionsförfrågan finns inte längre.",
                        "de": "Diese Vorstellungsanfrage gibt es nicht mehr.",
                        "en": "That intro request no longer exists."},
    "ch_invalid": {"da": "Udfordringen er ikke udfyldt korrekt.", "sv": "Utmaningen är inte korrekt ifylld.",
                   "de": "Die Herausforderung ist nicht vollständig ausgefüllt.",
                   "en": "The challenge is not filled in correctly."},
    "ch_not_found": {"da": "Den udfordring findes ikke længere.", "sv": "Den utmaningen finns inte längre.",
                     "de": "Diese Herausforderung gibt es nicht mehr.", "en": "That challenge no longer exists."},
    "ch_err_required": {"da": "Skal udfyldes.", "sv": "Måste fyllas i.", "de": "Pflichtfeld.", "en": "Required."},
    "ch_err_long": {"da": "Højst {limit} tegn.", "sv": "Högst {limit} tecken.", "de": "Höchstens {limit} Zeichen.",
                    "en": "At most {limit} characters."},
    "ch_err_budget": {"da": "Skriv et beløb, fx 50000 eller 50k.", "sv": "Ange ett belopp, t.ex. 50000 eller 50k.",
                      "de": "Bitte einen Betrag, z. B. 50000 oder 50k.", "en": "Give an amount, e.g. 50000 or 50k."},
    "ch_err_budget_order": {"da": "Øvre grænse er lavere end nedre grænse.",
                            "sv": "Övre gränsen är lägre än den undre.",
                            "de": "Die Obergrenze liegt unter der Untergrenze.",
                            "en": "The upper bound is below the lower bound."},
    "ch_err_currency": {"da": "Brug en valutakode på tre bogstaver, fx DKK.",
                        "sv": "Ange en valutakod med tre bokstäver, t.ex. SEK.",
                        "de": "Bitte einen dreistelligen Währungscode, z. B. EUR.",
                        "en": "Use a three-letter currency code, e.g. EUR."},
    "ch_err_cpv": {"da": "Ikke en CPV-kode: {code} (8 cifre, fx 38000000).",
                   "sv": "Ingen CPV-kod: {code} (8 siffror, t.ex. 38000000).",
                   "de": "Kein CPV-Code: {code} (8 Ziffern, z. B. 38000000).",
                   "en": "Not a CPV code: {code} (8 digits, e.g. 38000000)."},
    "ch_err_channel": {"da": "Vælg en kanal.", "sv": "Välj en kanal.", "de": "Bitte einen Kanal wählen.",
                       "en": "Choose a channel."},
    "digest_title": {"da": "Ugens overblik for {channel}", "sv": "Veckans sammanfattning för {channel}",
                     "de": "Wochenüberblick für {channel}", "en": "Weekly digest for {channel}"},
    "digest_period": {"da": "{since} – {until}", "sv": "{since} – {until}", "de": "{since} – {until}",
                      "en": "{since} – {until}"},
    "digest_challenges": {"da": "Nye udfordringer", "sv": "Nya utmaningar", "de": "Neue Herausforderungen",
                          "en": "New challenges"},
    "digest_matches": {"da": "Forslag sendt til kanalen", "sv": "Förslag som skickats till kanalen",
                       "de": "In den Kanal gesendete Vorschläge", "en": "Matches pushed to the channel"},
    "digest_interested": {"da": "{n} interesserede", "sv": "{n} intresserade", "de": "{n} Interessierte",
                          "en": "{n} interested"},
    "digest_intros": {"da": "{n} anmodninger om introduktion", "sv": "{n} introduktionsförfrågningar",
                      "de": "{n} Vorstellungsanfragen", "en": "{n} intro requests"},
    "digest_empty": {"da": "Intet nyt siden {since}.", "sv": "Inget nytt sedan {since}.",
                     "de": "Nichts Neues seit {since}.", "en": "Nothing new since {since}."},
}
