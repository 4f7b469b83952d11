//! The wallet page (`/wallet`, its own chunk): the balance and what is
//! held, the free quota's next renewal, the buckets credits come from, the
//! ledger a page at a time (filtered by kind), and what each conversation
//! cost.

use super::{GetCredits, SetSpendingCap, credits_wallet};
use crate::components::Gated;
use crate::components::PostForm;
use crate::components::form::{FormError, FormState, Notice, Submit, TextField};
use crate::error::Field;
use crate::i18n::{Key, Locale, use_locale};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::path;
use wire::credits::{ENTRY_KINDS, Spending, Units, Wallet};

#[component(transparent)]
pub fn WalletRoute() -> impl leptos_router::MatchNestedRoutes + Clone {
    use leptos_router::components::Route;
    view! { <Route path=path!("/wallet") view={leptos_router::Lazy::<WalletView>::new()} /> }.into_inner()
}

crate::lazy_page!(WalletView, wallet, || view! { <Gated><WalletPage /></Gated> });

/// The wallet.
#[component]
pub fn WalletPage() -> impl IntoView {
    let locale = use_locale();
    let kind = RwSignal::new(String::new());
    let page = RwSignal::new(0_u64);
    // Fetched in the browser: the ledger changes with every reply.
    let wallet = LocalResource::new(move || credits_wallet(kind.get(), page.get()));
    // A saved cap shows in the wallet read again (the form's notice stays:
    // the action lives here, above the contents it re-renders).
    let save = ServerAction::<SetSpendingCap>::new();
    // Only after a save that succeeded: a refused one keeps what was typed.
    Effect::new(move |_| {
        if matches!(save.value().get(), Some(Ok(_))) {
            wallet.refetch();
        }
    });
    view! {
        <Title text=locale.t(Key::CreditsTitle) />
        <div class="mx-auto flex max-w-4xl flex-col gap-8 px-4 py-8" data-testid="wallet">
            <h1 class="text-2xl font-bold">{locale.t(Key::CreditsTitle)}</h1>
            <Transition fallback=move || view! { <p aria-busy="true">{locale.t(Key::Loading)}</p> }>
                {move || {
                    wallet
                        .get()
                        .map(|result| match result {
                            Ok(w) => contents(w, locale, kind, page, save).into_any(),
                            Err(_) => {
                                view! {
                                    <p role="alert" class="field-error">
                                        {locale.t(Key::CreditsLoadFailed)}
                                        " "
                                        <button type="button" class="link" on:click=move |_| wallet.refetch()>
                                            {locale.t(Key::CreditsRetry)}
                                        </button>
                                    </p>
                                }
                                    .into_any()
                            }
                        })
                }}
            </Transition>
        </div>
    }
}

fn contents(
    w: Wallet,
    locale: Locale,
    kind: RwSignal<String>,
    page: RwSignal<u64>,
    save: ServerAction<SetSpendingCap>,
) -> impl IntoView {
    let units = w.balance.units;
    let amount = move |n: i64| units.format(n, locale);
    let quota = w.quota.map(|(each, renews)| {
        locale
            .t(Key::CreditsQuota)
            .replace("{amount}", &amount(each))
            .replace("{date}", &wire::access::format_date(renews))
    });
    view! {
        <section class="card flex flex-col gap-2" aria-labelledby="balance-heading">
            <h2 id="balance-heading" class="text-lg font-semibold">{locale.t(Key::CreditsAvailable)}</h2>
            <p class="text-3xl font-bold tabular-nums" data-testid="wallet-available">{amount(w.balance.available)}</p>
            <p class="text-sm text-primary-800 dark:text-primary-200">
                {locale.t(Key::CreditsHeld).replace("{held}", &amount(w.balance.held))}
            </p>
            {quota.map(|q| view! { <p class="text-sm">{q}</p> })}
            <p><GetCredits /></p>
        </section>
        <SpendingCap spending=w.spending.clone() units=units save=save />
        {buckets(&w, locale, units)}
        {ledger(&w, locale, units, kind, page)}
        {conversations(&w, locale, units)}
    }
}

/// This month's spending and the cap on it, with a form to set, change
/// or remove the cap.
#[component]
fn SpendingCap(spending: Spending, units: Units, save: ServerAction<SetSpendingCap>) -> impl IntoView {
    let locale = use_locale();
    let state = FormState::of(save);
    let amount = move |n: i64| units.format(n, locale);
    let summary = match spending.cap {
        Some(cap) => locale
            .t(Key::CreditsCapOf)
            .replace("{spent}", &amount(spending.spent))
            .replace("{cap}", &amount(cap))
            .replace("{date}", &wire::access::format_date(spending.resets_at)),
        None => format!(
            "{} {}",
            locale
                .t(Key::CreditsCapSpent)
                .replace("{spent}", &amount(spending.spent)),
            locale.t(Key::CreditsCapNone)
        ),
    };
    // The field shows the cap as it is typed: no grouping, a point.
    let typed = spending.cap.map(|cap| units.format(cap, Locale::En).replace(',', ""));
    let has_cap = spending.cap.is_some();
    let saved = Signal::derive(move || match save.value().get() {
        Some(Ok(s)) => Some(
            locale
                .t(if s.cap.is_some() {
                    Key::CreditsCapSaved
                } else {
                    Key::CreditsCapRemoved
                })
                .to_owned(),
        ),
        _ => None,
    });
    view! {
        <section class="card flex flex-col gap-3" aria-labelledby="cap-heading" data-testid="spending-cap">
            <h2 id="cap-heading" class="text-lg font-semibold">{locale.t(Key::CreditsCap)}</h2>
            <p data-testid="cap-summary">{summary}</p>
            <Notice message=saved />
            <PostForm action=save attr:class="flex flex-wrap items-end gap-3">
                <FormError message=state.form_error() />
                <TextField
                    label=Key::CreditsCapAmount
                    name="cap"
                    scope="wallet"
                    value=typed
                    required=false
                    hint=Key::CreditsCapHelp
                    error=state.field_error(Field::Credits)
                />
                <Submit label=Key::CreditsCapSave pending_label=Key::Saving pending=state.pending />
                {has_cap.then(|| view! {
                    <button
                        type="button"
                        class="btn-secondary"
                        on:click=move |_| {
                            save.dispatch(SetSpendingCap { cap: String::new() });
                        }
                    >
                        {locale.t(Key::CreditsCapRemove)}
                    </button>
                })}
            </PostForm>
        </section>
    }
}

fn source_name(source: &str) -> Key {
    match source {
        "free_quota" => Key::CreditsSourceFreeQuota,
        "plan" => Key::CreditsSourcePlan,
        "promotion" => Key::CreditsSourcePromotion,
        "purchase" => Key::CreditsSourcePurchase,
        _ => Key::CreditsSourceGrant,
    }
}

fn kind_name(kind: &str) -> Key {
    match kind {
        "grant" => Key::CreditsEntryGrant,
        "hold" => Key::CreditsEntryHold,
        "settle" => Key::CreditsEntrySettle,
        "release" => Key::CreditsEntryRelease,
        "expire" => Key::CreditsEntryExpire,
        "refund" => Key::CreditsEntryRefund,
        _ => Key::CreditsEntryAdjust,
    }
}

fn buckets(w: &Wallet, locale: Locale, units: Units) -> impl IntoView + use<> {
    let rows = w
        .buckets
        .iter()
        .map(|b| {
            let expires = match (b.expired, b.expires_at) {
                (true, _) => locale.t(Key::CreditsExpired).to_owned(),
                (false, Some(at)) => wire::access::format_date(at),
                (false, None) => locale.t(Key::CreditsNever).to_owned(),
            };
            view! {
                <tr class="border-t border-primary-100 dark:border-primary-800">
                    <td class="py-2 pr-4">{locale.t(source_name(&b.source))}</td>
                    <td class="py-2 pr-4 text-right tabular-nums">{units.format(b.left, locale)}</td>
                    <td class="py-2 pr-4 text-right tabular-nums">{units.format(b.granted, locale)}</td>
                    <td class="py-2">{expires}</td>
                </tr>
            }
        })
        .collect_view();
    let empty = w.buckets.is_empty();
    view! {
        <section class="card flex flex-col gap-3" aria-labelledby="buckets-heading">
            <h2 id="buckets-heading" class="text-lg font-semibold">{locale.t(Key::CreditsBuckets)}</h2>
            {if empty {
                view! { <p>{locale.t(Key::CreditsNoBuckets)}</p> }.into_any()
            } else {
                view! {
                    <div class="scroll-region" tabindex="0" role="region" aria-labelledby="buckets-heading">
                        <table class="w-full text-sm">
                            <thead>
                                <tr class="text-left">
                                    <th scope="col" class="py-2 pr-4">{locale.t(Key::CreditsSource)}</th>
                                    <th scope="col" class="py-2 pr-4 text-right">{locale.t(Key::CreditsLeft)}</th>
                                    <th scope="col" class="py-2 pr-4 text-right">{locale.t(Key::CreditsGranted)}</th>
                                    <th scope="col" class="py-2">{locale.t(Key::CreditsExpires)}</th>
                                </tr>
                            </thead>
                            <tbody>{rows}</tbody>
                        </table>
                    </div>
                }
                    .into_any()
            }}
        </section>
    }
}

fn ledger(
    w: &Wallet,
    locale: Locale,
    units: Units,
    kind: RwSignal<String>,
    page: RwSignal<u64>,
) -> impl IntoView + use<> {
    let rows = w
        .entries
        .iter()
        .map(|e| {
            let note = match e.note.as_deref() {
                Some("reply") => locale.t(Key::CreditsNoteReply).to_owned(),
                Some("title") => locale.t(Key::CreditsNoteTitle).to_owned(),
                Some("invite") => locale.t(Key::CreditsNoteInvite).to_owned(),
                Some(other) => other.to_owned(),
                None => String::new(),
            };
            view! {
                <tr class="border-t border-primary-100 dark:border-primary-800" data-testid="ledger-entry" data-kind=e.kind.clone()>
                    <td class="py-2 pr-4 whitespace-nowrap">{wire::access::format_date(e.at)}</td>
                    <td class="py-2 pr-4">{locale.t(kind_name(&e.kind))}</td>
                    <td class="py-2 pr-4 text-right tabular-nums">{units.format(e.amount, locale)}</td>
                    <td class="py-2 pr-4">{locale.t(source_name(&e.source))}</td>
                    <td class="py-2 break-words">{note}</td>
                </tr>
            }
        })
        .collect_view();
    let empty = w.entries.is_empty();
    let more = w.more;
    let options = ENTRY_KINDS
        .iter()
        .map(|k| view! { <option value=*k selected=move || kind.get() == *k>{locale.t(kind_name(k))}</option> })
        .collect_view();
    view! {
        <section class="card flex flex-col gap-3" aria-labelledby="ledger-heading">
            <div class="flex flex-wrap items-center justify-between gap-3">
                <h2 id="ledger-heading" class="text-lg font-semibold">{locale.t(Key::CreditsLedger)}</h2>
                <label class="flex items-center gap-2 text-sm">
                    {locale.t(Key::CreditsFilter)}
                    <select
                        class="input w-auto"
                        data-testid="ledger-filter"
                        on:change=move |ev| {
                            kind.set(event_target_value(&ev));
                            page.set(0);
                        }
                    >
                        <option value="" selected=move || kind.get().is_empty()>{locale.t(Key::CreditsAllEntries)}</option>
                        {options}
                    </select>
                </label>
            </div>
            {if empty {
                view! { <p>{locale.t(Key::CreditsNoEntries)}</p> }.into_any()
            } else {
                view! {
                    <div class="scroll-region" tabindex="0" role="region" aria-labelledby="ledger-heading">
                        <table class="w-full text-sm">
                            <thead>
                                <tr class="text-left">
                                    <th scope="col" class="py-2 pr-4">{locale.t(Key::CreditsDate)}</th>
                                    <th scope="col" class="py-2 pr-4">{locale.t(Key::CreditsKind)}</th>
                                    <th scope="col" class="py-2 pr-4 text-right">{locale.t(Key::CreditsAmount)}</th>
                                    <th scope="col" class="py-2 pr-4">{locale.t(Key::CreditsSource)}</th>
                                    <th scope="col" class="py-2">{locale.t(Key::CreditsNote)}</th>
                                </tr>
                            </thead>
                            <tbody>{rows}</tbody>
                        </table>
                    </div>
                }
                    .into_any()
            }}
            <nav class="flex gap-3" aria-label=locale.t(Key::CreditsLedger)>
                <button type="button" class="btn-secondary" disabled=move || page.get() == 0 on:click=move |_| page.update(|p| *p = p.saturating_sub(1))>
                    {locale.t(Key::CreditsNewer)}
                </button>
                <button type="button" class="btn-secondary" disabled=!more on:click=move |_| page.update(|p| *p += 1)>
                    {locale.t(Key::CreditsOlder)}
                </button>
            </nav>
        </section>
    }
}

fn conversations(w: &Wallet, locale: Locale, units: Units) -> impl IntoView + use<> {
    if w.conversations.is_empty() {
        return ().into_any();
    }
    let main = crate::features::main_nav().path;
    let rows = w
        .conversations
        .iter()
        .map(|c| {
            let href = format!("{main}?c={}", c.id);
            view! {
                <li class="flex justify-between gap-4 border-t border-primary-100 py-2 dark:border-primary-800">
                    <a href=href class="link min-w-0 truncate">{c.title.clone()}</a>
                    <span class="tabular-nums">{units.format(c.credits, locale)}</span>
                </li>
            }
        })
        .collect_view();
    view! {
        <section class="card flex flex-col gap-3" aria-labelledby="conversations-heading">
            <h2 id="conversations-heading" class="text-lg font-semibold">{locale.t(Key::CreditsPerConversation)}</h2>
            <ul class="text-sm">{rows}</ul>
        </section>
    }
    .into_any()
}
