//! Credits in the app: the balance in the header (read before the page
//! renders, refreshed after each reply), the low-balance notice,
//! and the wallet page (its own chunk). What credits are and how replies
//! are charged is `domain::credits` (`docs/credits.md`).

mod wallet;

use crate::error::AppError;
use crate::i18n::{Key, use_locale};
use leptos::prelude::*;
pub use wallet::WalletRoute;
use wire::credits::{Balance, Spending, Wallet};

#[cfg(feature = "ssr")]
use {
    crate::server::{context, finish},
    domain::credits::account as ops,
};

pub use wire::paths::WALLET_PATH;

/// The signed-in user's balance.
#[server(endpoint = "account/credits/balance")]
pub async fn credits_balance() -> Result<Balance, AppError> {
    let (services, actor) = context()?;
    finish(ops::my_balance(&services, &actor).await)
}

/// The wallet: one page of the ledger, of one kind of entry when given.
#[server(endpoint = "account/credits/wallet")]
pub async fn credits_wallet(kind: String, page: u64) -> Result<Wallet, AppError> {
    let (services, actor) = context()?;
    finish(ops::wallet(&services, &actor, Some(kind), page).await)
}

/// Sets the signed-in user's monthly spending cap, typed in the display
/// unit (empty: no cap); this month's spending after it.
#[server(endpoint = "account/credits/cap")]
pub async fn set_spending_cap(cap: String) -> Result<Spending, AppError> {
    let (services, actor) = context()?;
    let cap = typed_amount(&services, &cap)?;
    finish(ops::set_my_cap(&services, &actor, cap).await)
}

/// An amount of credits a form field holds, typed in the display unit
/// (`None` when empty); a bad one is the `Credits` field's error.
#[cfg(feature = "ssr")]
pub(crate) fn typed_amount(services: &domain::Services, typed: &str) -> Result<Option<i64>, AppError> {
    match typed.trim() {
        "" => Ok(None),
        typed => finish(
            services
                .settings
                .credits
                .units
                .parse(typed)
                .map(Some)
                .map_err(|p| AppError::invalid(crate::error::Field::Credits, p)),
        ),
    }
}

/// The balance as the page knows it (`None` until fetched, or signed out).
#[derive(Clone, Copy)]
pub struct Credits(RwSignal<Option<Balance>>);

/// The signed-in user's balance when a page is requested, read before the
/// page renders ([`page_balance`]), so the header's balance and the
/// low-balance notice are in the server's HTML: shown from the first paint,
/// not inserted above the page once the WASM has loaded.
#[cfg(feature = "ssr")]
#[derive(Clone)]
pub struct PageBalance(pub Balance);

/// Middleware on the pages (inside the session's): for a signed-in
/// browser's page request while credits are enforced, reads the balance
/// into [`PageBalance`]. A failed read leaves it out (the browser fetches
/// it, as before). The 404 page, served outside these routes, fetches it
/// in the browser.
#[cfg(feature = "ssr")]
pub async fn page_balance(
    axum::extract::State(services): axum::extract::State<domain::Services>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let wants_page = matches!(*request.method(), http::Method::GET | http::Method::HEAD)
        && !request.uri().path().starts_with("/api/")
        && request
            .headers()
            .get(http::header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|accept| accept.contains("text/html"));
    let signed_in = request
        .extensions()
        .get::<crate::server::RequestSession>()
        .is_some_and(|s| s.0.is_some());
    // Nothing shows the balance while credits are not enforced.
    if !(wants_page && signed_in && services.settings.credits.enforce) {
        return next.run(request).await;
    }
    let (mut parts, body) = request.into_parts();
    let actor = crate::server::actor_of(&parts);
    if let Ok(balance) = ops::my_balance(&services, &actor).await {
        parts.extensions.insert(PageBalance(balance));
    }
    next.run(axum::extract::Request::from_parts(parts, body)).await
}

/// On the server, the balance [`page_balance`] read for this request; in
/// the browser (only reached when the page carried none), nothing.
fn balance_of_this_request() -> Option<Balance> {
    #[cfg(feature = "ssr")]
    {
        use_context::<http::request::Parts>()
            .and_then(|p| p.extensions.get::<PageBalance>().cloned())
            .map(|b| b.0)
    }
    #[cfg(not(feature = "ssr"))]
    {
        None
    }
}

/// Provides [`Credits`]: the balance the page was rendered with, fetched
/// again whenever who is signed in changes (and at first when the page
/// came without one).
pub fn provide_credits() {
    let initial = crate::codec::shared(balance_of_this_request);
    let known_at_start = initial.is_some();
    let state = Credits(RwSignal::new(initial));
    provide_context(state);
    let viewer = crate::components::viewer::use_viewer();
    // Effects run in the browser only.
    Effect::new(move |previous: Option<()>| {
        if viewer.with(|v| v.is_some()) {
            if previous.is_some() || !known_at_start {
                refresh();
            }
        } else {
            state.0.set(None);
        }
    });
}

/// Fetches the balance again (after a reply, a purchase).
pub fn refresh() {
    let Some(state) = use_context::<Credits>() else { return };
    leptos::task::spawn_local(async move {
        // On failure the last known balance stays.
        if let Ok(balance) = credits_balance().await {
            state.0.try_set(Some(balance));
        }
    });
}

/// The balance, where the page shows it.
pub fn use_balance() -> Option<Balance> {
    use_context::<Credits>().and_then(|c| c.0.get())
}

/// The header's balance: what may be spent, linking to the wallet; what
/// is held for replies in progress on hover and focus. One element whose
/// text follows the balance (replacing it would drop the focus of someone
/// tabbing past it as a reply's cost arrives).
#[component]
pub fn BalancePill() -> impl IntoView {
    let locale = use_locale();
    let Some(Credits(state)) = use_context::<Credits>() else {
        return ().into_any();
    };
    let shown = move || state.get().filter(|b| b.enforced);
    let available = move || shown().map(|b| b.units.format(b.available, locale)).unwrap_or_default();
    let label = move || {
        shown()
            .map(|b| {
                locale
                    .t(Key::CreditsBalanceLabel)
                    .replace("{available}", &b.units.format(b.available, locale))
                    .replace("{held}", &b.units.format(b.held, locale))
            })
            .unwrap_or_default()
    };
    let low = move || shown().is_some_and(|b| b.is_low());
    view! {
        <Show when=move || shown().is_some()>
            <a
                href=WALLET_PATH
                class=move || if low() { "pill pill-low" } else { "pill" }
                title=label
                aria-label=label
                aria-current=crate::components::aria_current(WALLET_PATH)
                data-testid="balance"
            >
                {available}
            </a>
        </Show>
    }
    .into_any()
}

/// Shown under the header while the balance is at or below
/// `CREDITS_LOW_BALANCE`.
#[component]
pub fn LowBalance() -> impl IntoView {
    let locale = use_locale();
    move || {
        let balance = use_balance().filter(Balance::is_low)?;
        let text = locale
            .t(Key::CreditsLow)
            .replace("{available}", &balance.units.format(balance.available, locale));
        Some(view! {
            <div role="status" class="border-b border-accent-300 bg-accent-50 px-4 py-2 text-center text-sm text-accent-950 dark:border-accent-700 dark:bg-accent-950 dark:text-accent-100" data-testid="low-balance">
                {text} " " <GetCredits />
            </div>
        })
    }
}

/// Where credits are obtained: the page of a feature that sells them
/// (payments: pricing) when this instance offers it, else the support
/// address, else the wallet.
#[component]
pub fn GetCredits() -> impl IntoView {
    let locale = use_locale();
    let setup = crate::components::use_setup();
    let sold = crate::features::ALL
        .iter()
        .filter(|f| setup.offers(f.name))
        .find_map(|f| f.credits_path);
    let (href, key) = match (sold, setup.support_link()) {
        (Some(path), _) => (path.to_owned(), Key::CreditsGetMore),
        (None, Some((mailto, _))) => (mailto, Key::CreditsAskSupport),
        (None, None) => (WALLET_PATH.to_owned(), Key::CreditsSeeWallet),
    };
    view! { <a href=href class="link font-medium" data-testid="get-credits">{locale.t(key)}</a> }
}
