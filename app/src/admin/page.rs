use super::{AccessGranted, CreateInvite, GrantAccess, InviteList, RevokeInvite, list_invites, setup_notes};
use crate::access::format_date;
use crate::components::PostForm;
use crate::components::form::{FormError, FormState, Notice, Submit, TextField};
use crate::error::{AppError, Field};
use crate::i18n::{Key, Locale, use_locale};
use crate::invites::InviteStatus;
use leptos::prelude::*;
use leptos_meta::Title;

/// `/admin`: invite people, revoke invites, grant access.
#[component]
pub fn AdminPage() -> impl IntoView {
    let locale = use_locale();
    let create = ServerAction::<CreateInvite>::new();
    let revoke = ServerAction::<RevokeInvite>::new();
    let grant = ServerAction::<GrantAccess>::new();
    let invites = crate::codec::load(
        move || (create.version().get(), revoke.version().get()),
        |_| list_invites(),
    );
    let create_state = FormState::of(create);
    let grant_state = FormState::of(grant);
    let revoke_state = FormState::of(revoke);
    let created = Signal::derive(move || match create.value().get() {
        Some(Ok(sent)) => Some(
            locale
                .t(if sent.resent {
                    Key::InviteResent
                } else {
                    Key::InviteSent
                })
                .replace("{email}", &sent.invite.email),
        ),
        _ => None,
    });
    let granted = Signal::derive(move || match grant.value().get() {
        Some(Ok(AccessGranted { email, until })) => Some(
            locale
                .t(Key::AccessGranted)
                .replace("{email}", &email)
                .replace("{date}", &format_date(until)),
        ),
        _ => None,
    });
    // A sent form starts empty again (a second click must not send twice).
    let invite_form = NodeRef::<leptos::html::Form>::new();
    let grant_form = NodeRef::<leptos::html::Form>::new();
    Effect::new(move |_| {
        if create_state.succeeded().get()
            && let Some(form) = invite_form.get()
        {
            form.reset();
        }
    });
    Effect::new(move |_| {
        if grant_state.succeeded().get()
            && let Some(form) = grant_form.get()
        {
            form.reset();
        }
    });
    // The hint of an empty days field says what the default is.
    let defaults = move |hours: fn(&InviteList) -> i64| {
        Signal::derive(move || {
            invites
                .get()
                .and_then(Result::ok)
                .map(|list| default_hint(locale, hours(&list)))
                .unwrap_or_default()
        })
    };
    view! {
        <Title text=locale.t(Key::AdminTitle) />
        <section class="mx-auto flex w-full max-w-4xl flex-col gap-6 px-4 py-10">
            <h1 class="text-2xl font-bold">{locale.t(Key::AdminTitle)}</h1>
            <SetupNotes />
            <section class="card flex flex-col gap-4">
                <h2 class="text-lg font-semibold">{locale.t(Key::InviteSection)}</h2>
                <Notice message=created />
                // The form's hints name the defaults the list answer carries.
                <Transition fallback=move || view! { <p aria-busy="true">{locale.t(Key::Loading)}</p> }>
                <PostForm action=create node_ref=invite_form attr:class="grid gap-4 sm:grid-cols-3" attr:data-testid="invite-form">
                    <div class="sm:col-span-3">
                        <FormError message=create_state.form_error() />
                    </div>
                    <div class="sm:col-span-3">
                        <TextField label=Key::EmailLabel name="email" scope="invite" kind="email" error=create_state.field_error(Field::Email) />
                    </div>
                    <TextField
                        label=Key::AccessDaysLabel
                        name="access_days"
                        kind="number"
                        required=false
                        hint_text=defaults(|l| l.access_for_hours)
                        error=create_state.field_error(Field::Days)
                    />
                    <TextField
                        label=Key::ValidDaysLabel
                        name="valid_days"
                        kind="number"
                        required=false
                        hint_text=defaults(|l| l.valid_for_hours)
                    />
                    <TextField
                        label=Key::InviteCreditsLabel
                        name="credits"
                        scope="invite"
                        required=false
                        hint=Key::InviteCreditsHint
                        error=create_state.field_error(Field::Credits)
                    />
                    <div class="flex items-end sm:col-span-3">
                        <Submit label=Key::SendInvite pending_label=Key::Sending pending=create_state.pending />
                    </div>
                </PostForm>
                <FormError message=revoke_state.form_error() />
                    {move || {
                        let list = invites.get().and_then(Result::ok).unwrap_or_default();
                        invite_table(locale, list, revoke)
                    }}
                </Transition>
            </section>
            <section class="card flex flex-col gap-4">
                <h2 class="text-lg font-semibold">{locale.t(Key::GrantSection)}</h2>
                <Notice message=granted />
                <PostForm action=grant node_ref=grant_form attr:class="grid gap-4 sm:grid-cols-3" attr:data-testid="grant-form">
                    <div class="sm:col-span-3">
                        <FormError message=grant_state.form_error() />
                        <InviteInstead grant=grant create=create />
                    </div>
                    <div class="sm:col-span-2">
                        <TextField label=Key::EmailLabel name="email" scope="grant" kind="email" error=grant_state.field_error(Field::Email) />
                    </div>
                    <TextField
                        label=Key::AccessDaysLabel
                        name="days"
                        scope="grant"
                        kind="number"
                        value=Some("30".to_owned())
                        error=grant_state.field_error(Field::Days)
                    />
                    <div>
                        <Submit label=Key::GrantButton pending_label=Key::Saving pending=grant_state.pending />
                    </div>
                </PostForm>
            </section>
        </section>
    }
}

/// What this instance still needs set up (users never see these).
#[component]
fn SetupNotes() -> impl IntoView {
    let locale = use_locale();
    let notes = crate::codec::load(|| (), |_| setup_notes());
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let notes: Vec<Key> = notes.await.unwrap_or_default().iter().filter_map(|n| setup_key(n)).collect();
                (!notes.is_empty()).then(|| view! {
                    <section class="alert-info flex flex-col gap-2" data-testid="setup-notes">
                        <h2 class="font-semibold">{locale.t(Key::SetupTitle)}</h2>
                        <ul class="list-disc pl-5 text-sm">
                            {notes.into_iter().map(|k| view! { <li>{locale.t(k)}</li> }).collect_view()}
                        </ul>
                    </section>
                })
            })}
        </Suspense>
    }
}

fn setup_key(code: &str) -> Option<Key> {
    Some(match code {
        "google_auth" => Key::SetupGoogle,
        "github_auth" => Key::SetupGitHub,
        "stripe_payment" => Key::SetupStripe,
        "chat_demo" => Key::SetupChatDemo,
        "chat" => Key::SetupChatNone,
        _ => return None,
    })
}

/// "Empty: the default, 30 days." (or hours, when the setting is not whole days).
fn default_hint(locale: Locale, hours: i64) -> String {
    if hours >= 48 && hours % 24 == 0 {
        locale.t(Key::DefaultDays).replace("{count}", &(hours / 24).to_string())
    } else {
        locale.t(Key::DefaultHours).replace("{count}", &hours.to_string())
    }
}

/// After "no account uses this address": a button that invites it instead.
#[component]
fn InviteInstead(grant: ServerAction<GrantAccess>, create: ServerAction<CreateInvite>) -> impl IntoView {
    let locale = use_locale();
    move || match grant.value().get() {
        Some(Err(AppError::NoAccount { email })) => {
            let label = locale.t(Key::InviteThisAddress).replace("{email}", &email);
            let invite = move |_| {
                create.dispatch(CreateInvite {
                    email: email.clone(),
                    access_days: String::new(),
                    valid_days: String::new(),
                    credits: None,
                });
            };
            Some(view! {
                <button type="button" class="btn-secondary mt-2" on:click=invite data-testid="invite-instead">
                    {label}
                </button>
            })
        }
        _ => None,
    }
}

/// The invites: a table on wide screens, one card per invite on a phone
/// (the email on its own line, the action in reach).
fn invite_table(locale: Locale, list: InviteList, revoke: ServerAction<RevokeInvite>) -> impl IntoView {
    let InviteList { invites, units, .. } = list;
    if invites.is_empty() {
        return view! { <p class="text-primary-800 dark:text-primary-200" data-testid="no-invites">{locale.t(Key::NoInvitesYet)}</p> }
            .into_any();
    }
    let rows = invites
        .into_iter()
        .map(|invite| {
            let status = match invite.status {
                InviteStatus::Pending => Key::InvitePending,
                InviteStatus::Redeemed => Key::InviteRedeemed,
                InviteStatus::Expired => Key::InviteExpired,
                InviteStatus::Revoked => Key::InviteRevoked,
            };
            // A pending invite is revoked; a redeemed one has become the
            // guest's access, which is what the button then ends.
            let action = match invite.status {
                InviteStatus::Pending => Some((Key::Revoke, Key::RevokeInviteFor)),
                InviteStatus::Redeemed => Some((Key::EndAccess, Key::EndAccessFor)),
                InviteStatus::Expired | InviteStatus::Revoked => None,
            };
            let (local, domain) = invite.email.split_once('@').unwrap_or((invite.email.as_str(), ""));
            let email = view! { <span>{local.to_owned()}</span><wbr /><span>"@"{domain.to_owned()}</span> };
            view! {
                <tr class="flex flex-wrap items-center gap-x-4 gap-y-1 border-t border-primary-100 py-3 sm:table-row sm:py-0 dark:border-primary-800">
                    <td class="w-full [overflow-wrap:anywhere] font-medium sm:w-auto sm:py-2 sm:pr-3 sm:font-normal">{email}</td>
                    <td class="sm:py-2 sm:pr-3">
                        {locale.t(status)}
                        {(invite.credits > 0).then(|| view! {
                            <span class="block text-sm text-primary-800 dark:text-primary-200" data-testid="invite-credits">
                                {locale.t(Key::InviteWithCredits).replace("{amount}", &units.format(invite.credits, locale))}
                            </span>
                        })}
                    </td>
                    <td class="text-sm sm:py-2 sm:pr-3 sm:text-base">
                        <span class="sm:sr-only">{locale.t(Key::InviteAccessUntil)} ": "</span>
                        {format_date(invite.access_until)}
                    </td>
                    <td class="text-sm sm:py-2 sm:pr-3 sm:text-base">
                        <span class="sm:sr-only">{locale.t(Key::InviteExpires)} ": "</span>
                        {format_date(invite.expires_at)}
                    </td>
                    <td class="w-full sm:w-auto sm:py-2 sm:text-right">
                        {action.map(|(label, name)| view! {
                            <PostForm action=revoke>
                                <input type="hidden" name="id" value=invite.id.clone() />
                                <button
                                    type="submit"
                                    class="btn-secondary"
                                    aria-label=locale.t(name).replace("{email}", &invite.email)
                                >
                                    {locale.t(label)}
                                </button>
                            </PostForm>
                        })}
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <table class="block w-full text-left text-sm sm:table" data-testid="invites">
            <thead class="sr-only sm:not-sr-only sm:table-header-group">
                <tr>
                    <th class="py-2 pr-3">{locale.t(Key::EmailLabel)}</th>
                    <th class="py-2 pr-3">{locale.t(Key::InviteStatusLabel)}</th>
                    <th class="py-2 pr-3">{locale.t(Key::InviteAccessUntil)}</th>
                    <th class="py-2 pr-3">{locale.t(Key::InviteExpires)}</th>
                    <th class="py-2">
                        <span class="sr-only">{locale.t(Key::ActionsLabel)}</span>
                    </th>
                </tr>
            </thead>
            <tbody class="block sm:table-row-group">{rows}</tbody>
        </table>
    }
    .into_any()
}
