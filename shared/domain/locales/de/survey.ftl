# Die Umfrage-Seiten, auf Deutsch. Referenz ist en/.

## Das Formular.

survey-title = Ihre Meinung zu { $shop }
survey-question = Wie wahrscheinlich ist es, dass Sie { $shop } einem Freund empfehlen?
survey-scale-low = 0 = sehr unwahrscheinlich
survey-scale-high = 10 = sehr wahrscheinlich
survey-comment-label = Möchten Sie uns noch etwas sagen? (optional)
survey-send = Bewertung absenden
survey-counts-once-sent = Ihre Bewertung zählt erst, wenn Sie auf „{ survey-send }“ klicken.
survey-error-score = Bitte wählen Sie eine Bewertung von 0 bis 10.
survey-error-comment-too-long = Ihr Kommentar ist zu lang (höchstens { $max } Zeichen).

## Nach der Antwort.

survey-thanks-title = Vielen Dank für Ihre Bewertung!
survey-thanks-title-detractor = Vielen Dank für Ihre ehrliche Bewertung
survey-thanks-promoter = Schön, dass Sie uns weiterempfehlen möchten!
survey-thanks-passive = Wir arbeiten daran, Sie beim nächsten Mal restlos zu überzeugen.
survey-thanks-detractor = Es tut uns leid, dass wir Sie nicht überzeugen konnten. Unser Team sieht sich Ihre Rückmeldung an und meldet sich bei Ihnen.
survey-share-intro = Ihr persönlicher Empfehlungslink:
survey-share-note = Teilen Sie ihn mit Freunden: Bei deren erster Bestellung erhalten Sie beide einen Gutschein.
survey-page-link = Link kopieren oder teilen, und sehen, was er bringt
survey-changed = Sie können Ihre Bewertung über den Link in der E-Mail jederzeit ändern.

## Ungültige Links und Fehler.

survey-not-found-title = Link nicht gefunden
survey-not-found-text = Dieser Link ist ungültig. Bitte verwenden Sie den vollständigen Link aus Ihrer E-Mail.
survey-expired-title = Diese Umfrage ist abgelaufen
survey-expired-text = Vielen Dank für Ihr Interesse. Diese Umfrage nimmt keine Antworten mehr an.
survey-bad-score-title = Ungültige Bewertung
survey-server-error-title = Das hat leider nicht geklappt
survey-server-error-text = Bitte versuchen Sie es in ein paar Minuten noch einmal.

## Abmelden.

survey-unsubscribe-title = Keine Umfragen mehr von { $shop }?
survey-unsubscribe-text = Wir senden Ihnen dann keine Umfragen nach Einkäufen und keine Angebote zur Rückkehr mehr.
survey-unsubscribe-button = Abmelden
survey-unsubscribed-title = Sie sind abgemeldet
survey-unsubscribed-text = Sie erhalten keine Umfragen und Angebote mehr von { $shop }.
