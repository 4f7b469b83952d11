//! The chat as the page and the server both see it (`chat`): the message a
//! browser posts, the typed events of the reply stream, the records the
//! conversation list and thread show, and how a reply ended.

pub use crate::messages::{ErrorKind, MessageRole, Outcome, UsageSource};
use crate::requirement::{Match, Requirement, Rule};
use serde::{Deserialize, Serialize};

/// The chat, the product's main page.
pub const CHAT_PATH: &str = "/chat";
/// Where the browser posts a message and reads the reply as it streams.
pub const REPLY_PATH: &str = "/api/chat/reply";
/// The longest message a user may send, in characters.
pub const MAX_MESSAGE_CHARS: usize = 16_000;
/// Longest conversation title kept.
pub const MAX_TITLE_CHARS: usize = 100;
/// The demo model's catalogue id, which the picker labels as such.
pub const DEMO_MODEL_ID: &str = "demo";

/// The gate's rules for the chat: the page and its server functions need access.
pub const GATE: &[Rule] = &[
    Rule(Match::Exact(CHAT_PATH), Requirement::Access),
    Rule(Match::Prefix("/chat/"), Requirement::Access),
    Rule(Match::Prefix("/api/chat/"), Requirement::Access),
];

/// What the browser posts to [`REPLY_PATH`].
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ReplyRequest {
    /// Omitted for a new conversation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conversation_id: Option<String>,
    #[serde(default)]
    pub text: String,
    /// A catalogue id; omitted (or no longer enabled) means the
    /// conversation's model, else the default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    /// Answer the last message again instead of a new one (`text` is ignored).
    #[serde(default)]
    pub regenerate: bool,
}

/// One event of the reply stream, typed on both sides: the server writes
/// [`ReplyEvent::name`] as the SSE `event:` and [`ReplyEvent::data`] as its
/// `data:`; the browser reads them back with [`ReplyEvent::decode`]. Each
/// event's data is its own struct, so reading one is one plain struct
/// deserialisation (no tagged-enum buffering or `serde_json::Value` in the
/// WASM).
#[derive(Clone, Debug, PartialEq)]
pub enum ReplyEvent {
    Start(Started),
    Delta(Delta),
    Done(Done),
    Error(Failure),
    Title(Titled),
}

/// The message was accepted: its conversation, the reply's id, the model,
/// and how many older messages were left out to fit the model's context
/// window.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Started {
    pub conversation_id: String,
    pub message_id: String,
    pub model: String,
    #[serde(default)]
    pub trimmed: u32,
}

/// More of the reply's text.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Delta {
    pub text: String,
}

/// The reply is complete.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Done {
    pub outcome: Outcome,
    pub input_tokens: i64,
    pub output_tokens: i64,
    /// What the reply was charged, when credits are enforced.
    #[serde(default)]
    pub credits: Option<i64>,
}

/// The reply failed (its text so far is kept).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Failure {
    pub error: ErrorKind,
    pub message: String,
}

/// The conversation's new title (after a first exchange).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Titled {
    pub title: String,
}

impl ReplyEvent {
    /// The SSE event name.
    pub const fn name(&self) -> &'static str {
        match self {
            ReplyEvent::Start(_) => "start",
            ReplyEvent::Delta(_) => "delta",
            ReplyEvent::Done(_) => "done",
            ReplyEvent::Error(_) => "error",
            ReplyEvent::Title(_) => "title",
        }
    }

    /// The SSE data: the event's fields as one line of JSON.
    pub fn data(&self) -> String {
        let json = match self {
            ReplyEvent::Start(d) => serde_json::to_string(d),
            ReplyEvent::Delta(d) => serde_json::to_string(d),
            ReplyEvent::Done(d) => serde_json::to_string(d),
            ReplyEvent::Error(d) => serde_json::to_string(d),
            ReplyEvent::Title(d) => serde_json::to_string(d),
        };
        // Strings, integers and unit enums always serialise.
        json.unwrap_or_default()
    }

    /// Reads an event back from its SSE name and data; `None` for an
    /// unknown name or data that does not fit it.
    pub fn decode(name: &str, data: &str) -> Option<Self> {
        let event = match name {
            "start" => ReplyEvent::Start(serde_json::from_str(data).ok()?),
            "delta" => ReplyEvent::Delta(serde_json::from_str(data).ok()?),
            "done" => ReplyEvent::Done(serde_json::from_str(data).ok()?),
            "error" => ReplyEvent::Error(serde_json::from_str(data).ok()?),
            "title" => ReplyEvent::Title(serde_json::from_str(data).ok()?),
            _ => return None,
        };
        Some(event)
    }
}

/// A conversation in the list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConversationSummary {
    pub id: String,
    pub title: String,
    /// The catalogue id of its model.
    pub model: String,
    /// Unix seconds of the last message.
    pub updated_at: i64,
    /// In a search: the words around a match in one of its messages, the
    /// matched words between [`MATCH_START`] and [`MATCH_END`].
    #[serde(default)]
    pub snippet: Option<String>,
}

/// Marks where a search match starts in a snippet (a private-use character:
/// it never comes from a keyboard, and the page renders text, not HTML).
pub const MATCH_START: char = '\u{E000}';
/// Marks where a search match ends in a snippet.
pub const MATCH_END: char = '\u{E001}';

/// A snippet's pieces: `(text, matched)`, in order.
pub fn snippet_parts(snippet: &str) -> Vec<(String, bool)> {
    let mut parts = Vec::new();
    let mut current = String::new();
    let mut matched = false;
    for c in snippet.chars() {
        if c == MATCH_START || c == MATCH_END {
            if !current.is_empty() {
                parts.push((std::mem::take(&mut current), matched));
            }
            matched = c == MATCH_START;
        } else {
            current.push(c);
        }
    }
    if !current.is_empty() {
        parts.push((current, matched));
    }
    parts
}

/// The words of a search, as a full-text query can use them: letters and
/// digits only (every other character separates words, so nothing a user
/// types is query syntax), at most 8 words of at most 64 characters.
pub fn search_terms(query: &str) -> Vec<String> {
    query
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| w.chars().take(64).collect::<String>().to_lowercase())
        .take(8)
        .collect()
}

/// One message as the thread shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageView {
    pub id: String,
    pub role: MessageRole,
    pub content: String,
    pub model: Option<String>,
    /// How an assistant's reply ended.
    pub outcome: Option<Outcome>,
    pub error: Option<ErrorKind>,
    pub created_at: i64,
    /// An assistant's reply: tokens read and written, and what it was
    /// charged (when credits are enforced).
    #[serde(default)]
    pub input_tokens: Option<i64>,
    #[serde(default)]
    pub output_tokens: Option<i64>,
    #[serde(default)]
    pub credits: Option<i64>,
}

/// A model the picker offers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModelChoice {
    pub id: String,
    pub name: String,
    pub context_window: u32,
    /// Its prices, when replies on it are charged (credits enforced, not free).
    #[serde(default)]
    pub pricing: Option<crate::credits::Pricing>,
}

impl ErrorKind {
    /// What the user reads about it.
    pub const fn key(self) -> crate::i18n::Key {
        use crate::i18n::Key;
        match self {
            ErrorKind::IdleTimeout => Key::ChatErrIdleTimeout,
            ErrorKind::Unreachable => Key::ChatErrUnreachable,
            ErrorKind::Refused => Key::ChatErrRefused,
            ErrorKind::Provider => Key::ChatErrProvider,
            ErrorKind::Network => Key::ChatErrNetwork,
            ErrorKind::Interrupted => Key::ChatErrInterrupted,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_terms_are_words_never_query_syntax() {
        assert_eq!(
            search_terms(r#"  Mast "OR" hull* NEAR(a b) -x "#),
            ["mast", "or", "hull", "near", "a", "b", "x"]
        );
        assert_eq!(search_terms("Киль, ЛОДКА!"), ["киль", "лодка"]);
        assert!(search_terms(" '\"*():^ ").is_empty());
        assert_eq!(search_terms(&"w ".repeat(20)).len(), 8);
    }

    #[test]
    fn snippets_split_into_matched_and_plain_text() {
        let s = format!("a {MATCH_START}mast{MATCH_END} is {MATCH_START}long{MATCH_END}");
        assert_eq!(
            snippet_parts(&s),
            [
                ("a ".to_owned(), false),
                ("mast".to_owned(), true),
                (" is ".to_owned(), false),
                ("long".to_owned(), true)
            ]
        );
    }

    #[test]
    fn events_round_trip_through_their_sse_name_and_data() {
        let events = [
            ReplyEvent::Start(Started {
                conversation_id: "c".into(),
                message_id: "m".into(),
                model: "demo".into(),
                trimmed: 2,
            }),
            ReplyEvent::Delta(Delta { text: "hé".into() }),
            ReplyEvent::Done(Done {
                outcome: Outcome::Completed,
                input_tokens: 3,
                output_tokens: 4,
                credits: Some(12),
            }),
            ReplyEvent::Error(Failure {
                error: ErrorKind::IdleTimeout,
                message: "slow".into(),
            }),
            ReplyEvent::Title(Titled { title: "T".into() }),
        ];
        for e in events {
            assert_eq!(ReplyEvent::decode(e.name(), &e.data()), Some(e.clone()));
        }
        assert_eq!(
            ReplyEvent::Delta(Delta { text: "x".into() }).data(),
            r#"{"text":"x"}"#,
            "the data is the fields alone"
        );
        assert_eq!(ReplyEvent::decode("nope", "{}"), None);
        assert_eq!(ReplyEvent::decode("delta", "not json"), None);
        // A start from a server that does not send `trimmed` still reads.
        assert!(ReplyEvent::decode("start", r#"{"conversation_id":"c","message_id":"m","model":"x"}"#).is_some());
    }
}
