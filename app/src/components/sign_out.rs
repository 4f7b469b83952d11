use super::PostForm;
use super::form::{FormState, Submit, follow_on_success};
use crate::auth::SignOut;
use crate::i18n::Key;
use leptos::prelude::*;

/// Signs out (ends the session on the server) and reloads the home page.
#[component]
pub fn SignOutButton() -> impl IntoView {
    let action = ServerAction::<SignOut>::new();
    let state = FormState::of(action);
    follow_on_success(state.value);
    view! {
        <PostForm action=action attr:data-testid="sign-out-form">
            <Submit label=Key::SignOut pending_label=Key::SigningOut pending=state.pending secondary=true />
        </PostForm>
    }
}
