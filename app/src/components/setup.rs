//! What this instance offers, as the pages need to know it: the
//! compiled-in features that are not configured (their buttons and copy
//! stay hidden: a button that answers "not set up yet" is a broken
//! promise), and where users may write. Known on the server when the page
//! renders and handed to the browser with it, like the viewer.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// The instance's configuration as the pages see it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Setup {
    /// Compiled-in features that are not configured, by Cargo feature name.
    pub unconfigured: Vec<String>,
    /// `SUPPORT_EMAIL`, when set.
    pub support_email: Option<String>,
}

impl Setup {
    /// Whether the feature named `name` is compiled in and configured.
    pub fn offers(&self, name: &str) -> bool {
        crate::features::ALL.iter().any(|f| f.name == name) && !self.unconfigured.iter().any(|n| n == name)
    }

    /// Whether Google or GitHub sign-in is offered.
    pub fn offers_a_provider(&self) -> bool {
        self.offers("google_auth") || self.offers("github_auth")
    }

    /// A `mailto:` link to the support address, when there is one.
    pub fn support_link(&self) -> Option<(String, String)> {
        self.support_email.as_ref().map(|e| (format!("mailto:{e}"), e.clone()))
    }
}

/// Provides the [`Setup`] to every page.
pub fn provide_setup() {
    let setup = crate::codec::shared(setup_of_this_server);
    provide_context(setup);
}

/// The [`Setup`] of this instance.
pub fn use_setup() -> Setup {
    use_context::<Setup>().unwrap_or_default()
}

fn setup_of_this_server() -> Setup {
    #[cfg(feature = "ssr")]
    {
        // No services while the server lists the routes at start-up.
        crate::server::services()
            .map(|services| Setup {
                unconfigured: services
                    .features
                    .unconfigured()
                    .into_iter()
                    .map(str::to_owned)
                    .collect(),
                support_email: services.settings.support_email.as_ref().map(|e| e.as_str().to_owned()),
            })
            .unwrap_or_default()
    }
    #[cfg(not(feature = "ssr"))]
    {
        Setup::default()
    }
}
