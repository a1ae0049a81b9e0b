## Die Seiten des Teilen-Links für den Freund (functions/create-referral/src/pages.rs) und die
## eigene Seite des Empfehlers (functions/create-referral/src/referrer_page.rs).
## Beträge ($amount, $minimum, $bonus) und Tage ($until, $from) kommen fertig formatiert.

## Das Angebot für den Freund, mit seinem Formular.

offer-title = { $amount } Rabatt auf Ihre erste Bestellung
offer-text = Ein Freund empfiehlt Ihnen { $shop }. Mit Ihrem persönlichen Code sparen Sie { $amount } bei Ihrer ersten Bestellung. Der Code gilt { $days ->
        [one] einen Tag
       *[other] { $days } Tage
    }.
offer-text-minimum = Ein Freund empfiehlt Ihnen { $shop }. Mit Ihrem persönlichen Code sparen Sie { $amount } bei Ihrer ersten Bestellung ab { $minimum }. Der Code gilt { $days ->
        [one] einen Tag
       *[other] { $days } Tage
    }.
offer-email-label = Ihre E-Mail-Adresse
offer-send = Code anfordern
offer-privacy = Wir senden Ihnen den Code an diese Adresse und nutzen sie für nichts anderes. Damit jede Person das Angebot einmal erhält, speichern wir nur einen verschlüsselten Fingerabdruck der Adresse.
offer-without-code = Ohne Code weiter zum Shop

## Der Code des Freundes, nachdem er angefordert wurde.

claim-title = Ihr Code über { $amount }
claim-text = Geben Sie ihn an der Kasse ein, oder gehen Sie mit dem Knopf direkt zum Shop: Der Code ist dann schon eingelöst.
claim-validity = Gültig bis { $until } für Ihre erste Bestellung.
claim-validity-minimum = Gültig bis { $until } für Ihre erste Bestellung ab { $minimum }.
claim-to-shop = Jetzt einkaufen
claim-mailed = Wir haben Ihnen den Code auch per E-Mail geschickt.

## Warum es keinen Code gibt: je eine Überschrift und eine Erklärung.

claim-invalid-email-title = Ungültige Adresse
claim-invalid-email-text = Bitte geben Sie eine gültige E-Mail-Adresse ein.
claim-self-referral-title = Das ist Ihr eigener Link
claim-self-referral-text = Teilen Sie ihn mit Freunden: Der Rabatt ist für sie, und Sie erhalten einen Gutschein, wenn sie bestellen.
claim-disposable-email-title = Bitte Ihre eigene Adresse
claim-disposable-email-text = Wegwerf-Adressen nehmen wir für dieses Angebot nicht an. Mit Ihrer gewohnten E-Mail-Adresse klappt es.
claim-existing-customer-title = Sie haben schon bei uns bestellt
claim-existing-customer-text = Dieses Angebot gilt für die erste Bestellung. Schön, dass Sie wieder da sind!
claim-already-referred-title = Sie wurden schon empfohlen
claim-already-referred-text = Das Angebot für Empfohlene gibt es einmal pro Person, und Sie haben es bereits erhalten.

## Meldungen: Bei uns ist etwas schiefgegangen, und der Link weiter zum Shop.

claim-failed-title = Das hat leider nicht geklappt
claim-failed-text = Bitte versuchen Sie es in ein paar Minuten noch einmal.
claim-continue = Weiter zum Shop

## Die eigene Seite des Empfehlers.

referrer-not-found-title = Seite nicht gefunden
referrer-not-found-text = Dieser Link ist ungültig oder nicht mehr gültig. Bitte verwenden Sie den vollständigen Link aus Ihrer E-Mail.
referrer-title = Empfehlen Sie { $shop } weiter
referrer-link-label = Ihr persönlicher Link
referrer-copy = Link kopieren
referrer-copied = Kopiert ✓
referrer-share = Teilen …
referrer-mail = E-Mail
referrer-progress-title = Was Ihr Link bisher bewirkt hat
referrer-rewards-title = Ihre Prämien
referrer-no-rewards = Noch keine: Sobald ein Freund zum ersten Mal bestellt, erscheint Ihr Gutschein hier und kommt per E-Mail.
referrer-privacy = Hier stehen nur Zahlen: Wer Ihrem Link gefolgt ist, zeigen wir niemandem. Diese Seite ist nur für Sie; teilen Sie den Link oben, nicht die Adresse dieser Seite.
referrer-subject = Eine Empfehlung: { $shop }
# Der Empfehler schreibt einem Freund: daher „du“.
referrer-message = Ich kaufe gern bei { $shop } ein. Mit meinem Link bekommst du { $amount } Rabatt auf deine erste Bestellung: { $link }
referrer-message-next-order = Ich kaufe gern bei { $shop } ein. Mit meinem Link bekommst du nach deiner ersten Bestellung einen Gutschein über { $amount }: { $link }
referrer-program = Ihre Freunde erhalten { $reward ->
        [next_order] nach ihrer ersten Bestellung einen Gutschein über { $amount } für die nächste
        [both] { $amount } Rabatt auf ihre erste Bestellung und danach einen Gutschein über { $amount } für die nächste
       *[first_order] { $amount } Rabatt auf ihre erste Bestellung
    }, und Sie erhalten { $bonus } für die erste Bestellung jedes Freundes.
referrer-program-minimum = Ihre Freunde erhalten { $reward ->
        [next_order] nach ihrer ersten Bestellung ab { $minimum } einen Gutschein über { $amount } für die nächste
        [both] { $amount } Rabatt auf ihre erste Bestellung ab { $minimum } und danach einen Gutschein über { $amount } für die nächste
       *[first_order] { $amount } Rabatt auf ihre erste Bestellung ab { $minimum }
    }, und Sie erhalten { $bonus } für die erste Bestellung jedes Freundes.

## Was der Link bewirkt hat: nur Zahlen.

referrer-clicks = Klicks auf Ihren Link
referrer-claims = Freunde mit Rabattcode
referrer-conversions = Freunde, die bestellt haben
referrer-remaining = Prämien noch möglich
referrer-remaining-count = { $remaining } von { $cap }

## Der Stand eines Prämien-Gutscheins, und wann er einlösbar ist.

referrer-status-pending = noch nicht einlösbar
referrer-status-available = einlösbar
referrer-status-review = wird geprüft
referrer-status-redeemed = eingelöst
referrer-status-revoked = storniert (Bestellung zurückgegeben)
referrer-status-expired = abgelaufen
referrer-usable-from = einlösbar ab { $from }
referrer-usable-from-until = einlösbar ab { $from }, bis { $until }
referrer-valid-until = gültig bis { $until }
referrer-no-end-date = ohne Ablaufdatum
referrer-usable-once-approved = einlösbar nach der Freigabe
referrer-expired-on = am { $until }
