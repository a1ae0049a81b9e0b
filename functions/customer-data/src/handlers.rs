//! The shop's data requests for one customer, by customer id or by address.

use std::sync::Arc;

use axum::extract::State;
use axum::Json;
use domain::model::{CustomerId, Email};
use domain::ports::DataSubject;
use web::{ApiError, JsonFields, PathText};

use crate::bodies::{ByAddress, ErasureBody, ExportBody};
use crate::AppState;

/// `GET /customers/{customer_id}/export`: everything held about the customer; 404 if nothing.
#[utoipa::path(
    get,
    path = "/customers/{customer_id}/export",
    tag = "personal data",
    params(("customer_id" = String, Path, description = "The shop's id for the customer")),
    responses(
        (status = 200, description = "Everything stored about the customer, in one document", body = ExportBody),
        (status = 400, description = "`invalid_field` `customer_id`", body = web::ErrorEnvelope),
        (status = 404, description = "`not_found`: nothing is stored about this customer", body = web::ErrorEnvelope),
    ),
    security(("privacy_key" = []))
)]
#[tracing::instrument(skip_all)]
pub(crate) async fn export_customer(
    State(state): State<Arc<AppState>>,
    customer_id: PathText,
) -> Result<Json<ExportBody>, ApiError> {
    let subject = state.data.customer(customer(customer_id)?);
    export(&state, &subject).await
}

/// `POST /customers/export {"email"}`: everything held about the person behind the address.
#[utoipa::path(
    post,
    path = "/customers/export",
    tag = "personal data",
    request_body = ByAddress,
    responses(
        (status = 200, description = "Everything stored about every customer id whose profile or survey has the address", body = ExportBody),
        (status = 404, description = "`not_found`: nothing is stored about this person", body = web::ErrorEnvelope),
    ),
    security(("privacy_key" = []))
)]
#[tracing::instrument(skip_all)]
pub(crate) async fn export_person(
    State(state): State<Arc<AppState>>,
    body: JsonFields,
) -> Result<Json<ExportBody>, ApiError> {
    let subject = state.data.person(&body.required("email", Email::parse)?);
    export(&state, &subject).await
}

/// `DELETE /customers/{customer_id}`: erases the customer's personal data; idempotent.
#[utoipa::path(
    delete,
    path = "/customers/{customer_id}",
    tag = "personal data",
    params(("customer_id" = String, Path, description = "The shop's id for the customer")),
    responses(
        (status = 200, description = "What this call removed; all 0 the second time, and for a stranger", body = ErasureBody),
        (status = 400, description = "`invalid_field` `customer_id`", body = web::ErrorEnvelope),
    ),
    security(("privacy_key" = []))
)]
#[tracing::instrument(skip_all)]
pub(crate) async fn erase_customer(
    State(state): State<Arc<AppState>>,
    customer_id: PathText,
) -> Result<Json<ErasureBody>, ApiError> {
    let subject = state.data.customer(customer(customer_id)?);
    erase(&state, &subject).await
}

/// `POST /customers/erase {"email"}`: erases the personal data of the person behind the address.
#[utoipa::path(
    post,
    path = "/customers/erase",
    tag = "personal data",
    request_body = ByAddress,
    responses(
        (status = 200, description = "What this call removed; all 0 the second time, and for a stranger", body = ErasureBody),
    ),
    security(("privacy_key" = []))
)]
#[tracing::instrument(skip_all)]
pub(crate) async fn erase_person(
    State(state): State<Arc<AppState>>,
    body: JsonFields,
) -> Result<Json<ErasureBody>, ApiError> {
    let subject = state.data.person(&body.required("email", Email::parse)?);
    erase(&state, &subject).await
}

fn customer(raw: PathText) -> Result<CustomerId, ApiError> {
    raw.field("customer_id", CustomerId::parse)
}

async fn export(state: &AppState, subject: &DataSubject) -> Result<Json<ExportBody>, ApiError> {
    let data = state.data.export(subject).await?;
    tracing::info!(
        profiles = data.profiles.len(),
        surveys = data.surveys.len(),
        orders = data.orders.len(),
        "customer data exported"
    );
    Ok(Json(ExportBody::new(&data, state.data.now())))
}

async fn erase(state: &AppState, subject: &DataSubject) -> Result<Json<ErasureBody>, ApiError> {
    let erasure = state.data.erase(subject).await?;
    tracing::info!(
        profiles = erasure.profiles,
        referral_codes = erasure.referral_codes,
        claims = erasure.claims,
        surveys = erasure.surveys,
        messages_cancelled = erasure.messages_cancelled,
        messages_cleared = erasure.messages_cleared,
        "customer data erased"
    );
    Ok(Json(erasure.into()))
}
