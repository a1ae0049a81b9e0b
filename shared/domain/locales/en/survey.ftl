# The survey pages (form, thank-you, unsubscribe, messages), in English: the reference every
# other locale follows. The question and the scale's ends are also the survey mail's.

## The form.

survey-title = Your opinion of { $shop }
survey-question = How likely are you to recommend { $shop } to a friend?
survey-scale-low = 0 = not at all likely
survey-scale-high = 10 = extremely likely
survey-comment-label = Anything else you would like to tell us? (optional)
survey-send = Send rating
# A click in the mail only preselects (link scanners must cast no vote): the page says so.
survey-counts-once-sent = Your rating counts only once you press "{ survey-send }".
# The form again, with what was wrong with the answer.
survey-error-score = Please choose a rating from 0 to 10.
survey-error-comment-too-long =
    Your comment is too long (at most { $max } { $max ->
        [one] character
       *[other] characters
    }).

## After an answer; promoters also get their own share link.

survey-thanks-title = Thank you for your rating!
survey-thanks-title-detractor = Thank you for your honest rating
survey-thanks-promoter = We are glad you would recommend us!
survey-thanks-passive = We are working on winning you over completely next time.
survey-thanks-detractor = We are sorry we did not live up to your expectations. Our team will look at your feedback and get in touch.
survey-share-intro = Your personal referral link:
survey-share-note = Share it with friends: when they place their first order, you both get a coupon.
survey-page-link = Copy or share your link, and see what it earns
survey-changed = You can change your rating at any time through the link in the email.

## Links that lead nowhere, and failures.

survey-not-found-title = Link not found
survey-not-found-text = This link is not valid. Please use the complete link from your email.
survey-expired-title = This survey has expired
survey-expired-text = Thank you for your interest. This survey no longer accepts answers.
survey-bad-score-title = Invalid rating
survey-server-error-title = Something went wrong
survey-server-error-text = Please try again in a few minutes.

## Unsubscribing: a confirmation first, so link scanners unsubscribe nobody.

survey-unsubscribe-title = No more surveys from { $shop }?
survey-unsubscribe-text = We will no longer send you surveys after your purchases, nor offers to come back.
survey-unsubscribe-button = Unsubscribe
survey-unsubscribed-title = You are unsubscribed
survey-unsubscribed-text = You will not receive any more surveys or offers from { $shop }.
