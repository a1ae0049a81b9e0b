//! `POST /webhooks/shopify`: Shopify's mandatory privacy topics. `customers/redact` erases the
//! customer (by id and by address); `customers/data_request` and `shop/redact` are logged and
//! answered 200 (the export is the shop's to fetch through `/customers/…/export`; a shop
//! deleting its stack deletes the table).

use domain::ports::Erasure;
use serde::Serialize;
use shop_platforms::{DataRequest, PrivacyRequest};
use web::ApiError;

use crate::bodies::ErasureBody;
use crate::AppState;

web::webhook_route! {
    /// Shopify's mandatory privacy topics: `customers/redact` erases the customer by id and by
    /// address; `customers/data_request` and `shop/redact` are logged.
    pub(crate) fn shopify(state: AppState) for Shopify => act
}

/// What a privacy delivery answers: what was erased, or that the request was logged.
#[derive(Serialize)]
#[serde(untagged)]
enum PrivacyAnswer {
    Erased {
        /// `customers/redact`.
        handled: &'static str,
        #[serde(flatten)]
        erased: ErasureBody,
    },
    Logged {
        /// `customers/data_request` or `shop/redact`.
        handled: &'static str,
        status: &'static str,
    },
}

async fn act(state: &AppState, request: PrivacyRequest) -> Result<PrivacyAnswer, ApiError> {
    Ok(match request {
        PrivacyRequest::Erase(subject) => {
            let erasure = erase(state, &subject).await?;
            tracing::info!(
                profiles = erasure.profiles,
                surveys = erasure.surveys,
                "customer redacted at Shopify's request"
            );
            PrivacyAnswer::Erased {
                handled: "customers/redact",
                erased: ErasureBody::from(erasure),
            }
        }
        PrivacyRequest::DataRequest(subject) => {
            // Neither the id nor the address is logged: the shop sees the request in Shopify.
            tracing::info!(
                by_id = subject.customer_id.is_some(),
                by_address = subject.email.is_some(),
                "customer data requested through Shopify; export with GET /customers/{{id}}/export"
            );
            PrivacyAnswer::Logged {
                handled: "customers/data_request",
                status: "logged",
            }
        }
        PrivacyRequest::ShopRedact { .. } => {
            tracing::info!(
                "shop redaction requested through Shopify; deleting the stack deletes the table"
            );
            PrivacyAnswer::Logged {
                handled: "shop/redact",
                status: "logged",
            }
        }
    })
}

/// Erases by the customer id and by the address, so a guest checkout under the same address
/// goes too; the two counts add up.
async fn erase(state: &AppState, subject: &DataRequest) -> Result<Erasure, ApiError> {
    let mut total = Erasure::default();
    let subjects = subject
        .customer_id
        .clone()
        .map(|id| state.data.customer(id))
        .into_iter()
        .chain(subject.email.as_ref().map(|email| state.data.person(email)));
    for one in subjects {
        total = total + state.data.erase(&one).await?;
    }
    Ok(total)
}
