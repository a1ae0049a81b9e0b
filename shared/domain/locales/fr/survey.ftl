# Les pages de l’enquête de satisfaction, en français. La référence est en/.
# Typographie : espace insécable (U+00A0) avant : ; ! ? et à l’intérieur des guillemets.

## Le formulaire.

survey-title = Votre avis sur { $shop }
survey-question = Quelle est la probabilité que vous recommandiez { $shop } à un ami ?
survey-scale-low = 0 = pas du tout probable
survey-scale-high = 10 = très probable
survey-comment-label = Souhaitez-vous ajouter quelque chose ? (facultatif)
survey-send = Envoyer mon avis
survey-counts-once-sent = Votre note n’est prise en compte qu’une fois que vous avez cliqué sur « { survey-send } ».
survey-error-score = Veuillez choisir une note de 0 à 10.
survey-error-comment-too-long =
    Votre commentaire est trop long ({ $max } { $max ->
        [one] caractère
       *[other] caractères
    } au maximum).

## Après la réponse.

survey-thanks-title = Merci pour votre avis !
survey-thanks-title-detractor = Merci pour votre avis sincère
survey-thanks-promoter = Nous sommes ravis que vous souhaitiez nous recommander !
survey-thanks-passive = Nous mettons tout en œuvre pour vous convaincre pleinement la prochaine fois.
survey-thanks-detractor = Nous sommes désolés de ne pas avoir été à la hauteur de vos attentes. Notre équipe va examiner votre retour et reviendra vers vous.
survey-share-intro = Votre lien de parrainage personnel :
survey-share-note = Partagez-le avec vos amis : lors de leur première commande, vous recevez chacun un bon d’achat.
survey-page-link = Copier ou partager votre lien, et voir ce qu’il vous rapporte
survey-changed = Vous pouvez modifier votre note à tout moment grâce au lien figurant dans l’e-mail.

## Liens non valides et erreurs.

survey-not-found-title = Lien introuvable
survey-not-found-text = Ce lien n’est pas valide. Veuillez utiliser le lien complet figurant dans votre e-mail.
survey-expired-title = Cette enquête est terminée
survey-expired-text = Merci de votre intérêt. Cette enquête n’accepte plus de réponses.
survey-bad-score-title = Note non valide
survey-server-error-title = Une erreur s’est produite
survey-server-error-text = Veuillez réessayer dans quelques minutes.

## Désabonnement.

survey-unsubscribe-title = Ne plus recevoir d’enquêtes de { $shop } ?
survey-unsubscribe-text = Nous ne vous enverrons plus d’enquêtes après vos achats, ni d’offres pour vous inviter à revenir.
survey-unsubscribe-button = Se désabonner
survey-unsubscribed-title = Votre désabonnement est confirmé
survey-unsubscribed-text = Vous ne recevrez plus d’enquêtes ni d’offres de la part de { $shop }.
