## Das Dashboard der Mitarbeiter (functions/score-nps: dashboard.rs, dashboard_texts.rs,
## templates/dashboard.html). API-Pfade und Parameterwerte bleiben in jeder Sprache, wie sie sind.

dashboard-title = Kundenfeedback und Empfehlungen
dashboard-range = Zeitraum
dashboard-show = Anzeigen

## Übersicht und Wochendiagramm.

dashboard-nps = Net Promoter Score
dashboard-margin = Fehlerspanne (95 %)
dashboard-answers = Antworten
dashboard-promoters = Promotoren
dashboard-passives = Passive
dashboard-detractors = Kritiker
dashboard-trend = NPS pro Woche mit Fehlerspanne
dashboard-per-week = Antworten pro Woche
dashboard-no-answers = keine Antworten
dashboard-too-few = zu wenige Antworten (unter 10)
# Ein strftime-Muster.
dashboard-date-format = %d.%m.
dashboard-time-format = %d.%m.%Y %H:%M %Z
dashboard-times-in = Zeiten in { $zone }.

## Kritiker nachfassen.

dashboard-open-detractors = Kritiker nachfassen ({ $count } offen)
dashboard-none-open = Keine offenen oder kontaktierten Kritiker im Zeitraum.
dashboard-more-open = Weitere über GET /responses?follow_up=open (oder contacted).
dashboard-status = Status
dashboard-status-open = offen
dashboard-status-contacted = kontaktiert
dashboard-status-resolved = erledigt
dashboard-note = Notiz
dashboard-save = Speichern
dashboard-changed = geändert
dashboard-order = Bestellung
dashboard-customer = Kunde
dashboard-segment = Segment
dashboard-no-comment = (kein Kommentar)
dashboard-saved = Gespeichert.
dashboard-not-found = Diese Antwort gibt es nicht mehr (gelöscht?).
dashboard-no-follow-up = Diese Antwort hat kein Nachfassen (kein Kritiker).

## Zurückgehaltene Prämien.

dashboard-reviews = Zurückgehaltene Prämien
dashboard-no-reviews = Keine Prämie wartet auf Prüfung.
dashboard-more-reviews = Weitere: GET /reviews?status=open bei reward-referral.
dashboard-referrer = Empfehler
dashboard-friend = Freund
dashboard-held-since = zurückgehalten seit
dashboard-review-hint = Freigeben oder ablehnen: POST /reviews/{"{"}order_id{"}"} bei reward-referral.
dashboard-rule-orders-per-ip = viele Bestellungen von einer IP
dashboard-rule-rewards-per-week = viele Prämien des Empfehlers in einer Woche
dashboard-rule-shipping-address = Lieferadresse des Empfehlers
dashboard-rule-same-name = gleicher Name wie der Empfehler

## Empfehlungsprogramm.

dashboard-funnel = Empfehlungsprogramm
dashboard-codes = Codes erstellt
dashboard-clicks = Klicks
dashboard-claims = Freundesangebote angefordert
dashboard-rewarded = Belohnte Empfehlungen
dashboard-rejected = Abgelehnt: { $reason }
dashboard-issued = Gutscheine ausgegeben
dashboard-revoked = Gutscheine widerrufen

## Kundenbindung.

dashboard-retention = Kundenbindung
dashboard-retention-rate = Bindungsrate
dashboard-repeat-rate = Wiederkaufrate
dashboard-reminders = Umfrage-Erinnerungen gesendet
dashboard-reminded-answers = Antworten nach einer Erinnerung
dashboard-winback-sent = Rückgewinnungs-Mails gesendet
dashboard-won-back = Zurückgewonnen (Bestellung mit gültigem Gutschein)
dashboard-winback-revenue = Umsatz der Zurückgewonnenen
