# Mails an Kundinnen und Kunden und an den Support des Shops, auf Deutsch. Referenz ist en/.

## Gemeinsam für alle Mails an Kunden.

mail-greeting = Hallo,
mail-greeting-name = Hallo { $name },
mail-closing = Herzliche Grüße
mail-label-value = { $label }: { $value }

## Beträge und Tage.

mail-money-symbol = { $major },{ $minor } { $symbol }
mail-money-code = { $major },{ $minor } { $code }
mail-day-format = %d.%m.%Y

## Der Gutschein-Kasten.

mail-coupon-label = Ihr Gutscheincode
mail-usable-from = einlösbar ab { $date }
mail-valid-until = gültig bis { $date }
mail-coupon-next-order = Für Ihre nächste Bestellung schenken wir Ihnen einen Gutschein über { $amount }.
mail-referral-page-text = Auf Ihrer persönlichen Seite sehen Sie, wie viele Freunde Ihrer Empfehlung gefolgt sind, und alle Ihre Gutscheine.
mail-referral-page-link = Zu Ihrer Empfehlungsseite

## Belohnungs-Mails (der erste Absatz folgt auf die Anrede, daher klein).

mail-reward-referrer-subject = Danke für Ihre Empfehlung – Ihr { $amount }-Gutschein von { $shop }
mail-reward-referrer-ordered = jemand, dem Sie { $shop } empfohlen haben, hat gerade zum ersten Mal bei uns bestellt.
mail-reward-referrer-coupon = Als Dankeschön schenken wir Ihnen einen Gutschein über { $amount }.
mail-reward-friend-subject = Vielen Dank für Ihren Einkauf – { $amount } für Ihre nächste Bestellung
mail-reward-friend-thanks = vielen Dank für Ihre erste Bestellung bei { $shop }! Schön, dass Sie auf Empfehlung zu uns gefunden haben.

## Win-back.

mail-winback-subject = Wir vermissen Sie – { $amount } für Ihre nächste Bestellung bei { $shop }
mail-winback-missed = Ihre letzte Bestellung bei { $shop } ist eine Weile her, und wir würden uns freuen, Sie wiederzusehen.
mail-winback-unsubscribe-text = Sie möchten solche Mails nicht mehr erhalten?
mail-winback-unsubscribe-link = Abmelden

## Der Code des Freundes für die erste Bestellung.

mail-offer-subject = Ihr { $amount }-Gutschein für die erste Bestellung bei { $shop }
mail-offer-welcome = ein Freund hat Ihnen { $shop } empfohlen. Willkommen!
mail-offer-saving = Mit diesem Code sparen Sie { $amount } bei Ihrer ersten Bestellung ab { $minimum }.
mail-offer-apply = Zum Shop mit eingelöstem Code: { $url }
mail-offer-code-label = Ihr Gutscheincode

## Umfrage-Mail und Erinnerung.

mail-survey-subject = Vielen Dank für Ihren Einkauf bei { $shop }
mail-survey-thanks = vielen Dank für Ihren Einkauf bei { $shop }! Wir hoffen, Sie haben Freude an Ihrer Bestellung.
mail-survey-hint = Ein Klick öffnet die Seite mit Ihrer Bewertung; gezählt wird sie, sobald Sie dort auf „{ survey-send }“ klicken. Ein Kommentar ist freiwillig.
mail-survey-share = Empfehlen Sie { $shop } Ihren Freunden: Auf Ihrer persönlichen Seite finden Sie Ihren Link zum Teilen und sehen, was Ihre Empfehlungen Ihnen schon eingebracht haben.
mail-survey-unsubscribe = Keine Umfragen mehr erhalten
mail-reminder-subject = Ihre Meinung zu { $shop }: eine Frage, ein Klick
mail-reminder-opening = vor ein paar Tagen haben wir Sie nach Ihrem Einkauf bei { $shop } gefragt. Falls Sie noch nicht dazu gekommen sind: Ein Klick genügt, und wir fragen danach nicht noch einmal.

## Hinweis auf eine kritische Bewertung, an den Support.

mail-alert-subject = Kritische Bewertung ({ $score }/10) zu Bestellung { $order }
mail-alert-intro = Eine Kundin oder ein Kunde ist unzufrieden. Bitte melden Sie sich zeitnah.
mail-alert-score = Bewertung
mail-alert-comment = Kommentar
mail-alert-order = Bestellung
mail-alert-customer = Kunde
mail-alert-email = E-Mail
