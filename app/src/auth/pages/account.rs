use super::{oauth_error, query};
use crate::access::{AccessReason, AccessState, format_date};
use crate::auth::account::{
    AccountDetails, DeleteAccount, RevokeSession, SignOutOtherDevices, UpdateProfile, account_overview,
};
use crate::auth::{AuthMethod, Viewer};
use crate::components::PostForm;
use crate::components::SignOutButton;
use crate::components::form::{FormError, FormState, Notice, Submit, TextField, follow_on_success};
use crate::components::viewer::use_viewer;
use crate::error::{AppError, Field};
use crate::i18n::{Key, Locale, use_locale};
use leptos::prelude::*;
use leptos_meta::Title;

/// `/account`: profile, access, password, linked providers, sessions, and
/// deleting the account.
#[component]
pub fn AccountPage() -> impl IntoView {
    let locale = use_locale();
    let viewer = use_viewer();
    let overview = crate::codec::load(|| (), |_| account_overview());
    // Each feature's card (the billing portal, …), made with the page.
    let cards = crate::features::account_cards();
    let linked = query("linked");
    let linked_notice = Signal::derive(move || {
        let id = linked.get()?;
        let method = AuthMethod::from_id(&id)?;
        Some(
            locale
                .t(Key::ProviderLinked)
                .replace("{provider}", locale.t(method.name_key())),
        )
    });
    // The sections are made once per sign-in, not again when the viewer
    // changes (a rename), which would throw away their forms' state.
    let signed_in = Memo::new(move |_| viewer.signed_in());
    view! {
        <Title text=locale.t(Key::AccountTitle) />
        <section class="mx-auto flex w-full max-w-3xl flex-col gap-6 px-4 py-10">
            <div class="flex flex-wrap items-center justify-between gap-3">
                <h1 class="text-2xl font-bold">{locale.t(Key::AccountTitle)}</h1>
                <SignOutButton />
            </div>
            <Notice message=linked_notice />
            <FormError message=oauth_error() />
            {move || match signed_in.get().then(|| viewer.get_untracked()).flatten() {
                Some(v) => sections(v, overview, cards.clone()).into_any(),
                None => view! { <p>{locale.t(Key::ErrNotSignedIn)}</p> }.into_any(),
            }}
        </section>
    }
}

fn sections(
    viewer: Viewer,
    overview: crate::codec::Loaded<Result<AccountDetails, AppError>>,
    cards: Vec<crate::feature::AccountCard>,
) -> impl IntoView {
    let verified = viewer.email_verified;
    let profile = profile(viewer.clone());
    let access = access(viewer.access.clone());
    let password = password(viewer.clone(), overview);
    let delete = delete(viewer);
    view! {
        {profile}
        {access}
        {cards.iter().map(|card| card()).collect_view()}
        {password}
        {providers(overview, verified)}
        {sessions(overview)}
        {delete}
    }
}

#[component]
fn Card(title: Key, children: Children) -> impl IntoView {
    let locale = use_locale();
    view! {
        <section class="card flex flex-col gap-4">
            <h2 class="text-lg font-semibold">{locale.t(title)}</h2>
            {children()}
        </section>
    }
}

fn profile(viewer: Viewer) -> impl IntoView {
    let locale = use_locale();
    let action = ServerAction::<UpdateProfile>::new();
    let state = FormState::of(action);
    let saved = Signal::derive(move || state.succeeded().get().then(|| locale.t(Key::Saved).to_owned()));
    // The header shows the new name without a reload.
    let current = use_viewer();
    Effect::new(move |_| {
        if let Some(Ok(name)) = action.value().get() {
            current.renamed(name);
        }
    });
    let name = viewer.display_name.clone();
    let verified = if viewer.email_verified {
        Key::EmailVerifiedBadge
    } else {
        Key::EmailUnverifiedBadge
    };
    view! {
        <Card title=Key::ProfileSection>
            <p class="text-sm">
                <span class="font-medium">{locale.t(Key::EmailLabel)}": "</span>
                <span data-testid="account-email">{viewer.email.clone()}</span>
                " · "
                {locale.t(verified)}
            </p>
            <Notice message=saved />
            <PostForm action=action attr:class="flex flex-col gap-4">
                <TextField
                    label=Key::DisplayNameLabel
                    name="display_name"
                    autocomplete="name"
                    value=Some(name)
                    max_chars=crate::auth::MAX_NAME_CHARS
                    error=state.field_error(Field::DisplayName)
                />
                <FormError message=state.form_error() />
                <div>
                    <Submit label=Key::Save pending_label=Key::Saving pending=state.pending />
                </div>
            </PostForm>
        </Card>
    }
}

/// "Access until 2026-12-25 (invite)".
pub(crate) fn describe_access(locale: Locale, access: &AccessState) -> String {
    let reason = access.reason.map(|r| {
        locale.t(match r {
            AccessReason::Invite => Key::ReasonInvite,
            AccessReason::Payment => Key::ReasonPayment,
            AccessReason::AdminGrant => Key::ReasonAdminGrant,
            AccessReason::Admin => Key::ReasonAdmin,
        })
    });
    match (access.granted, access.until) {
        (true, Some(until)) => locale
            .t(Key::AccessUntil)
            .replace("{date}", &format_date(until))
            .replace("{reason}", reason.unwrap_or_default()),
        (true, None) => locale
            .t(Key::AccessNoEnd)
            .replace("{reason}", reason.unwrap_or_default()),
        (false, _) => match access.ended_at {
            Some(ended) => locale.t(Key::AccessEnded).replace("{date}", &format_date(ended)),
            None => locale.t(Key::AccessNone).to_owned(),
        },
    }
}

fn access(access: AccessState) -> impl IntoView {
    let locale = use_locale();
    let granted = access.granted;
    view! {
        <Card title=Key::AccessSection>
            <p data-testid="access-status">{describe_access(locale, &access)}</p>
            {(!granted).then(|| view! {
                <a href=wire::features::no_access_path() class="btn-primary self-start">{locale.t(Key::GetAccess)}</a>
            })}
        </Card>
    }
}

#[cfg(feature = "local_auth")]
fn password(viewer: Viewer, overview: crate::codec::Loaded<Result<AccountDetails, AppError>>) -> impl IntoView {
    use super::check_new_password;
    use crate::auth::local::ChangePassword;
    let locale = use_locale();
    if !viewer.has_password {
        return view! {
            <Card title=Key::PasswordSection>
                <p>{locale.t(Key::NoPasswordYet)}</p>
                <a href=wire::paths::FORGOT_PASSWORD_PATH class="link">{locale.t(Key::SetPasswordLink)}</a>
            </Card>
        }
        .into_any();
    }
    let action = ServerAction::<ChangePassword>::new();
    let state = FormState::of(action);
    let saved = Signal::derive(move || {
        state
            .succeeded()
            .get()
            .then(|| locale.t(Key::PasswordChanged).to_owned())
    });
    // Changed: the fields empty again, and the device list without the
    // sessions the change signed out.
    let form = NodeRef::<leptos::html::Form>::new();
    Effect::new(move |_| {
        if state.succeeded().get() {
            if let Some(form) = form.get() {
                form.reset();
            }
            overview.refetch();
        }
    });
    view! {
        <Card title=Key::PasswordSection>
            <Notice message=saved />
            <PostForm action=action node_ref=form attr:class="flex flex-col gap-4" attr:data-testid="change-password-form">
                <FormError message=state.form_error() />
                <TextField
                    label=Key::CurrentPasswordLabel
                    name="current_password"
                    kind="password"
                    autocomplete="current-password"
                    error=state.field_error(Field::CurrentPassword)
                />
                <TextField
                    label=Key::NewPasswordLabel
                    name="password"
                    kind="password"
                    autocomplete="new-password"
                    hint=Key::PasswordHint
                    check=check_new_password
                    error=state.field_error(Field::Password)
                />
                <div>
                    <Submit label=Key::ChangePasswordButton pending_label=Key::Saving pending=state.pending />
                </div>
            </PostForm>
        </Card>
    }
    .into_any()
}

#[cfg(not(feature = "local_auth"))]
fn password(_viewer: Viewer, _overview: crate::codec::Loaded<Result<AccountDetails, AppError>>) -> impl IntoView {}

#[cfg(not(any(feature = "google_auth", feature = "github_auth")))]
fn providers(_overview: crate::codec::Loaded<Result<AccountDetails, AppError>>, _verified: bool) -> impl IntoView {}

/// Linked providers, of those this instance has configured (none: no
/// card). An account whose address is not verified links nothing (the
/// server refuses it too): it says why instead.
#[cfg(any(feature = "google_auth", feature = "github_auth"))]
fn providers(overview: crate::codec::Loaded<Result<AccountDetails, AppError>>, verified: bool) -> impl IntoView {
    let locale = use_locale();
    let setup = crate::components::use_setup();
    let oauth: Vec<AuthMethod> = crate::auth::methods()
        .iter()
        .copied()
        .filter(|m| m.is_oauth() && setup.offers(m.feature()))
        .collect();
    if oauth.is_empty() {
        return ().into_any();
    }
    let unlink = ServerAction::<crate::auth::account::UnlinkIdentity>::new();
    let state = FormState::of(unlink);
    Effect::new(move |_| {
        if state.succeeded().get() {
            overview.refetch();
        }
    });
    view! {
        <Card title=Key::ProvidersSection>
            <FormError message=state.form_error() />
            <Transition fallback=move || view! { <p aria-busy="true">{locale.t(Key::Loading)}</p> }>
                <ul class="flex flex-col gap-3">
                    {move || {
                        let identities = overview.get().and_then(|r| r.ok()).map(|o| o.identities).unwrap_or_default();
                        oauth
                            .iter()
                            .map(|method| {
                                let linked = identities.iter().find(|i| i.provider == method.id()).cloned();
                                provider_row(*method, linked, unlink, verified)
                            })
                            .collect_view()
                    }}
                </ul>
            </Transition>
        </Card>
    }
    .into_any()
}

#[cfg(any(feature = "google_auth", feature = "github_auth"))]
fn provider_row(
    method: AuthMethod,
    linked: Option<crate::auth::account::IdentityView>,
    unlink: ServerAction<crate::auth::account::UnlinkIdentity>,
    verified: bool,
) -> impl IntoView {
    let locale = use_locale();
    let name = locale.t(method.name_key());
    let action = match linked {
        Some(identity) => view! {
            <span class="text-sm text-primary-800 dark:text-primary-200">{identity.email}</span>
            <PostForm action=unlink>
                <input type="hidden" name="provider" value=method.id() />
                <button type="submit" class="btn-secondary">{locale.t(Key::Unlink)}</button>
            </PostForm>
        }
        .into_any(),
        None if !verified => view! {
            <span class="text-sm text-primary-800 dark:text-primary-200">{locale.t(Key::OAuthVerifyFirst)}</span>
        }
        .into_any(),
        None => {
            let start = method.start_path().unwrap_or_default();
            let href = crate::auth::oauth::start_url(start, None, None, false, true);
            view! { <a href=href rel="external" class="btn-secondary">{locale.t(Key::Link)}</a> }.into_any()
        }
    };
    view! {
        <li class="flex flex-wrap items-center justify-between gap-2" data-testid=format!("provider-{}", method.id())>
            <span class="font-medium">{name}</span>
            <span class="flex flex-wrap items-center gap-2">{action}</span>
        </li>
    }
}

fn sessions(overview: crate::codec::Loaded<Result<AccountDetails, AppError>>) -> impl IntoView {
    let locale = use_locale();
    let revoke = ServerAction::<RevokeSession>::new();
    let others = ServerAction::<SignOutOtherDevices>::new();
    let revoke_state = FormState::of(revoke);
    let others_state = FormState::of(others);
    Effect::new(move |_| {
        if revoke_state.succeeded().get() || others_state.succeeded().get() {
            overview.refetch();
        }
    });
    let ended = Signal::derive(move || match others.value().get() {
        Some(Ok(n)) => Some(locale.t(Key::OtherSessionsEnded).replace("{count}", &n.to_string())),
        _ => None,
    });
    view! {
        <Card title=Key::SessionsSection>
            <Notice message=ended />
            <FormError message=revoke_state.form_error() />
            <Transition fallback=move || view! { <p aria-busy="true">{locale.t(Key::Loading)}</p> }>
                <ul class="flex flex-col divide-y divide-primary-100 dark:divide-primary-800" data-testid="sessions">
                    {move || {
                        overview
                            .get()
                            .and_then(|r| r.ok())
                            .map(|o| o.sessions)
                            .unwrap_or_default()
                            .into_iter()
                            .map(|s| {
                                let id = s.id.clone();
                                view! {
                                    <li class="flex flex-wrap items-center justify-between gap-2 py-2" data-current=s.current.to_string()>
                                        <span class="flex flex-col text-sm">
                                            <span class="font-medium">{browser_name(&s.user_agent)}</span>
                                            <span class="text-primary-800 dark:text-primary-200">
                                                {format!("{} · {} {}", s.ip, locale.t(Key::LastActive), format_date(s.last_seen_at))}
                                            </span>
                                        </span>
                                        {if s.current {
                                            view! { <span class="text-sm font-semibold">{locale.t(Key::ThisDevice)}</span> }.into_any()
                                        } else {
                                            view! {
                                                <PostForm action=revoke>
                                                    <input type="hidden" name="id" value=id />
                                                    <button type="submit" class="btn-secondary">{locale.t(Key::SignOutSession)}</button>
                                                </PostForm>
                                            }
                                            .into_any()
                                        }}
                                    </li>
                                }
                            })
                            .collect_view()
                    }}
                </ul>
            </Transition>
            <PostForm action=others>
                <Submit label=Key::SignOutOthers pending_label=Key::Saving pending=others_state.pending />
            </PostForm>
        </Card>
    }
}

/// A short name for a user agent ("Firefox on Linux").
fn browser_name(user_agent: &str) -> String {
    let browser = ["Edg/", "OPR/", "Firefox/", "Chrome/", "Safari/"]
        .into_iter()
        .find(|b| user_agent.contains(b))
        .map(|b| match b {
            "Edg/" => "Edge",
            "OPR/" => "Opera",
            other => other.trim_end_matches('/'),
        });
    let os = ["Android", "iPhone", "iPad", "Windows", "Mac OS X", "Linux"]
        .into_iter()
        .find(|o| user_agent.contains(o))
        .map(|o| if o == "Mac OS X" { "macOS" } else { o });
    match (browser, os) {
        (Some(b), Some(o)) => format!("{b} · {o}"),
        (Some(b), None) => b.to_owned(),
        _ if user_agent.is_empty() => "—".to_owned(),
        _ => user_agent.chars().take(40).collect(),
    }
}

fn delete(viewer: Viewer) -> impl IntoView {
    let action = ServerAction::<DeleteAccount>::new();
    let state = FormState::of(action);
    follow_on_success(state.value);
    let (label, kind, hint) = if viewer.has_password {
        (Key::PasswordLabel, "password", Key::DeleteConfirmPassword)
    } else {
        (Key::EmailLabel, "email", Key::DeleteConfirmEmail)
    };
    view! {
        <Card title=Key::DeleteSection>
            <PostForm action=action attr:class="flex flex-col gap-4" attr:data-testid="delete-account-form">
                <FormError message=state.form_error() />
                <TextField label=label name="confirm" kind=kind hint=hint error=state.field_error(Field::Confirm) />
                <div>
                    <Submit label=Key::DeleteButton pending_label=Key::Deleting pending=state.pending danger=true />
                </div>
            </PostForm>
        </Card>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_agents_get_short_names() {
        let firefox = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";
        assert_eq!(browser_name(firefox), "Firefox · Linux");
        let chrome = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36";
        assert_eq!(browser_name(chrome), "Chrome · Windows");
        assert_eq!(browser_name(""), "—");
    }
}
