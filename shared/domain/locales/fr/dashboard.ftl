## Le tableau de bord de l’équipe (functions/score-nps : dashboard.rs, dashboard_texts.rs,
## templates/dashboard.html). Les chemins et valeurs de l’API restent tels quels dans toutes les langues.
## Typographie : une espace insécable (U+00A0) précède les deux-points, le point-virgule, le point d’exclamation, le point d’interrogation et le signe %.

dashboard-title = Avis clients et parrainages
dashboard-range = Période
dashboard-show = Afficher

## Synthèse et graphique hebdomadaire.

dashboard-nps = Net Promoter Score
dashboard-margin = Marge d’erreur (95 %)
dashboard-answers = Réponses
dashboard-promoters = Promoteurs
dashboard-passives = Passifs
dashboard-detractors = Détracteurs
dashboard-trend = NPS par semaine avec marge d’erreur
dashboard-per-week = Réponses par semaine
dashboard-no-answers = aucune réponse
dashboard-too-few = trop peu de réponses (moins de 10)
# Un motif strftime.
dashboard-date-format = %d/%m
dashboard-time-format = %d/%m/%Y %H:%M %Z
dashboard-times-in = Heures affichées dans le fuseau { $zone }.

## Détracteurs à recontacter.

dashboard-open-detractors = Détracteurs à recontacter ({ $count ->
        [one] { $count } ouvert
       *[other] { $count } ouverts
    })
dashboard-none-open = Aucun détracteur ouvert ou contacté sur cette période.
dashboard-more-open = Autres réponses via GET /responses?follow_up=open (ou contacted).
dashboard-status = Statut
dashboard-status-open = ouvert
dashboard-status-contacted = contacté
dashboard-status-resolved = traité
dashboard-note = Note
dashboard-save = Enregistrer
dashboard-changed = modifié le
dashboard-order = Commande
dashboard-customer = Client
dashboard-segment = Segment
dashboard-no-comment = (pas de commentaire)
dashboard-saved = Enregistré.
dashboard-not-found = Cette réponse n’existe plus (effacée ?).
dashboard-no-follow-up = Cette réponse n’a pas de suivi (ce n’est pas celle d’un détracteur).

## Récompenses retenues pour vérification.

dashboard-reviews = Récompenses retenues pour vérification
dashboard-no-reviews = Aucune récompense n’attend de vérification.
dashboard-more-reviews = Autres : GET /reviews?status=open sur reward-referral.
dashboard-referrer = parrain
dashboard-friend = filleul
dashboard-held-since = retenue depuis le
dashboard-review-hint = Approuver ou refuser : POST /reviews/{"{"}order_id{"}"} sur reward-referral.
dashboard-rule-orders-per-ip = nombreuses commandes depuis une même IP
dashboard-rule-rewards-per-week = nombreuses récompenses du parrain en une semaine
dashboard-rule-shipping-address = adresse de livraison du parrain
dashboard-rule-same-name = même nom que le parrain

## Programme de parrainage.

dashboard-funnel = Programme de parrainage
dashboard-codes = Codes créés
dashboard-clicks = Clics
dashboard-claims = Offres filleul obtenues
dashboard-rewarded = Parrainages récompensés
dashboard-rejected = Refusés : { $reason }
dashboard-issued = Bons d’achat émis
dashboard-revoked = Bons d’achat annulés

## Fidélisation.

dashboard-retention = Fidélisation
dashboard-retention-rate = Taux de fidélisation
dashboard-repeat-rate = Taux de réachat
dashboard-reminders = Relances d’enquête envoyées
dashboard-reminded-answers = Réponses après une relance
dashboard-winback-sent = E-mails de reconquête envoyés
dashboard-won-back = Clients reconquis (commande passée avec un bon d’achat valide)
dashboard-winback-revenue = Chiffre d’affaires des clients reconquis
