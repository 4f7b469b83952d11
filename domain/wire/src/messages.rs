//! How the chat's messages are stored and told apart: who wrote one, how a
//! reply ended, why it failed, where its token counts came from. Typed on
//! both sides, and the database's column types (`db`). Always compiled:
//! the tables exist in every build.

#[cfg(feature = "db")]
use sea_orm::entity::prelude::StringLen;
use serde::{Deserialize, Serialize};

/// Who wrote a message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "db", derive(sea_orm::EnumIter, sea_orm::DeriveActiveEnum))]
#[cfg_attr(feature = "db", sea_orm(rs_type = "String", db_type = "String(StringLen::None)"))]
pub enum MessageRole {
    #[cfg_attr(feature = "db", sea_orm(string_value = "user"))]
    User,
    #[cfg_attr(feature = "db", sea_orm(string_value = "assistant"))]
    Assistant,
}

/// How a reply ended (or that it is still being written).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "db", derive(sea_orm::EnumIter, sea_orm::DeriveActiveEnum))]
#[cfg_attr(feature = "db", sea_orm(rs_type = "String", db_type = "String(StringLen::None)"))]
pub enum Outcome {
    #[cfg_attr(feature = "db", sea_orm(string_value = "streaming"))]
    Streaming,
    #[cfg_attr(feature = "db", sea_orm(string_value = "completed"))]
    Completed,
    /// The user stopped it (or left).
    #[cfg_attr(feature = "db", sea_orm(string_value = "stopped"))]
    Stopped,
    #[cfg_attr(feature = "db", sea_orm(string_value = "failed"))]
    Failed,
    /// Its server stopped mid-reply; closed later with what was saved.
    #[cfg_attr(feature = "db", sea_orm(string_value = "interrupted"))]
    Interrupted,
}

/// Why a reply failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "db", derive(sea_orm::EnumIter, sea_orm::DeriveActiveEnum))]
#[cfg_attr(feature = "db", sea_orm(rs_type = "String", db_type = "String(StringLen::None)"))]
pub enum ErrorKind {
    /// The provider went silent for longer than the idle timeout.
    #[cfg_attr(feature = "db", sea_orm(string_value = "idle_timeout"))]
    IdleTimeout,
    /// The provider could not be reached.
    #[cfg_attr(feature = "db", sea_orm(string_value = "unreachable"))]
    Unreachable,
    /// The provider refused the request.
    #[cfg_attr(feature = "db", sea_orm(string_value = "refused"))]
    Refused,
    /// The provider reported an error in its stream.
    #[cfg_attr(feature = "db", sea_orm(string_value = "provider"))]
    Provider,
    /// The stream ended before the reply did.
    #[cfg_attr(feature = "db", sea_orm(string_value = "interrupted"))]
    Interrupted,
    /// The browser lost the server (never stored).
    #[cfg_attr(feature = "db", sea_orm(string_value = "network"))]
    Network,
}

/// Where a reply's token counts came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "db", derive(sea_orm::EnumIter, sea_orm::DeriveActiveEnum))]
#[cfg_attr(feature = "db", sea_orm(rs_type = "String", db_type = "String(StringLen::None)"))]
pub enum UsageSource {
    /// The provider's own counts.
    #[cfg_attr(feature = "db", sea_orm(string_value = "provider"))]
    Provider,
    /// Estimated locally (the stream ended without them).
    #[cfg_attr(feature = "db", sea_orm(string_value = "counted"))]
    Counted,
    /// Nothing was processed (refused, unreachable, never asked).
    #[cfg_attr(feature = "db", sea_orm(string_value = "none"))]
    None,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outcomes_and_kinds_are_the_strings_stored_before() {
        let json = |v: &dyn erased::Json| v.json();
        assert_eq!(json(&Outcome::Completed), r#""completed""#);
        assert_eq!(json(&ErrorKind::IdleTimeout), r#""idle_timeout""#);
        assert_eq!(json(&UsageSource::Counted), r#""counted""#);
        assert_eq!(json(&MessageRole::Assistant), r#""assistant""#);
    }

    mod erased {
        pub trait Json {
            fn json(&self) -> String;
        }
        impl<T: serde::Serialize> Json for T {
            fn json(&self) -> String {
                serde_json::to_string(self).unwrap()
            }
        }
    }
}
