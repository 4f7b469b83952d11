//! Starting a payment: the user's Stripe customer (created once), a
//! Checkout Session per offer (reused while open), the billing portal, and
//! the state the success page polls.

use super::client::{CheckoutRequest, Stripe, StripeCallError};
use crate::actor::Actor;
use crate::error::{DomainError, Result};
use crate::services::Services;
use chrono::{DateTime, Duration, Utc};
use entity::{stripe_checkout_sessions as sessions, stripe_customers as customers, stripe_subscriptions as subs};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, Set};
use wire::payments::{CheckoutProgress, OfferKind, Pricing};
use wire::payments::{PAYMENT_PATH, SUCCESS_PATH};

/// An open session is reused only if it stays open at least this long.
const REUSE_MARGIN_MINUTES: i64 = 10;

pub(super) fn stripe(services: &Services) -> Result<&Stripe> {
    services
        .features
        .stripe
        .as_ref()
        .ok_or(DomainError::PaymentsUnavailable)
}

fn unavailable(e: StripeCallError) -> DomainError {
    tracing::error!(error = %e, "a call to Stripe failed");
    DomainError::PaymentsUnavailable
}

/// The offers on sale (for everyone).
pub fn pricing(services: &Services) -> Pricing {
    let settings = services.features.stripe.as_ref().map(|s| &s.settings);
    Pricing {
        offers: settings
            .map(|s| s.offers.iter().map(|o| o.offer.clone()).collect())
            .unwrap_or_default(),
        enabled: settings.is_some(),
    }
}

/// The Checkout URL for `offer_id`: an open session the app made for this user
/// and offer, or a new one.
#[tracing::instrument(skip_all, fields(actor = %actor.label(), offer_id))]
pub async fn start(services: &Services, actor: &Actor, offer_id: &str) -> Result<String> {
    let current = actor.verified()?;
    let stripe = stripe(services)?;
    let priced = stripe.settings.offer(offer_id).ok_or(DomainError::NotFound)?;
    let user = &current.user;
    let now = Utc::now();
    if priced.offer.kind.is_subscription() && has_live_subscription(services, user.id, now).await? {
        return Err(DomainError::AlreadySubscribed);
    }
    let customer = customer_for(services, stripe, user).await?;

    let fresh_until = now + Duration::minutes(REUSE_MARGIN_MINUTES);
    let reusable = sessions::Entity::find()
        .filter(sessions::Column::UserId.eq(user.id))
        .filter(sessions::Column::Offer.eq(offer_id))
        .filter(sessions::Column::Status.eq("open"))
        .filter(sessions::Column::ExpiresAt.gt(fresh_until))
        .order_by_desc(sessions::Column::CreatedAt)
        .one(&services.db)
        .await?;
    if let Some(open) = reusable.filter(|s| !s.url.is_empty()) {
        return Ok(open.url);
    }

    // The key names the user, the offer and how many of their sessions for
    // it are over (completed or expired): every attempt until one is over
    // sends the same key, so Stripe answers with the same session however
    // often it is retried or double-clicked; buying again afterwards gets a
    // new one.
    let earlier = sessions::Entity::find()
        .filter(sessions::Column::UserId.eq(user.id))
        .filter(sessions::Column::Offer.eq(offer_id))
        .filter(
            sea_orm::Condition::any()
                .add(sessions::Column::Status.ne("open"))
                .add(sessions::Column::ExpiresAt.lte(fresh_until)),
        )
        .count(&services.db)
        .await?;
    let idempotency_key = format!("{}-checkout-{}-{offer_id}-{earlier}", wire::brand::SLUG, user.id);
    let pass_days = match priced.offer.kind {
        OfferKind::Pass { days } => Some(days),
        OfferKind::Monthly | OfferKind::Yearly => None,
    };
    let user_id = user.id.to_string();
    let success_url = services.link(&format!("{SUCCESS_PATH}?session_id={{CHECKOUT_SESSION_ID}}"));
    let cancel_url = services.link(&format!("{PAYMENT_PATH}?cancelled=1"));
    let created = stripe
        .create_checkout_session(&CheckoutRequest {
            idempotency_key: &idempotency_key,
            customer: &customer,
            user_id: &user_id,
            offer_id,
            price_id: &priced.price_id,
            mode: priced.offer.kind.checkout_mode(),
            pass_days,
            success_url: &success_url,
            cancel_url: &cancel_url,
        })
        .await
        .map_err(unavailable)?;
    let expires_at = DateTime::from_timestamp(created.expires_at, 0).unwrap_or(now + Duration::hours(24));
    // A concurrent retry may have stored the same session already.
    sessions::Entity::insert(sessions::ActiveModel {
        id: Set(created.id),
        user_id: Set(user.id),
        offer: Set(offer_id.to_owned()),
        mode: Set(priced.offer.kind.checkout_mode().to_owned()),
        url: Set(created.url.clone()),
        idempotency_key: Set(idempotency_key),
        status: Set("open".to_owned()),
        subscription_id: Set(None),
        pass_days: Set(pass_days.map(|d| d as i32)),
        created_at: Set(now),
        expires_at: Set(expires_at),
        paid_at: Set(None),
        failed_at: Set(None),
        updated_at: Set(now),
    })
    .on_conflict(OnConflict::new().do_nothing().to_owned())
    .exec_without_returning(&services.db)
    .await?;
    Ok(created.url)
}

/// Whether the user has a subscription that still gives access (they manage
/// it in the billing portal rather than buying a second one).
async fn has_live_subscription(services: &Services, user: uuid::Uuid, now: DateTime<Utc>) -> Result<bool> {
    Ok(subs::Entity::find()
        .filter(subs::Column::UserId.eq(user))
        .filter(subs::Column::AccessUntil.gt(now))
        .filter(subs::Column::Status.ne("canceled"))
        .count(&services.db)
        .await?
        > 0)
}

/// The user's Stripe customer id, created on first use.
async fn customer_for(services: &Services, stripe: &Stripe, user: &entity::users::Model) -> Result<String> {
    if let Some(c) = customers::Entity::find_by_id(user.id).one(&services.db).await? {
        return Ok(c.customer_id);
    }
    let id = stripe
        .create_customer(&user.id.to_string(), &user.email, &user.display_name)
        .await
        .map_err(unavailable)?;
    // Two tabs racing get the same customer (same idempotency key); the
    // first insert wins and the second changes nothing.
    customers::Entity::insert(customers::ActiveModel {
        user_id: Set(user.id),
        customer_id: Set(id.clone()),
        created_at: Set(Utc::now()),
    })
    .on_conflict(OnConflict::column(customers::Column::UserId).do_nothing().to_owned())
    .exec_without_returning(&services.db)
    .await?;
    Ok(id)
}

/// The user's customer id, if they ever started a checkout.
pub async fn customer_of(services: &Services, user: uuid::Uuid) -> Result<Option<String>> {
    Ok(customers::Entity::find_by_id(user)
        .one(&services.db)
        .await?
        .map(|c| c.customer_id))
}

/// Whether the user has a Stripe customer (and so a billing portal).
#[tracing::instrument(skip_all, fields(actor = %actor.label()))]
pub async fn has_billing(services: &Services, actor: &Actor) -> Result<bool> {
    let current = actor.verified()?;
    Ok(services.features.stripe.is_some() && customer_of(services, current.user.id).await?.is_some())
}

/// A billing portal URL for the user (change plan, card, cancel, invoices).
#[tracing::instrument(skip_all, fields(actor = %actor.label()))]
pub async fn portal(services: &Services, actor: &Actor) -> Result<String> {
    let current = actor.verified()?;
    let stripe = stripe(services)?;
    let customer = customer_of(services, current.user.id)
        .await?
        .ok_or(DomainError::NotFound)?;
    let return_url = services.link(wire::paths::ACCOUNT_PATH);
    // A double click within the same minute opens one session.
    let minute = Utc::now().timestamp() / 60;
    stripe
        .create_portal_session(
            &customer,
            &return_url,
            &format!("{}-portal-{customer}-{minute}", wire::brand::SLUG),
        )
        .await
        .map_err(unavailable)
}

/// Where the user's checkout `session_id` stands. Only the webhook grants
/// access; this reads what it wrote.
#[tracing::instrument(skip_all, fields(actor = %actor.label()))]
pub async fn progress(services: &Services, actor: &Actor, session_id: &str) -> Result<CheckoutProgress> {
    let current = actor.verified()?;
    let session = sessions::Entity::find_by_id(session_id.to_owned())
        .one(&services.db)
        .await?
        .filter(|s| s.user_id == current.user.id)
        .ok_or(DomainError::NotFound)?;
    let now = Utc::now();
    let access = crate::access::state_for(&services.db, &current.user, now).await?;
    // Paid and the webhook has granted access (a subscription's access
    // comes with its first `invoice.paid`, which may follow the session's
    // completion by a moment).
    let paid_access = access.granted && access.reason == Some(wire::access::AccessReason::Payment);
    Ok(if session.failed_at.is_some() {
        CheckoutProgress::Failed
    } else if access.granted && (session.paid_at.is_some() || paid_access) {
        CheckoutProgress::Granted {
            landing: wire::features::main_path().to_owned(),
        }
    } else if session.status == "expired" || (session.status == "open" && session.expires_at <= now) {
        CheckoutProgress::Expired
    } else {
        CheckoutProgress::Waiting
    })
}
