## The share link's pages for the friend (functions/create-referral/src/pages.rs) and the
## referrer's own page (functions/create-referral/src/referrer_page.rs).
## Amounts ($amount, $minimum, $bonus) and days ($until, $from) come formatted for the locale.

## The friend's offer, with its one-field form.

# $amount: the discount.
offer-title = { $amount } off your first order
# Without a minimum order total. $days: how long the code is valid.
offer-text = A friend recommends { $shop } to you. Your personal code takes { $amount } off your first order. It is valid for { $days ->
        [one] { $days } day
       *[other] { $days } days
    }.
# With a minimum order total ($minimum).
offer-text-minimum = A friend recommends { $shop } to you. Your personal code takes { $amount } off your first order of { $minimum } or more. It is valid for { $days ->
        [one] { $days } day
       *[other] { $days } days
    }.
offer-email-label = Your email address
offer-send = Get my code
offer-privacy = We send the code to this address and use it for nothing else. To give each person the offer once, we keep only a keyed fingerprint of the address.
offer-without-code = Continue to the shop without a code

## The friend's code, once claimed.

claim-title = Your { $amount } code
claim-text = Enter it at checkout, or use the button to go to the shop with the code already applied.
claim-validity = Valid until { $until } for your first order.
claim-validity-minimum = Valid until { $until } for your first order of { $minimum } or more.
claim-to-shop = Shop now
claim-mailed = We have also sent you the code by email.

## Why there is no code: a heading and an explanation each.

claim-invalid-email-title = Invalid address
claim-invalid-email-text = Please enter a valid email address.
claim-self-referral-title = This is your own link
claim-self-referral-text = Share it with friends: the discount is for them, and you get a coupon when they order.
claim-disposable-email-title = Please use your own address
claim-disposable-email-text = This offer does not take throwaway addresses. Your usual email address will do.
claim-existing-customer-title = You have ordered with us before
claim-existing-customer-text = This offer is for a first order. Good to see you again!
claim-already-referred-title = You were referred before
claim-already-referred-text = The offer for referred friends is once per person, and you have had it already.

## Message pages: something failed on our side, and the link on to the shop.

claim-failed-title = Something went wrong
claim-failed-text = Please try again in a few minutes.
claim-continue = Continue to the shop

## The referrer's own page.

# A page link that opens nothing: mistyped, or the customer's data was erased.
referrer-not-found-title = Page not found
referrer-not-found-text = This link is not valid, or no longer valid. Please use the complete link from your email.
referrer-title = Recommend { $shop } to your friends
referrer-link-label = Your personal link
referrer-copy = Copy link
# The copy button once the link is copied.
referrer-copied = Copied ✓
# Opens the system's share sheet.
referrer-share = Share …
referrer-mail = Email
referrer-progress-title = What your link has done so far
referrer-rewards-title = Your rewards
referrer-no-rewards = None yet: as soon as a friend places their first order, your coupon appears here and comes by email.
referrer-privacy = Only numbers here: we show nobody who followed your link. This page is for you alone; share the link above, not this page's address.
# The subject of the mail the referrer sends a friend.
referrer-subject = A recommendation: { $shop }
# What the referrer sends a friend (mail, WhatsApp, SMS), in the referrer's own voice to a
# friend. $link: the share link.
referrer-message = I like shopping at { $shop }. With my link you get { $amount } off your first order: { $link }
# The same when friends get a coupon only after their first order.
referrer-message-next-order = I like shopping at { $shop }. With my link you get a { $amount } coupon after your first order: { $link }
# The program in one sentence. $reward: what friends get (first_order, next_order or both);
# $amount: the friend's discount or coupon; $bonus: the referrer's reward per friend.
referrer-program = Your friends get { $reward ->
        [next_order] a { $amount } coupon for their next order after their first order
        [both] { $amount } off their first order and a { $amount } coupon for the next one
       *[first_order] { $amount } off their first order
    }, and you get { $bonus } for each friend's first order.
# The same with a minimum order total ($minimum).
referrer-program-minimum = Your friends get { $reward ->
        [next_order] a { $amount } coupon for their next order after their first order of { $minimum } or more
        [both] { $amount } off their first order of { $minimum } or more and a { $amount } coupon for the next one
       *[first_order] { $amount } off their first order of { $minimum } or more
    }, and you get { $bonus } for each friend's first order.

## How the link has done: figures only.

referrer-clicks = Clicks on your link
referrer-claims = Friends who claimed their discount
referrer-conversions = Friends who ordered
referrer-remaining = Rewards still to earn
# $remaining of the $cap rewards a referrer can earn.
referrer-remaining-count = { $remaining } of { $cap }

## A reward coupon's status, and when it can be used.

referrer-status-pending = not usable yet
referrer-status-available = ready to use
referrer-status-review = being reviewed
referrer-status-redeemed = used
referrer-status-revoked = cancelled (order returned)
referrer-status-expired = expired
referrer-usable-from = usable from { $from }
referrer-usable-from-until = usable from { $from } until { $until }
referrer-valid-until = valid until { $until }
referrer-no-end-date = no end date
referrer-usable-once-approved = usable once approved
# After "expired": the day it expired.
referrer-expired-on = on { $until }
