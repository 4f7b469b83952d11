use super::{CreateInvite, GrantAccess, RevokeInvite, list_invites};
use crate::access::format_date;
use crate::components::form::{FormError, FormState, Notice, Submit, TextField};
use crate::error::Field;
use crate::i18n::{Key, use_locale};
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
    let invites = Resource::new(
        move || (create.version().get(), revoke.version().get()),
        |_| list_invites(),
    );
    let create_state = FormState::of(create);
    let grant_state = FormState::of(grant);
    let revoke_state = FormState::of(revoke);
    let created = Signal::derive(move || match create.value().get() {
        Some(Ok(invite)) => Some(locale.t(Key::InviteSent).replace("{email}", &invite.email)),
        _ => None,
    });
    let granted = Signal::derive(move || match grant.value().get() {
        Some(Ok(until)) => Some(locale.t(Key::AccessGranted).replace("{date}", &format_date(until))),
        _ => None,
    });
    view! {
        <Title text=locale.t(Key::AdminTitle) />
        <section class="mx-auto flex w-full max-w-4xl flex-col gap-6 px-4 py-10">
            <h1 class="text-2xl font-bold">{locale.t(Key::AdminTitle)}</h1>
            <section class="card flex flex-col gap-4">
                <h2 class="text-lg font-semibold">{locale.t(Key::InviteSection)}</h2>
                <Notice message=created />
                <ActionForm action=create attr:class="grid gap-4 sm:grid-cols-3" attr:data-testid="invite-form">
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
                        hint=Key::DaysDefaultHint
                        error=create_state.field_error(Field::Days)
                    />
                    <TextField
                        label=Key::ValidDaysLabel
                        name="valid_days"
                        kind="number"
                        required=false
                        hint=Key::DaysDefaultHint
                    />
                    <div class="flex items-end">
                        <Submit label=Key::SendInvite pending_label=Key::Sending pending=create_state.pending />
                    </div>
                </ActionForm>
                <FormError message=revoke_state.form_error() />
                <Transition fallback=move || view! { <p aria-busy="true">{locale.t(Key::Loading)}</p> }>
                    <div class="overflow-x-auto">
                        <table class="w-full text-left text-sm" data-testid="invites">
                            <thead>
                                <tr>
                                    <th class="py-2 pr-3">{locale.t(Key::EmailLabel)}</th>
                                    <th class="py-2 pr-3">{locale.t(Key::InviteStatusLabel)}</th>
                                    <th class="py-2 pr-3">{locale.t(Key::InviteAccessUntil)}</th>
                                    <th class="py-2 pr-3">{locale.t(Key::InviteExpires)}</th>
                                    <th class="py-2"></th>
                                </tr>
                            </thead>
                            <tbody>
                                {move || {
                                    invites
                                        .get()
                                        .and_then(|r| r.ok())
                                        .unwrap_or_default()
                                        .into_iter()
                                        .map(|invite| {
                                            let status = match invite.status {
                                                InviteStatus::Pending => Key::InvitePending,
                                                InviteStatus::Redeemed => Key::InviteRedeemed,
                                                InviteStatus::Expired => Key::InviteExpired,
                                                InviteStatus::Revoked => Key::InviteRevoked,
                                            };
                                            let can_revoke = matches!(invite.status, InviteStatus::Pending | InviteStatus::Redeemed);
                                            view! {
                                                <tr class="border-t border-indigo-100 dark:border-indigo-800">
                                                    <td class="py-2 pr-3 break-all">{invite.email.clone()}</td>
                                                    <td class="py-2 pr-3">{locale.t(status)}</td>
                                                    <td class="py-2 pr-3">{format_date(invite.access_until)}</td>
                                                    <td class="py-2 pr-3">{format_date(invite.expires_at)}</td>
                                                    <td class="py-2 text-right">
                                                        {can_revoke.then(|| view! {
                                                            <ActionForm action=revoke>
                                                                <input type="hidden" name="id" value=invite.id.clone() />
                                                                <button type="submit" class="btn-secondary">{locale.t(Key::Revoke)}</button>
                                                            </ActionForm>
                                                        })}
                                                    </td>
                                                </tr>
                                            }
                                        })
                                        .collect_view()
                                }}
                            </tbody>
                        </table>
                    </div>
                </Transition>
            </section>
            <section class="card flex flex-col gap-4">
                <h2 class="text-lg font-semibold">{locale.t(Key::GrantSection)}</h2>
                <Notice message=granted />
                <ActionForm action=grant attr:class="grid gap-4 sm:grid-cols-3" attr:data-testid="grant-form">
                    <div class="sm:col-span-3">
                        <FormError message=grant_state.form_error() />
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
                </ActionForm>
            </section>
        </section>
    }
}
