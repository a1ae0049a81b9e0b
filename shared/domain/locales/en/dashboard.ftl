## The staff's dashboard (functions/score-nps: dashboard.rs, dashboard_texts.rs,
## templates/dashboard.html). API paths and parameter values (GET /responses?follow_up=open,
## contacted) are what staff type: they stay as they are in every language.

dashboard-title = Customer feedback and referrals
# The date range form.
dashboard-range = Range
dashboard-show = Show

## The summary and the weekly chart.

dashboard-nps = Net Promoter Score
dashboard-margin = Margin of error (95 %)
dashboard-answers = Answers
dashboard-promoters = Promoters
dashboard-passives = Passives
dashboard-detractors = Detractors
dashboard-trend = NPS per week with margin of error
dashboard-per-week = Answers per week
# A week's bar without answers.
dashboard-no-answers = no answers
# Instead of a margin of error.
dashboard-too-few = too few answers (under 10)
# A chrono/strftime pattern: a week's start under the chart.
dashboard-date-format = %-d %b
# A strftime pattern: when something happened, on the shop's clock (%Z: the zone).
dashboard-time-format = %-d %b %Y, %H:%M %Z
# $zone: the shop's time zone (IANA name).
dashboard-times-in = Times in { $zone }.

## Detractors to follow up.

# $count: detractors still open in the range.
dashboard-open-detractors = Detractors to follow up ({ $count } open)
dashboard-none-open = No open or contacted detractors in this range.
dashboard-more-open = More via GET /responses?follow_up=open (or contacted).
dashboard-status = Status
dashboard-status-open = open
dashboard-status-contacted = contacted
dashboard-status-resolved = resolved
dashboard-note = Note
dashboard-save = Save
# Before the time the follow-up last changed.
dashboard-changed = changed
dashboard-order = Order
dashboard-customer = Customer
dashboard-segment = Segment
dashboard-no-comment = (no comment)
# What the follow-up form did, shown once at the top.
dashboard-saved = Saved.
dashboard-not-found = That answer no longer exists (erased?).
dashboard-no-follow-up = That answer has no follow-up (not a detractor's).

## Rewards held for review.

dashboard-reviews = Rewards held for review
dashboard-no-reviews = No reward is waiting for review.
dashboard-more-reviews = More: GET /reviews?status=open on reward-referral.
dashboard-referrer = referrer
dashboard-friend = friend
# Before the time the reward was held.
dashboard-held-since = held since
dashboard-review-hint = Approve or reject: POST /reviews/{"{"}order_id{"}"} on reward-referral.
# Why a reward was held.
dashboard-rule-orders-per-ip = many orders from one IP
dashboard-rule-rewards-per-week = many rewards of the referrer in a week
dashboard-rule-shipping-address = the referrer's shipping address
dashboard-rule-same-name = same name as the referrer

## The referral funnel.

dashboard-funnel = Referral programme
dashboard-codes = Codes created
dashboard-clicks = Clicks
dashboard-claims = Friend offers claimed
dashboard-rewarded = Rewarded referrals
# $reason: the rejection's code, as the API names it (self_referral, …).
dashboard-rejected = Rejected: { $reason }
dashboard-issued = Coupons issued
dashboard-revoked = Coupons revoked

## Retention.

dashboard-retention = Retention
dashboard-retention-rate = Retention rate
dashboard-repeat-rate = Repeat-purchase rate
dashboard-reminders = Survey reminders sent
dashboard-reminded-answers = Answers after a reminder
dashboard-winback-sent = Win-back mails sent
dashboard-won-back = Won back (ordered while the coupon was valid)
dashboard-winback-revenue = Won-back revenue
