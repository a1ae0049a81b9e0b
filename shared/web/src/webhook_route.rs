//! The platform webhook routes, documented once: `webhook_route!` writes a function's
//! `POST /webhooks/shopify` or `POST /webhooks/woocommerce` handler, its API description, and
//! the hand-over of the delivery to the function's `WebhookReceiver` (in its state's `webhooks`)
//! and its own `act`.

/// `webhook_route!(/// doc…  pub(crate) fn shopify(state: AppState, extra: Extractor…) for Shopify => act);`
/// writes the annotated axum handler; `act(&state, &extra…, request)` does the function's work.
#[macro_export]
macro_rules! webhook_route {
    (
        $(#[doc = $doc:literal])*
        $vis:vis fn $name:ident($state:ident: $app:ty $(, $extra:ident: $extra_ty:ty)*)
            for Shopify => $act:path
    ) => {
        $crate::webhook_route!(@route
            [$(#[doc = $doc])*] $vis $name $state $app [$($extra: $extra_ty),*] $act,
            Shopify, "/webhooks/shopify", ShopifyHeaders, "shopify_signature",
            "Shopify's payload for the topic"
        );
    };
    (
        $(#[doc = $doc:literal])*
        $vis:vis fn $name:ident($state:ident: $app:ty $(, $extra:ident: $extra_ty:ty)*)
            for WooCommerce => $act:path
    ) => {
        $crate::webhook_route!(@route
            [$(#[doc = $doc])*] $vis $name $state $app [$($extra: $extra_ty),*] $act,
            WooCommerce, "/webhooks/woocommerce", WooCommerceHeaders, "woocommerce_signature",
            "WooCommerce's payload for the topic"
        );
    };
    (@route
        [$(#[doc = $doc:literal])*] $vis:vis $name:ident $state:ident $app:ty
        [$($extra:ident: $extra_ty:ty),*] $act:path,
        $platform:ident, $path:literal, $headers:ident, $signature:literal, $payload:literal
    ) => {
        $(#[doc = $doc])*
        #[utoipa::path(
            post,
            path = $path,
            tag = "platform webhooks",
            params($crate::$headers),
            request_body(content = Object, content_type = "application/json", description = $payload),
            responses($crate::WebhookAnswers),
            security(($signature = []))
        )]
        #[tracing::instrument(skip_all)]
        $vis async fn $name(
            axum::extract::State($state): axum::extract::State<std::sync::Arc<$app>>,
            $($extra: $extra_ty,)*
            headers: axum::http::HeaderMap,
            $crate::RawBody(body): $crate::RawBody,
        ) -> axum::response::Response {
            $state
                .webhooks
                .receive(shop_platforms::Platform::$platform, &headers, &body, |request| {
                    $act(&$state, $(&$extra,)* request)
                })
                .await
        }
    };
}
