//! Shopify's Admin GraphQL API: `discountCodeBasicCreate`, `codeDiscountNodeByCode`,
//! `discountCodeDeactivate`, and `shop { currencyCode }` once per container.

use std::time::{Duration, Instant};

use async_trait::async_trait;
use domain::model::{rfc3339, CombinesWith, CouponCode, Currency, NewDiscount, PlatformDiscountId};
use domain::ports::{PlatformDiscounts, PlatformError};
use serde_json::{json, Value};
use shop_platforms::ShopifyShop;
use tokio::sync::Mutex;

use super::{
    by_status, decimal_amount, decimal_minimum, http_client, reason, unreachable, SetupError,
};

/// The Admin API version every request names; Shopify supports a version for a year.
pub const SHOPIFY_API_VERSION: &str = "2026-10";

const PLATFORM: &str = "Shopify";

const SHOP_CURRENCY: &str = "query ShopCurrency { shop { currencyCode } }";

const CREATE: &str = "mutation CreateDiscount($discount: DiscountCodeBasicInput!) { \
    discountCodeBasicCreate(basicCodeDiscount: $discount) { \
    codeDiscountNode { id } userErrors { field code message } } }";

const FIND: &str =
    "query DiscountByCode($code: String!) { codeDiscountNodeByCode(code: $code) { id } }";

const DEACTIVATE: &str = "mutation DeactivateDiscount($id: ID!) { \
    discountCodeDeactivate(id: $id) { \
    codeDiscountNode { id } userErrors { field code message } } }";

/// How long one call waits in all for Shopify's cost bucket to refill before it gives the
/// message back to the outbox (deferred, no attempt used); well inside a claim (60 s).
const MAX_THROTTLE_WAIT: Duration = Duration::from_secs(20);

/// A token from the client credentials grant is fetched again this long before it expires.
const TOKEN_MARGIN: Duration = Duration::from_secs(300);

/// How the app authenticates.
#[derive(Clone)]
pub enum ShopifyCredentials {
    /// A Dev Dashboard app: tokens from the client credentials grant, cached and renewed.
    ClientCredentials { client_id: String, secret: String },
    /// A legacy custom app's Admin API access token (`shpat_…`).
    AccessToken(String),
}

/// Never printed: the secret and the token stay out of logs.
impl std::fmt::Debug for ShopifyCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::ClientCredentials { client_id, .. } => {
                write!(
                    f,
                    "ClientCredentials {{ client_id: {client_id:?}, secret: … }}"
                )
            }
            Self::AccessToken(_) => f.write_str("AccessToken(…)"),
        }
    }
}

struct CachedToken {
    token: String,
    renew_at: Instant,
}

/// The shop's Admin API, with its token and currency cached for the container's life.
pub struct ShopifyAdmin {
    client: reqwest::Client,
    origin: String,
    credentials: ShopifyCredentials,
    combines_with: CombinesWith,
    token: Mutex<Option<CachedToken>>,
    /// The shop's currency once read: discounts are created only in it.
    currency: Mutex<Option<Currency>>,
}

impl ShopifyAdmin {
    pub fn new(
        shop: &ShopifyShop,
        credentials: ShopifyCredentials,
        combines_with: CombinesWith,
    ) -> Result<Self, SetupError> {
        Ok(Self {
            client: http_client()?,
            origin: shop.origin(),
            credentials,
            combines_with,
            token: Mutex::new(None),
            currency: Mutex::new(None),
        })
    }

    async fn token(&self, renew: bool) -> Result<String, PlatformError> {
        let (client_id, secret) = match &self.credentials {
            ShopifyCredentials::AccessToken(token) => return Ok(token.clone()),
            ShopifyCredentials::ClientCredentials { client_id, secret } => (client_id, secret),
        };
        let mut cached = self.token.lock().await;
        if let Some(token) = cached
            .as_ref()
            .filter(|t| !renew && Instant::now() < t.renew_at)
        {
            return Ok(token.token.clone());
        }
        let form: String = form_urlencoded::Serializer::new(String::new())
            .append_pair("grant_type", "client_credentials")
            .append_pair("client_id", client_id)
            .append_pair("client_secret", secret)
            .finish();
        let response = self
            .client
            .post(format!("{}/admin/oauth/access_token", self.origin))
            .header("content-type", "application/x-www-form-urlencoded")
            .header("accept", "application/json")
            .body(form)
            .send()
            .await
            .map_err(|e| unreachable(PLATFORM, &e))?;
        let status = response.status();
        let body = response.text().await.unwrap_or_default();
        if !status.is_success() {
            // The answer names the client id at most, never echoes the secret.
            return Err(by_status("Shopify's access token grant", status, &body));
        }
        let grant: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
        let token = grant["access_token"].as_str().ok_or_else(|| {
            PlatformError::Transient(reason(
                PLATFORM,
                "the access token grant answered without an access_token",
            ))
        })?;
        let lifetime = Duration::from_secs(grant["expires_in"].as_u64().unwrap_or(3600));
        *cached = Some(CachedToken {
            token: token.to_owned(),
            renew_at: Instant::now() + lifetime.saturating_sub(TOKEN_MARGIN).max(lifetime / 2),
        });
        Ok(token.to_owned())
    }

    /// One GraphQL request's `data`: a token refused with 401 is renewed once; a throttled
    /// request waits for the bucket to refill, up to [`MAX_THROTTLE_WAIT`] in all.
    async fn graphql(&self, query: &str, variables: Value) -> Result<Value, PlatformError> {
        let body = json!({"query": query, "variables": variables});
        let mut renewed = false;
        let mut waited = Duration::ZERO;
        loop {
            let token = self.token(false).await?;
            let response = self
                .client
                .post(format!(
                    "{}/admin/api/{SHOPIFY_API_VERSION}/graphql.json",
                    self.origin
                ))
                .header("x-shopify-access-token", token)
                .json(&body)
                .send()
                .await
                .map_err(|e| unreachable(PLATFORM, &e))?;
            let status = response.status();
            let text = response.text().await.unwrap_or_default();
            if status == reqwest::StatusCode::UNAUTHORIZED
                && !renewed
                && matches!(
                    self.credentials,
                    ShopifyCredentials::ClientCredentials { .. }
                )
            {
                renewed = true;
                self.token(true).await?;
                continue;
            }
            if !status.is_success() {
                return Err(by_status(PLATFORM, status, &text));
            }
            let answer: Value = serde_json::from_str(&text).map_err(|_| {
                PlatformError::Transient(reason(PLATFORM, "the answer was not JSON"))
            })?;
            match throttled(&answer) {
                Some(wait) if waited + wait <= MAX_THROTTLE_WAIT => {
                    waited += wait;
                    tokio::time::sleep(wait).await;
                    continue;
                }
                Some(wait) => {
                    return Err(PlatformError::Throttled {
                        wait,
                        reason: reason(PLATFORM, "THROTTLED: the API's cost bucket is empty"),
                    })
                }
                None => {}
            }
            if let Some(errors) = answer["errors"].as_array().filter(|e| !e.is_empty()) {
                let messages: Vec<&str> = errors
                    .iter()
                    .filter_map(|e| e["message"].as_str())
                    .collect();
                return Err(PlatformError::Refused(reason(
                    PLATFORM,
                    &messages.join("; "),
                )));
            }
            return Ok(answer["data"].clone());
        }
    }

    /// Fails (for good) when the shop sells in another currency than the coupon's: a discount
    /// of "10" would be 10 of the shop's currency.
    async fn check_currency(&self, wanted: &Currency) -> Result<(), PlatformError> {
        let mut known = self.currency.lock().await;
        let shop = match known.as_ref() {
            Some(currency) => currency.clone(),
            None => {
                let data = self.graphql(SHOP_CURRENCY, json!({})).await?;
                let currency = data["shop"]["currencyCode"]
                    .as_str()
                    .and_then(|c| Currency::parse(c).ok())
                    .ok_or_else(|| {
                        PlatformError::Transient(reason(
                            PLATFORM,
                            "the shop's currency is unreadable",
                        ))
                    })?;
                *known = Some(currency.clone());
                currency
            }
        };
        if &shop == wanted {
            Ok(())
        } else {
            Err(PlatformError::Refused(reason(
                PLATFORM,
                &format!(
                    "the shop's currency is {shop}, the coupon's (REWARD_CURRENCY) {wanted}: \
                     no discount created"
                ),
            )))
        }
    }

    fn variables(&self, discount: &NewDiscount) -> Result<Value, PlatformError> {
        let amount = decimal_amount(PLATFORM, discount)?;
        let context = match shopify_customer(discount.customer_id.as_ref()) {
            Some(gid) => json!({"customers": {"add": [gid]}}),
            None => json!({"all": "ALL"}),
        };
        let minimum = decimal_minimum(PLATFORM, discount)?
            .map(|subtotal| json!({"subtotal": {"greaterThanOrEqualToSubtotal": subtotal}}));
        Ok(json!({"discount": {
            "title": discount.title(),
            "code": discount.coupon.as_ref(),
            "startsAt": rfc3339(discount.starts_at),
            "endsAt": discount.ends_at.map(rfc3339),
            "customerGets": {
                "value": {"discountAmount": {"amount": amount, "appliesOnEachItem": false}},
                "items": {"all": true},
            },
            "usageLimit": 1,
            "appliesOncePerCustomer": true,
            "minimumRequirement": minimum,
            "context": context,
            "combinesWith": {
                "orderDiscounts": self.combines_with.order_discounts,
                "productDiscounts": self.combines_with.product_discounts,
                "shippingDiscounts": self.combines_with.shipping_discounts,
            },
        }}))
    }
}

/// Shopify's customer ids are digits only, as its webhooks and a storefront pass them; a guest's
/// `guest-…` id, or any other shop's id, names nobody Shopify knows.
fn shopify_customer(customer_id: &str) -> Option<String> {
    let digits = !customer_id.is_empty() && customer_id.bytes().all(|b| b.is_ascii_digit());
    digits.then(|| format!("gid://shopify/Customer/{customer_id}"))
}

/// How long to wait when Shopify answered `THROTTLED`: until the bucket holds the request's cost.
fn throttled(answer: &Value) -> Option<Duration> {
    let errors = answer["errors"].as_array()?;
    let throttled = errors
        .iter()
        .any(|e| e["extensions"]["code"].as_str() == Some("THROTTLED"));
    if !throttled {
        return None;
    }
    let cost = &answer["extensions"]["cost"];
    let requested = cost["requestedQueryCost"].as_f64().unwrap_or(10.0);
    let available = cost["throttleStatus"]["currentlyAvailable"]
        .as_f64()
        .unwrap_or(0.0);
    let restore = cost["throttleStatus"]["restoreRate"]
        .as_f64()
        .filter(|r| *r > 0.0)
        .unwrap_or(50.0);
    let seconds = ((requested - available).max(0.0) / restore).max(0.05);
    Some(Duration::from_secs_f64(seconds.min(60.0)))
}

/// The user errors of a mutation's payload, and whether one says the code is taken.
fn user_errors(payload: &Value) -> (Vec<String>, bool) {
    let errors = payload["userErrors"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let taken = errors.iter().any(|e| e["code"].as_str() == Some("TAKEN"));
    let messages = errors
        .iter()
        .map(|e| {
            let field = e["field"]
                .as_array()
                .map(|parts| {
                    parts
                        .iter()
                        .filter_map(Value::as_str)
                        .collect::<Vec<_>>()
                        .join(".")
                })
                .unwrap_or_default();
            let code = e["code"].as_str().unwrap_or("");
            let message = e["message"].as_str().unwrap_or("");
            format!("{field} {code}: {message}")
        })
        .collect();
    (messages, taken)
}

fn discount_id(node: &Value) -> Option<PlatformDiscountId> {
    node["id"]
        .as_str()
        .and_then(|id| PlatformDiscountId::parse(id).ok())
}

#[async_trait]
impl PlatformDiscounts for ShopifyAdmin {
    async fn create(&self, discount: &NewDiscount) -> Result<PlatformDiscountId, PlatformError> {
        self.check_currency(&discount.currency).await?;
        let data = self.graphql(CREATE, self.variables(discount)?).await?;
        let payload = &data["discountCodeBasicCreate"];
        if let Some(id) = discount_id(&payload["codeDiscountNode"]) {
            return Ok(id);
        }
        let (messages, taken) = user_errors(payload);
        if taken {
            // An earlier attempt created it and did not live to record the id.
            return self.find(&discount.coupon).await?.ok_or_else(|| {
                PlatformError::Transient(reason(
                    PLATFORM,
                    "the code is taken, but no discount with it was found",
                ))
            });
        }
        Err(PlatformError::Refused(reason(
            PLATFORM,
            &format!("discountCodeBasicCreate: {}", messages.join("; ")),
        )))
    }

    async fn find(&self, code: &CouponCode) -> Result<Option<PlatformDiscountId>, PlatformError> {
        let data = self.graphql(FIND, json!({"code": code.as_ref()})).await?;
        Ok(discount_id(&data["codeDiscountNodeByCode"]))
    }

    async fn deactivate(&self, id: &PlatformDiscountId) -> Result<(), PlatformError> {
        let data = self.graphql(DEACTIVATE, json!({"id": id.as_ref()})).await?;
        let payload = &data["discountCodeDeactivate"];
        if discount_id(&payload["codeDiscountNode"]).is_some() {
            return Ok(());
        }
        let (messages, _) = user_errors(payload);
        if messages.is_empty() {
            return Ok(());
        }
        Err(PlatformError::Refused(reason(
            PLATFORM,
            &format!("discountCodeDeactivate: {}", messages.join("; ")),
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_digit_ids_are_shopify_customers() {
        assert_eq!(
            shopify_customer("7001").as_deref(),
            Some("gid://shopify/Customer/7001")
        );
        for other in ["guest-3f2a", "", "c-1", "12a"] {
            assert_eq!(shopify_customer(other), None, "{other}");
        }
    }

    #[test]
    fn a_throttled_answer_waits_until_the_bucket_holds_the_cost() {
        let answer = json!({
            "errors": [{"message": "Throttled", "extensions": {"code": "THROTTLED"}}],
            "extensions": {"cost": {"requestedQueryCost": 10, "actualQueryCost": null,
                "throttleStatus": {"maximumAvailable": 2000.0, "currentlyAvailable": 4,
                                   "restoreRate": 100.0}}}
        });
        assert_eq!(throttled(&answer), Some(Duration::from_millis(60)));
        assert_eq!(throttled(&json!({"data": {}})), None);
        let other = json!({"errors": [{"message": "Field 'x' doesn't exist"}]});
        assert_eq!(throttled(&other), None);
    }

    #[test]
    fn user_errors_say_whether_the_code_is_taken() {
        let payload = json!({"codeDiscountNode": null, "userErrors": [
            {"field": ["basicCodeDiscount", "code"], "code": "TAKEN",
             "message": "Code must be unique. Please try a different code."}]});
        let (messages, taken) = user_errors(&payload);
        assert!(taken);
        assert_eq!(
            messages,
            ["basicCodeDiscount.code TAKEN: Code must be unique. Please try a different code."]
        );
    }

    #[test]
    fn credentials_are_never_printed() {
        let credentials = ShopifyCredentials::ClientCredentials {
            client_id: "abc".into(),
            secret: "shpss_secret".into(),
        };
        assert!(!format!("{credentials:?}").contains("shpss_secret"));
        let token = ShopifyCredentials::AccessToken("shpat_token".into());
        assert!(!format!("{token:?}").contains("shpat_token"));
    }
}
