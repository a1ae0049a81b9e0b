# Mails to customers and to the shop's support, in English: the reference every other locale
# follows (same ids, same variables). Mails are plain text and HTML alike: no markup here.

## Shared by the mails to customers.

mail-greeting = Hello,
mail-greeting-name = Hello { $name },
mail-closing = Best wishes
# A label and its value on one line of a plain-text mail, e.g. "Your coupon code: ABCD2345".
mail-label-value = { $label }: { $value }

## How an amount and a day are written. `money` passes the whole units as $major (no grouping)
## and the cents as two digits ($minor), with the currency's $symbol or, for a currency
## without a common one, its ISO $code.

mail-money-symbol = { $symbol }{ $major }.{ $minor }
mail-money-code = { $code } { $major }.{ $minor }
# A chrono format string (strftime-like); %B names the month in English.
mail-day-format = %-d %B %Y

## The coupon box of the reward, win-back and offer mails.

mail-coupon-label = Your coupon code
mail-usable-from = usable from { $date }
mail-valid-until = valid until { $date }
mail-coupon-next-order = For your next order, here is a coupon worth { $amount }.
# Below the coupon, and below the survey mail's share line: the referrer's own page.
mail-referral-page-text = Your own page shows how many friends followed your recommendation, and all your coupons.
mail-referral-page-link = Open your referral page

## Reward mails. The first paragraph follows the greeting, hence its small initial in English
## and German.

mail-reward-referrer-subject = Thanks for the recommendation – your { $amount } coupon from { $shop }
mail-reward-referrer-ordered = someone you recommended { $shop } to has just placed their first order with us.
mail-reward-referrer-coupon = As a thank-you, here is a coupon worth { $amount }.
mail-reward-friend-subject = Thank you for your purchase – { $amount } off your next order
mail-reward-friend-thanks = thank you for your first order at { $shop }! We are glad a friend sent you our way.

## The win-back mail: a coupon for a customer whose last order is a while ago.

mail-winback-subject = We miss you – { $amount } off your next order at { $shop }
mail-winback-missed = it has been a while since your last order at { $shop }, and we would love to see you again.
mail-winback-unsubscribe-text = Rather not receive mails like this?
mail-winback-unsubscribe-link = Unsubscribe

## The friend's first-order code, mailed when they claim the offer.

mail-offer-subject = Your { $amount } code for your first order at { $shop }
mail-offer-welcome = a friend recommended { $shop } to you. Welcome!
mail-offer-saving = This code takes { $amount } off your first order of { $minimum } or more.
mail-offer-apply = To the shop with the code applied: { $url }
mail-offer-code-label = Your code

## The survey mail and its one reminder. The question and the scale's ends are the survey
## page's (survey-question, survey-scale-low, survey-scale-high), so both ask the same.

mail-survey-subject = Thank you for your purchase at { $shop }
mail-survey-thanks = thank you for your purchase at { $shop }! We hope you enjoy your order.
# A click in the mail only preselects (link scanners must cast no vote): the mail says so.
mail-survey-hint = A click opens the page with your rating; it counts once you press "{ survey-send }" there. A comment is optional.
mail-survey-share = Share { $shop } with friends: your own page has your link to share and shows what your recommendations have earned you.
mail-survey-unsubscribe = Stop receiving surveys
mail-reminder-subject = Your view of { $shop }: one question, one click
mail-reminder-opening = a few days ago we asked about your purchase at { $shop }. In case you have not got round to it: one click is all it takes, and we will not ask again.

## The detractor alert, to the shop's support in the shop's language.

mail-alert-subject = Critical rating ({ $score }/10) for order { $order }
mail-alert-intro = A customer is unhappy. Please get in touch soon.
mail-alert-score = Score
mail-alert-comment = Comment
mail-alert-order = Order
mail-alert-customer = Customer
mail-alert-email = Email
