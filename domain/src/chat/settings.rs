//! The chat's settings and the providers built from them: the model
//! catalogue (`CHAT_MODELS`), each provider's base URL and key, the
//! deployment-wide system prompt, the idle timeout and the reply length
//! cap. The demo model is there unless `CHAT_DEMO_MODEL=off`, and is the
//! default when no other model is enabled; with it off and no other model,
//! the chat is not set up (the instance does not offer it).

use super::provider::anthropic::Anthropic;
use super::provider::demo::{self, Demo};
use super::provider::gemini::Gemini;
use super::provider::openai::OpenAiCompatible;
use super::provider::{ChatProvider, http_client};
use secrecy::SecretString;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use uuid::Uuid;

/// Which API a model is reached through.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ProviderKind {
    /// Any OpenAI-compatible Chat Completions API (`OPENAI_API_BASE`).
    OpenAi,
    Anthropic,
    Gemini,
    /// The offline demo model.
    Demo,
}

impl ProviderKind {
    fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "openai" => ProviderKind::OpenAi,
            "anthropic" => ProviderKind::Anthropic,
            "gemini" => ProviderKind::Gemini,
            "demo" => ProviderKind::Demo,
            _ => return None,
        })
    }
}

/// One model in the catalogue.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModelEntry {
    /// The provider's model id (also the app's).
    pub id: String,
    pub provider: ProviderKind,
    /// Tokens the model reads at most (prompt and reply).
    pub context_window: u32,
    /// What the model picker shows.
    pub name: String,
    /// Listed in the picker and usable for new messages.
    pub enabled: bool,
}

/// The demo model's catalogue entry.
pub fn demo_entry() -> ModelEntry {
    ModelEntry {
        id: demo::MODEL_ID.to_owned(),
        provider: ProviderKind::Demo,
        context_window: 8_192,
        name: "Demo model (offline)".to_owned(),
        enabled: true,
    }
}

/// Parses `CHAT_MODELS`: comma-separated `id|provider|context window|name`
/// entries (`|` because model ids such as `llama3.2:3b` or
/// `openai/gpt-4o` use `:` and `/`); a leading `!` lists a model disabled.
pub fn parse_models(value: &str) -> Result<Vec<ModelEntry>, String> {
    let mut models: Vec<ModelEntry> = Vec::new();
    for entry in value.split(',').map(str::trim).filter(|e| !e.is_empty()) {
        let (enabled, entry) = match entry.strip_prefix('!') {
            Some(rest) => (false, rest),
            None => (true, entry),
        };
        let fields: Vec<&str> = entry.split('|').map(str::trim).collect();
        let [id, provider, window, name] = fields[..] else {
            return Err(format!("`{entry}`: write id|provider|context window|name"));
        };
        if id.is_empty() || !id.chars().all(|c| c.is_ascii_alphanumeric() || "._:/-".contains(c)) {
            return Err(format!("`{id}`: a model id uses letters, digits and . _ : / - only"));
        }
        let provider = ProviderKind::parse(provider)
            .ok_or_else(|| format!("`{provider}`: the provider is openai, anthropic, gemini or demo"))?;
        if provider == ProviderKind::Gemini && id.contains('/') {
            return Err(format!("`{id}`: a Gemini model id has no `/`"));
        }
        let context_window = window
            .parse::<u32>()
            .ok()
            .filter(|w| *w > 0)
            .ok_or_else(|| format!("`{window}`: the context window is a number of tokens"))?;
        if name.is_empty() {
            return Err(format!("`{id}`: give the model a name to show"));
        }
        if models.iter().any(|m| m.id == id) {
            return Err(format!("`{id}` is listed twice"));
        }
        models.push(ModelEntry {
            id: id.to_owned(),
            provider,
            context_window,
            name: name.to_owned(),
            enabled,
        });
    }
    Ok(models)
}

/// Where a provider's API is and the key for it.
#[derive(Clone, Debug)]
pub struct Endpoint {
    /// Ends with `/`.
    pub base: String,
    /// `None` only for OpenAI-compatible servers that take none (Ollama).
    pub key: Option<SecretString>,
}

#[derive(Clone, Debug)]
pub struct ChatSettings {
    /// The catalogue, in picker order; the demo model is in it unless
    /// [`ChatSettings::demo_model`] is off.
    pub models: Vec<ModelEntry>,
    /// Whether the offline demo model may be offered (`CHAT_DEMO_MODEL`):
    /// on, it is the model when no other is enabled; off, it never is.
    pub demo_model: bool,
    pub openai: Option<Endpoint>,
    pub anthropic: Option<Endpoint>,
    pub gemini: Option<Endpoint>,
    /// Sent as the system prompt of every conversation.
    pub system_prompt: Option<String>,
    /// The longest silence from a provider before the reply fails.
    pub idle_timeout: Duration,
    /// The longest reply asked for.
    pub max_output_tokens: u32,
    /// The demo model's pause before each word.
    pub demo_pace: Duration,
    /// Replies one user may have streaming at once (`CHAT_MAX_CONCURRENT_REPLIES`).
    pub max_concurrent_replies: u32,
    /// Replies one user may start (`RATE_LIMIT_CHAT_REPLIES`).
    pub replies_per_user: crate::limits::Rate,
    /// A reply still `streaming` this long after it started belongs to a
    /// process that died: the janitor closes it (`CHAT_STALE_REPLY_AFTER`).
    pub stale_reply_after: Duration,
}

impl ChatSettings {
    /// Checks that every enabled model's provider is configured, and adds
    /// the demo model (enabled only when nothing else is) unless it is off.
    pub fn finish(mut self) -> Result<Self, String> {
        if !self.demo_model {
            if self.models.iter().any(|m| m.provider == ProviderKind::Demo) {
                return Err("CHAT_MODELS lists the demo model, but CHAT_DEMO_MODEL is off".into());
            }
            // No enabled model: the chat is not set up, not an error.
            return self.check_providers();
        }
        self = self.check_providers()?;
        if !self.models.iter().any(|m| m.provider == ProviderKind::Demo) {
            let mut entry = demo_entry();
            entry.enabled = !self.models.iter().any(|m| m.enabled);
            self.models.push(entry);
        }
        if !self.models.iter().any(|m| m.enabled) {
            return Err("CHAT_MODELS enables no model: enable one, or leave the demo model out of the list".into());
        }
        Ok(self)
    }

    /// Every enabled model's provider must be configured.
    fn check_providers(self) -> Result<Self, String> {
        for m in self.models.iter().filter(|m| m.enabled) {
            let configured = match m.provider {
                ProviderKind::OpenAi => self.openai.is_some(),
                ProviderKind::Anthropic => self.anthropic.is_some(),
                ProviderKind::Gemini => self.gemini.is_some(),
                ProviderKind::Demo => true,
            };
            if !configured {
                return Err(format!("model `{}` needs its provider's key (see .env.example)", m.id));
            }
        }
        Ok(self)
    }

    /// The model new conversations start with: the first enabled one.
    /// The models users may pick, in picker order.
    pub fn enabled(&self) -> impl Iterator<Item = &ModelEntry> {
        self.models.iter().filter(|m| m.enabled)
    }

    /// `None`: the chat is not set up (no model, the demo model off).
    pub fn default_model(&self) -> Option<&ModelEntry> {
        self.models.iter().find(|m| m.enabled)
    }
}

/// The configured providers, ready to stream.
#[derive(Clone, Debug)]
pub struct Chat {
    pub settings: ChatSettings,
    providers: HashMap<ProviderKind, Arc<dyn ChatProvider>>,
    /// Replies streaming right now, per user (in this process).
    streaming: Arc<Mutex<HashMap<Uuid, u32>>>,
}

/// One of a user's replies in progress; the slot frees when it drops.
#[derive(Debug)]
pub struct ReplySlot {
    user: Uuid,
    streaming: Arc<Mutex<HashMap<Uuid, u32>>>,
}

impl Drop for ReplySlot {
    fn drop(&mut self) {
        let mut streaming = self.streaming.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(n) = streaming.get_mut(&self.user) {
            *n -= 1;
            if *n == 0 {
                streaming.remove(&self.user);
            }
        }
    }
}

impl Chat {
    pub fn new(settings: ChatSettings) -> Self {
        let http = http_client();
        let idle = settings.idle_timeout;
        let mut providers: HashMap<ProviderKind, Arc<dyn ChatProvider>> = HashMap::new();
        providers.insert(
            ProviderKind::Demo,
            Arc::new(Demo {
                pace: settings.demo_pace,
            }),
        );
        if let Some(e) = &settings.openai {
            let p = OpenAiCompatible {
                base: e.base.clone(),
                key: e.key.clone(),
                http: http.clone(),
                idle,
            };
            providers.insert(ProviderKind::OpenAi, Arc::new(p));
        }
        if let Some(Endpoint { base, key: Some(key) }) = &settings.anthropic {
            let p = Anthropic {
                base: base.clone(),
                key: key.clone(),
                http: http.clone(),
                idle,
            };
            providers.insert(ProviderKind::Anthropic, Arc::new(p));
        }
        if let Some(Endpoint { base, key: Some(key) }) = &settings.gemini {
            let p = Gemini {
                base: base.clone(),
                key: key.clone(),
                http,
                idle,
            };
            providers.insert(ProviderKind::Gemini, Arc::new(p));
        }
        Chat {
            settings,
            providers,
            streaming: Arc::default(),
        }
    }

    /// Takes one of `user`'s reply slots, or `None` when they have
    /// `max_concurrent_replies` streaming already. Checked and taken in
    /// one step, so a burst of requests cannot all pass the check.
    pub fn reply_slot(&self, user: Uuid) -> Option<ReplySlot> {
        let mut streaming = self.streaming.lock().unwrap_or_else(|p| p.into_inner());
        let n = streaming.entry(user).or_insert(0);
        if *n >= self.settings.max_concurrent_replies {
            return None;
        }
        *n += 1;
        Some(ReplySlot {
            user,
            streaming: Arc::clone(&self.streaming),
        })
    }

    /// An enabled model and its provider.
    pub fn model(&self, id: &str) -> Option<(&ModelEntry, Arc<dyn ChatProvider>)> {
        let entry = self.settings.models.iter().find(|m| m.id == id && m.enabled)?;
        Some((entry, self.providers.get(&entry.provider)?.clone()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(models: &str) -> ChatSettings {
        ChatSettings {
            models: parse_models(models).unwrap(),
            demo_model: true,
            openai: Some(Endpoint {
                base: "http://localhost:11434/v1/".into(),
                key: None,
            }),
            anthropic: None,
            gemini: None,
            system_prompt: None,
            idle_timeout: Duration::from_secs(30),
            max_output_tokens: 1024,
            demo_pace: Duration::ZERO,
            max_concurrent_replies: 2,
            replies_per_user: crate::limits::Rate {
                count: 20,
                per: Duration::from_secs(60),
            },
            stale_reply_after: Duration::from_secs(3600),
        }
    }

    #[test]
    fn models_parse_with_colons_and_slashes_in_ids() {
        let m =
            parse_models("llama3.2:3b|openai|131072|Llama 3.2 (local), !openai/gpt-4o|openai|128000|GPT-4o").unwrap();
        assert_eq!(m[0].id, "llama3.2:3b");
        assert_eq!(m[0].name, "Llama 3.2 (local)");
        assert!(m[0].enabled && !m[1].enabled);
        assert_eq!(m[1].context_window, 128_000);
    }

    #[test]
    fn bad_models_say_what_is_wrong() {
        for (value, says) in [
            ("gpt|openai|100", "id|provider"),
            ("gpt|mistral|100|G", "the provider is"),
            ("gpt|openai|lots|G", "context window"),
            ("gpt 4|openai|100|G", "letters, digits"),
            ("a/b|gemini|100|G", "no `/`"),
            ("a|openai|1|A,a|openai|1|B", "twice"),
        ] {
            let err = parse_models(value).unwrap_err();
            assert!(err.contains(says), "{value}: {err}");
        }
    }

    #[test]
    fn the_demo_is_the_default_only_when_nothing_else_is_enabled() {
        let only_demo = settings("").finish().unwrap();
        assert_eq!(only_demo.default_model().unwrap().id, demo::MODEL_ID);
        let local = settings("llama3.2:3b|openai|131072|Llama").finish().unwrap();
        assert_eq!(local.default_model().unwrap().id, "llama3.2:3b");
        let demo = local.models.iter().find(|m| m.id == demo::MODEL_ID).unwrap();
        assert!(!demo.enabled, "a real model is configured, so the demo is not offered");
        let err = settings("claude-x|anthropic|200000|Claude").finish().unwrap_err();
        assert!(err.contains("claude-x"), "{err}");
        let err = settings("!demo|demo|8192|Demo, !llama3.2:3b|openai|131072|Llama")
            .finish()
            .unwrap_err();
        assert!(err.contains("enables no model"), "{err}");
    }

    #[test]
    fn with_the_demo_model_off_it_is_never_offered_and_no_model_means_no_chat() {
        let off = |models: &str| ChatSettings {
            demo_model: false,
            ..settings(models)
        };
        let none = off("").finish().unwrap();
        assert!(none.models.is_empty(), "not even a disabled demo entry");
        assert!(none.default_model().is_none(), "the chat is not set up");
        let local = off("llama3.2:3b|openai|131072|Llama").finish().unwrap();
        assert_eq!(local.default_model().unwrap().id, "llama3.2:3b");
        assert!(local.models.iter().all(|m| m.provider != ProviderKind::Demo));
        let err = off("demo|demo|8192|Demo").finish().unwrap_err();
        assert!(err.contains("CHAT_DEMO_MODEL"), "{err}");
        let err = off("claude-x|anthropic|200000|Claude").finish().unwrap_err();
        assert!(
            err.contains("claude-x"),
            "a model without its key is still refused: {err}"
        );
    }

    #[test]
    fn only_enabled_models_with_a_provider_are_usable() {
        let chat = Chat::new(
            settings("llama3.2:3b|openai|131072|Llama, !old|openai|4096|Old")
                .finish()
                .unwrap(),
        );
        assert!(chat.model("llama3.2:3b").is_some());
        assert!(chat.model("old").is_none());
        assert!(chat.model(demo::MODEL_ID).is_none());
        assert!(chat.model("nope").is_none());
    }

    #[test]
    fn a_user_holds_at_most_the_configured_reply_slots() {
        let chat = Chat::new(settings("").finish().unwrap());
        let (ada, bob) = (Uuid::new_v4(), Uuid::new_v4());
        let first = chat.reply_slot(ada).expect("one");
        let second = chat.reply_slot(ada).expect("two");
        assert!(chat.reply_slot(ada).is_none(), "a third at once is refused");
        assert!(chat.reply_slot(bob).is_some(), "others are not affected");
        drop(first);
        assert!(chat.reply_slot(ada).is_some(), "a finished reply frees its slot");
        drop(second);
    }
}
