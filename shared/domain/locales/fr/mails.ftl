# E-mails aux clients et au service client de la boutique, en français. La référence est en/.
# Typographie : espace insécable (U+00A0) avant : ; ! ? et avant le symbole monétaire, et à
# l’intérieur des guillemets.

## Communs aux e-mails adressés aux clients. Après la formule d’appel, le texte reprend avec
## une majuscule.

mail-greeting = Bonjour,
mail-greeting-name = Bonjour { $name },
mail-closing = Bien cordialement
mail-label-value = { $label } : { $value }

## Montants et dates.

mail-money-symbol = { $major },{ $minor } { $symbol }
mail-money-code = { $major },{ $minor } { $code }
mail-day-format = %d/%m/%Y

## Le bloc du bon d’achat.

mail-coupon-label = Votre code de réduction
mail-usable-from = utilisable à partir du { $date }
mail-valid-until = valable jusqu’au { $date }
mail-coupon-next-order = Pour votre prochaine commande, nous vous offrons un bon d’achat de { $amount }.
mail-referral-page-text = Votre page personnelle vous indique combien d’amis ont suivi votre recommandation et rassemble tous vos bons d’achat.
mail-referral-page-link = Accéder à votre page de parrainage

## E-mails de récompense.

mail-reward-referrer-subject = Merci pour votre recommandation – votre bon d’achat de { $amount } offert par { $shop }
mail-reward-referrer-ordered = Une personne à qui vous avez recommandé { $shop } vient de passer sa première commande chez nous.
mail-reward-referrer-coupon = Pour vous remercier, nous vous offrons un bon d’achat de { $amount }.
mail-reward-friend-subject = Merci pour votre achat – { $amount } de réduction sur votre prochaine commande
mail-reward-friend-thanks = Merci pour votre première commande chez { $shop } ! Nous sommes ravis qu’un proche vous ait fait découvrir notre boutique.

## Reconquête.

mail-winback-subject = Vous nous manquez – { $amount } de réduction sur votre prochaine commande chez { $shop }
mail-winback-missed = Votre dernière commande chez { $shop } remonte à quelque temps, et nous serions ravis de vous revoir.
mail-winback-unsubscribe-text = Vous ne souhaitez plus recevoir ce type d’e-mails ?
mail-winback-unsubscribe-link = Se désabonner

## Le code de bienvenue de l’ami, pour sa première commande.

mail-offer-subject = Votre code de { $amount } pour votre première commande chez { $shop }
mail-offer-welcome = Un ami vous a recommandé { $shop }. Bienvenue !
mail-offer-saving = Ce code vous fait économiser { $amount } sur votre première commande dès { $minimum } d’achat.
mail-offer-apply = Accéder à la boutique avec le code appliqué : { $url }
mail-offer-code-label = Votre code

## L’e-mail d’enquête et son rappel.

mail-survey-subject = Merci pour votre achat chez { $shop }
mail-survey-thanks = Merci pour votre achat chez { $shop } ! Nous espérons que votre commande vous donne entière satisfaction.
mail-survey-hint = Un clic ouvre la page avec votre note ; elle est prise en compte dès que vous cliquez sur « { survey-send } » sur cette page. Le commentaire est facultatif.
mail-survey-share = Recommandez { $shop } à vos amis : votre page personnelle contient votre lien à partager et indique ce que vos recommandations vous ont déjà rapporté.
mail-survey-unsubscribe = Ne plus recevoir d’enquêtes de satisfaction
mail-reminder-subject = Votre avis sur { $shop } : une question, un clic
mail-reminder-opening = Il y a quelques jours, nous vous avons demandé votre avis sur votre achat chez { $shop }. Si vous n’avez pas encore eu le temps d’y répondre, un clic suffit, et nous ne vous solliciterons plus à ce sujet.

## L’alerte avis critique, au service client.

mail-alert-subject = Avis critique ({ $score }/10) sur la commande { $order }
mail-alert-intro = Un client n’est pas satisfait. Merci de le contacter rapidement.
mail-alert-score = Note
mail-alert-comment = Commentaire
mail-alert-order = Commande
mail-alert-customer = Client
mail-alert-email = E-mail
