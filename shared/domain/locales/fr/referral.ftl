## Les pages du lien de parrainage pour l’ami (functions/create-referral/src/pages.rs) et la
## page personnelle du parrain (functions/create-referral/src/referrer_page.rs).
## Les montants ($amount, $minimum, $bonus) et les dates ($until, $from) arrivent déjà formatés.
## Typographie : une espace insécable (U+00A0) précède les deux-points, le point-virgule, le point d’exclamation et le point d’interrogation.

## L’offre pour l’ami, avec son formulaire.

offer-title = { $amount } de réduction sur votre première commande
offer-text = Un ami vous recommande { $shop }. Grâce à votre code personnel, vous économisez { $amount } sur votre première commande. Ce code est valable { $days ->
        [one] { $days } jour
       *[other] { $days } jours
    }.
offer-text-minimum = Un ami vous recommande { $shop }. Grâce à votre code personnel, vous économisez { $amount } sur votre première commande dès { $minimum } d’achat. Ce code est valable { $days ->
        [one] { $days } jour
       *[other] { $days } jours
    }.
offer-email-label = Votre adresse e-mail
offer-send = Recevoir mon code
offer-privacy = Nous vous envoyons le code à cette adresse et ne l’utilisons à aucune autre fin. Pour que chaque personne ne bénéficie de l’offre qu’une seule fois, nous ne conservons qu’une empreinte chiffrée de l’adresse.
offer-without-code = Continuer vers la boutique sans code

## Le code de l’ami, une fois obtenu.

claim-title = Votre code de { $amount }
claim-text = Saisissez-le lors du paiement, ou utilisez le bouton pour accéder directement à la boutique : le code y sera déjà appliqué.
claim-validity = Valable jusqu’au { $until } pour votre première commande.
claim-validity-minimum = Valable jusqu’au { $until } pour votre première commande dès { $minimum } d’achat.
claim-to-shop = Faire mes achats
claim-mailed = Nous vous avons également envoyé ce code par e-mail.

## Pourquoi il n’y a pas de code : un titre et une explication chacun.

claim-invalid-email-title = Adresse invalide
claim-invalid-email-text = Veuillez saisir une adresse e-mail valide.
claim-self-referral-title = C’est votre propre lien
claim-self-referral-text = Partagez-le avec vos amis : la réduction est pour eux, et vous recevez un bon d’achat lorsqu’ils passent commande.
claim-disposable-email-title = Veuillez utiliser votre propre adresse
claim-disposable-email-text = Cette offre n’accepte pas les adresses e-mail jetables. Avec votre adresse habituelle, cela fonctionnera.
claim-existing-customer-title = Vous avez déjà commandé chez nous
claim-existing-customer-text = Cette offre est réservée à une première commande. Ravis de vous revoir !
claim-already-referred-title = Vous avez déjà bénéficié d’un parrainage
claim-already-referred-text = L’offre de parrainage n’est valable qu’une fois par personne, et vous en avez déjà profité.

## Messages : un problème de notre côté, et le lien vers la boutique.

claim-failed-title = Un problème est survenu
claim-failed-text = Veuillez réessayer dans quelques minutes.
claim-continue = Continuer vers la boutique

## La page personnelle du parrain.

referrer-not-found-title = Page introuvable
referrer-not-found-text = Ce lien n’est pas valide ou ne l’est plus. Veuillez utiliser le lien complet figurant dans votre e-mail.
referrer-title = Recommandez { $shop } à vos amis
referrer-link-label = Votre lien personnel
referrer-copy = Copier le lien
referrer-copied = Copié ✓
referrer-share = Partager…
referrer-mail = E-mail
referrer-progress-title = Ce que votre lien a permis jusqu’ici
referrer-rewards-title = Vos récompenses
referrer-no-rewards = Aucune pour l’instant : dès qu’un ami passe sa première commande, votre bon d’achat apparaît ici et vous est envoyé par e-mail.
referrer-privacy = Seuls des chiffres figurent ici : nous ne montrons à personne qui a suivi votre lien. Cette page n’est destinée qu’à vous ; partagez le lien ci-dessus, et non l’adresse de cette page.
referrer-subject = Une recommandation : { $shop }
# Le parrain écrit à un ami, d’où le tutoiement (comme le « du » allemand).
referrer-message = J’aime faire mes achats chez { $shop }. Avec mon lien, tu profites de { $amount } de réduction sur ta première commande : { $link }
referrer-message-next-order = J’aime faire mes achats chez { $shop }. Avec mon lien, tu reçois un bon d’achat de { $amount } après ta première commande : { $link }
referrer-program = Vos amis bénéficient { $reward ->
        [next_order] d’un bon d’achat de { $amount } pour leur prochaine commande, après leur première
        [both] de { $amount } de réduction sur leur première commande, puis d’un bon d’achat de { $amount } pour la suivante
       *[first_order] de { $amount } de réduction sur leur première commande
    }, et vous recevez { $bonus } pour la première commande de chacun d’eux.
referrer-program-minimum = Vos amis bénéficient { $reward ->
        [next_order] d’un bon d’achat de { $amount } pour leur prochaine commande, après une première commande d’au moins { $minimum }
        [both] de { $amount } de réduction sur leur première commande dès { $minimum } d’achat, puis d’un bon d’achat de { $amount } pour la suivante
       *[first_order] de { $amount } de réduction sur leur première commande dès { $minimum } d’achat
    }, et vous recevez { $bonus } pour la première commande de chacun d’eux.

## Ce que le lien a permis : uniquement des chiffres.

referrer-clicks = Clics sur votre lien
referrer-claims = Amis ayant obtenu leur réduction
referrer-conversions = Amis ayant commandé
referrer-remaining = Récompenses encore possibles
referrer-remaining-count = { $remaining } sur { $cap }

## L’état d’un bon d’achat de récompense, et quand il est utilisable.

referrer-status-pending = pas encore utilisable
referrer-status-available = utilisable
referrer-status-review = en cours de vérification
referrer-status-redeemed = utilisé
referrer-status-revoked = annulé (commande retournée)
referrer-status-expired = expiré
referrer-usable-from = utilisable à partir du { $from }
referrer-usable-from-until = utilisable du { $from } au { $until }
referrer-valid-until = valable jusqu’au { $until }
referrer-no-end-date = sans date d’expiration
referrer-usable-once-approved = utilisable après validation
referrer-expired-on = le { $until }
