//! The demo model: offline, always compiled in, the default when no
//! provider is configured. It streams a fixed, deterministic reply about
//! the user's message word by word at a chat-like pace, and counts its own
//! tokens (words), so the whole chat works with no keys. The UI labels it
//! "Demo model (offline)"; it never poses as a real model.

use super::{ChatProvider, ChatRequest, DeltaStream, Role};
use crate::chat::stream::{Delta, Usage};
use std::time::Duration;

/// The demo model's id in the catalogue.
pub const MODEL_ID: &str = "demo";

/// Words per second when not configured otherwise.
pub const DEFAULT_PACE: Duration = Duration::from_millis(40);

#[derive(Debug)]
pub struct Demo {
    /// The pause before each word.
    pub pace: Duration,
}

impl Default for Demo {
    fn default() -> Self {
        Demo { pace: DEFAULT_PACE }
    }
}

/// The first line of every demo reply: what end users need to know. How to
/// configure a real model is the operator's business (the start-up log).
pub const NOTICE: &str = "This is a demo model; replies are examples.";

/// What a reply can show off, asked for by a word in the message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Show {
    /// A fenced code block (syntax highlighting).
    Code,
    /// A Markdown table.
    Table,
    /// Bulleted and numbered lists.
    List,
    /// Several hundred words (Stop, auto-scroll).
    Long,
}

impl Show {
    const ALL: [(Show, &'static str); 4] = [
        (Show::Code, "code"),
        (Show::Table, "table"),
        (Show::List, "list"),
        (Show::Long, "long"),
    ];

    /// The examples `message` asks for, in a fixed order: each keyword as a
    /// word of its own, in any case ("Show me some CODE." counts).
    fn asked_in(message: &str) -> Vec<Show> {
        let words: Vec<String> = message
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(str::to_lowercase)
            .collect();
        Self::ALL
            .iter()
            .filter(|(_, word)| words.iter().any(|w| w == word))
            .map(|(show, _)| *show)
            .collect()
    }

    fn example(self) -> String {
        match self {
            Show::Code => "Here is some code:\n\n```rust\nfn main() {\n    let crew = [\"Ada\", \"Grace\", \"Linus\"];\n    \
                           for (i, name) in crew.iter().enumerate() {\n        println!(\"{}: hello, {name}!\", i + 1);\n    \
                           }\n}\n```"
                .to_owned(),
            Show::Table => "Here is a table:\n\n| Plan | Messages a day | Price |\n| --- | ---: | ---: |\n\
                            | Free | 20 | $0 |\n| Plus | 500 | $9 |\n| Team | 2,000 | $29 |"
                .to_owned(),
            Show::List => "Here is a list:\n\n- Replies stream word by word.\n- **Stop** ends a reply early.\n\
                           - **Regenerate** asks again.\n\nAnd a numbered one:\n\n1. Ask a question.\n\
                           2. Read the answer.\n3. Ask a follow-up."
                .to_owned(),
            Show::Long => {
                let paragraphs: Vec<String> = (1..=12)
                    .map(|n| {
                        format!(
                            "Paragraph {n}. A long reply arrives a few words at a time, and the conversation \
                             follows it as it grows; scroll up to read earlier text and the view stays where \
                             you left it. Press Stop at any moment: what has arrived so far is kept, and the \
                             reply is marked as stopped. This paragraph is here only to make the reply long \
                             enough to try that."
                        )
                    })
                    .collect();
                format!("Here is a long reply.\n\n{}", paragraphs.join("\n\n"))
            }
        }
    }
}

/// `text` as a Markdown block quote, every line of it.
fn quote(text: &str) -> String {
    text.lines()
        .map(|line| {
            if line.trim().is_empty() {
                ">".to_owned()
            } else {
                format!("> {line}")
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The reply to `request`: the same words for the same conversation. It
/// quotes the user's whole last message, then shows what the message asked
/// for ("code", "table", "list", "long"), or says how to ask.
pub fn reply(request: &ChatRequest) -> String {
    let last = request
        .turns
        .iter()
        .rev()
        .find(|t| t.role == Role::User)
        .map(|t| t.text.trim())
        .unwrap_or_default();
    let shows = Show::asked_in(last);
    let mut out = format!("{NOTICE}\n\nYou wrote:\n\n{}\n\n", quote(last));
    if shows.is_empty() {
        out.push_str("Ask for **code**, a **table**, a **list** or something **long** to see how replies are shown.");
    } else {
        let examples: Vec<String> = shows.into_iter().map(Show::example).collect();
        out.push_str(&examples.join("\n\n"));
    }
    out
}

/// Tokens, as the demo counts them: words.
fn count(text: &str) -> u64 {
    text.split_whitespace().count() as u64
}

impl ChatProvider for Demo {
    fn stream(&self, request: ChatRequest) -> DeltaStream {
        let text = reply(&request);
        let input =
            request.system.as_deref().map_or(0, count) + request.turns.iter().map(|t| count(&t.text)).sum::<u64>();
        let mut deltas: Vec<Delta> = text.split_inclusive(' ').map(|w| Delta::Text(w.to_owned())).collect();
        deltas.push(Delta::Usage(Usage {
            input_tokens: Some(input),
            output_tokens: Some(count(&text)),
            ..Usage::default()
        }));
        deltas.push(Delta::Done);
        let pace = self.pace;
        Box::pin(futures::stream::unfold(
            deltas.into_iter(),
            move |mut rest| async move {
                let next = rest.next()?;
                if matches!(next, Delta::Text(_)) {
                    tokio::time::sleep(pace).await;
                }
                Some((Ok(next), rest))
            },
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chat::provider::Turn;
    use crate::chat::stream::Reply;
    use futures::StreamExt;

    fn ask(text: &str) -> ChatRequest {
        ChatRequest {
            model: MODEL_ID.into(),
            system: Some("Be brief.".into()),
            turns: vec![Turn {
                role: Role::User,
                text: text.into(),
            }],
            max_output_tokens: 100,
        }
    }

    #[tokio::test]
    async fn the_demo_streams_the_same_reply_word_by_word_with_its_own_usage() {
        let demo = Demo { pace: Duration::ZERO };
        let deltas: Vec<_> = demo.stream(ask("hello there")).collect().await;
        let texts = deltas.iter().filter(|d| matches!(d, Ok(Delta::Text(_)))).count();
        assert!(texts > 10, "word by word, got {texts} pieces");
        let mut reply = Reply::default();
        for d in deltas {
            reply.apply(d.expect("the demo never fails"));
        }
        assert!(reply.done);
        assert_eq!(reply.text, super::reply(&ask("hello there")));
        assert!(reply.text.starts_with(NOTICE) && reply.text.contains("> hello there"));
        assert_eq!(reply.usage.input_tokens, Some(4));
        assert_eq!(
            reply.usage.output_tokens,
            Some(reply.text.split_whitespace().count() as u64)
        );
    }

    #[test]
    fn the_demo_speaks_to_users_and_never_gives_operator_instructions() {
        for text in ["hello", "show me code", "a table please", "list", "something long"] {
            let reply = super::reply(&ask(text));
            assert!(reply.starts_with(NOTICE), "{reply}");
            for operator_word in ["API_KEY", "CHAT_MODELS", "OPENAI_API_BASE", "configure"] {
                assert!(!reply.contains(operator_word), "{text}: {reply}");
            }
        }
    }

    #[test]
    fn the_demo_quotes_the_whole_message_every_line() {
        let message = "first line\n\nsecond line, which is rather longer than eighty characters so that the old cut would have hidden it";
        let reply = super::reply(&ask(message));
        assert!(
            reply.contains("> first line\n>\n> second line, which is rather longer"),
            "{reply}"
        );
        assert!(reply.contains("would have hidden it"), "{reply}");
    }

    #[test]
    fn keywords_ask_for_code_a_table_a_list_or_a_long_reply() {
        let plain = super::reply(&ask("hello there"));
        assert!(!plain.contains("```") && !plain.contains("| --- |"), "{plain}");

        let code = super::reply(&ask("Show me some CODE."));
        assert!(
            code.contains("```rust\nfn main() {") && code.matches("```").count() == 2,
            "{code}"
        );
        let table = super::reply(&ask("a table, please"));
        assert!(table.contains("| Plan | Messages a day | Price |\n| --- |"), "{table}");
        let list = super::reply(&ask("give me a list"));
        assert!(
            list.contains("\n- Replies stream") && list.contains("\n1. Ask a question."),
            "{list}"
        );
        let long = super::reply(&ask("something long"));
        assert!(
            long.split_whitespace().count() > 500,
            "{} words",
            long.split_whitespace().count()
        );

        let all = super::reply(&ask("long list table code"));
        let at = |needle: &str| all.find(needle).unwrap_or_else(|| panic!("{needle} missing: {all}"));
        assert!(at("```rust") < at("| Plan") && at("| Plan") < at("- Replies") && at("- Replies") < at("Paragraph 1."));
        // A keyword inside another word does not count.
        assert!(!super::reply(&ask("codes and listings")).contains("```"));
    }
}
