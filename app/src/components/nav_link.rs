use leptos::prelude::*;
use leptos_router::hooks::use_location;

/// A link to one of the app's own pages (an absolute path), marked
/// `aria-current="page"` while that page, or a page under it, is open.
///
/// The router's `<A>` does the same and more: it resolves relative paths
/// against the route, and each one costs every server render a memo, the
/// path's normalisation and a copy of the href. The header's links need none
/// of that. A plain `<a>` navigates in the browser as `<A>` does: the
/// router handles every click on a link to the site.
#[component]
pub fn NavLink(
    href: &'static str,
    #[prop(optional)] class: &'static str,
    #[prop(optional)] test_id: &'static str,
    children: Children,
) -> impl IntoView {
    view! {
        <a href=href class=class data-testid=(!test_id.is_empty()).then_some(test_id) aria-current=aria_current(href)>
            {children()}
        </a>
    }
}

/// `aria-current` for a link to `href`: `page` while [`NavLink`] would
/// mark it current.
pub fn aria_current(href: &'static str) -> impl Fn() -> Option<&'static str> + Copy + Send + Sync + 'static {
    let pathname = use_location().pathname;
    move || pathname.with(|path| is_current(path, href)).then_some("page")
}

/// Whether `href` is the page open at `path`, or one above it (the chat's
/// link is current in a conversation): `/chat` for `/chat` and
/// `/chat/42`, not for `/chatter`; `/` only for `/`.
fn is_current(path: &str, href: &str) -> bool {
    match path.strip_prefix(href) {
        Some("") => true,
        Some(rest) => href != "/" && rest.starts_with('/'),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::is_current;

    #[test]
    fn a_link_is_current_on_its_page_and_below_it() {
        assert!(is_current("/", "/"));
        assert!(is_current("/chat", "/chat"));
        assert!(is_current("/chat/42", "/chat"));
        assert!(!is_current("/chatter", "/chat"));
        assert!(!is_current("/chat", "/"));
        assert!(!is_current("/", "/chat"));
        assert!(!is_current("/account", "/admin"));
    }
}
