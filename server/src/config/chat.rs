//! Chat settings (`chat`): the model catalogue, where each provider's API is
//! and its key, the system prompt, the idle timeout, the reply cap and the
//! demo model's pace. With nothing set, the chat runs on the offline demo
//! model; with `CHAT_DEMO_MODEL=off` it never does, and without another
//! model the chat is not set up.

use super::{ConfigError, invalid, parse};
use domain::chat::settings::{ChatSettings, Endpoint, parse_models};
use domain::settings::{Rate, parse_duration};
use secrecy::SecretString;
use std::time::Duration;

pub(super) fn chat(get: &impl Fn(&str) -> Option<String>) -> Result<ChatSettings, ConfigError> {
    let models = get("CHAT_MODELS").unwrap_or_default();
    let models = parse_models(&models).map_err(|reason| invalid("CHAT_MODELS", &models, &reason))?;
    let key = |name: &'static str| get(name).filter(|k| !k.trim().is_empty()).map(SecretString::from);
    let openai_key = key("OPENAI_API_KEY");
    // A keyless OpenAI-compatible server (Ollama, vLLM) is configured by its base alone.
    let openai = match (get("OPENAI_API_BASE"), openai_key) {
        (None, None) => None,
        (base, key) => Some(Endpoint {
            base: base_url(
                get,
                "OPENAI_API_BASE",
                base.as_deref().unwrap_or("https://api.openai.com/v1/"),
            )?,
            key,
        }),
    };
    // Anthropic and Gemini always need a key.
    let keyed = |key_name: &'static str, base_name: &'static str, default: &str| {
        key(key_name)
            .map(|key| {
                Ok::<_, ConfigError>(Endpoint {
                    base: base_url(get, base_name, default)?,
                    key: Some(key),
                })
            })
            .transpose()
    };
    let anthropic = keyed("ANTHROPIC_API_KEY", "ANTHROPIC_API_BASE", "https://api.anthropic.com/")?;
    let gemini = keyed(
        "GEMINI_API_KEY",
        "GEMINI_API_BASE",
        "https://generativelanguage.googleapis.com/",
    )?;
    let idle = get("CHAT_IDLE_TIMEOUT").unwrap_or_else(|| "30s".to_owned());
    let idle_timeout = parse_duration(&idle).map_err(|reason| invalid("CHAT_IDLE_TIMEOUT", &idle, &reason))?;
    let max_output_tokens: u32 = parse(get, "CHAT_MAX_OUTPUT_TOKENS", "4096")?;
    if max_output_tokens == 0 {
        return Err(invalid(
            "CHAT_MAX_OUTPUT_TOKENS",
            "0",
            "a reply needs at least one token",
        ));
    }
    let words_per_second: u32 = parse(get, "CHAT_DEMO_WORDS_PER_SECOND", "25")?;
    if words_per_second == 0 {
        return Err(invalid("CHAT_DEMO_WORDS_PER_SECOND", "0", "must be more than zero"));
    }
    let max_concurrent_replies: u32 = parse(get, "CHAT_MAX_CONCURRENT_REPLIES", "2")?;
    if max_concurrent_replies == 0 {
        return Err(invalid("CHAT_MAX_CONCURRENT_REPLIES", "0", "must be at least 1"));
    }
    let rate = get("RATE_LIMIT_CHAT_REPLIES").unwrap_or_else(|| "20/1m".to_owned());
    let replies_per_user = Rate::parse(&rate).map_err(|reason| invalid("RATE_LIMIT_CHAT_REPLIES", &rate, &reason))?;
    let stale = get("CHAT_STALE_REPLY_AFTER").unwrap_or_else(|| "1h".to_owned());
    let stale_reply_after =
        parse_duration(&stale).map_err(|reason| invalid("CHAT_STALE_REPLY_AFTER", &stale, &reason))?;
    let demo = get("CHAT_DEMO_MODEL").unwrap_or_else(|| "on".to_owned());
    let demo_model = match demo.as_str() {
        "on" => true,
        "off" => false,
        _ => return Err(invalid("CHAT_DEMO_MODEL", &demo, "must be on or off")),
    };
    let settings = ChatSettings {
        models,
        demo_model,
        openai,
        anthropic,
        gemini,
        system_prompt: get("CHAT_SYSTEM_PROMPT").filter(|p| !p.trim().is_empty()),
        idle_timeout,
        max_output_tokens,
        demo_pace: Duration::from_secs(1) / words_per_second,
        max_concurrent_replies,
        replies_per_user,
        stale_reply_after,
    };
    let shown = get("CHAT_MODELS").unwrap_or_default();
    settings
        .finish()
        .map_err(|reason| invalid("CHAT_MODELS", &shown, &reason))
}

/// An http(s) base URL, ending with `/` (paths are appended to it).
fn base_url(get: &impl Fn(&str) -> Option<String>, name: &'static str, default: &str) -> Result<String, ConfigError> {
    let mut url = get(name).unwrap_or_else(|| default.to_owned());
    if !(url.starts_with("https://") || url.starts_with("http://")) {
        return Err(invalid(name, &url, "must be an http(s) URL"));
    }
    if !url.ends_with('/') {
        url.push('/');
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn read(pairs: &[(&str, &str)]) -> Result<ChatSettings, ConfigError> {
        let map: HashMap<String, String> = pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
        chat(&|k: &str| map.get(k).cloned())
    }

    #[test]
    fn nothing_set_means_the_demo_model() {
        let s = read(&[]).unwrap();
        assert_eq!(s.default_model().unwrap().id, "demo");
        assert!(s.openai.is_none() && s.anthropic.is_none() && s.gemini.is_none());
        assert_eq!(s.idle_timeout, Duration::from_secs(30));
        assert_eq!(s.demo_pace, Duration::from_millis(40));
    }

    #[test]
    fn ollama_needs_a_base_and_no_key() {
        let s = read(&[
            ("OPENAI_API_BASE", "http://localhost:11434/v1"),
            ("CHAT_MODELS", "llama3.2:3b|openai|131072|Llama 3.2"),
        ])
        .unwrap();
        let openai = s.openai.as_ref().unwrap();
        assert_eq!(openai.base, "http://localhost:11434/v1/");
        assert!(openai.key.is_none());
        assert_eq!(s.default_model().unwrap().id, "llama3.2:3b");
    }

    #[test]
    fn with_the_demo_model_off_nothing_set_means_no_chat_model() {
        let s = read(&[("CHAT_DEMO_MODEL", "off")]).unwrap();
        assert!(s.default_model().is_none());
        let err = read(&[("CHAT_DEMO_MODEL", "off"), ("CHAT_MODELS", "demo|demo|8192|Demo")])
            .unwrap_err()
            .to_string();
        assert!(err.contains("CHAT_DEMO_MODEL"), "{err}");
    }

    #[test]
    fn a_model_without_its_providers_key_is_refused_by_name() {
        let err = read(&[("CHAT_MODELS", "claude-sonnet-4-5|anthropic|200000|Claude Sonnet 4.5")]).unwrap_err();
        assert!(
            err.to_string().contains("CHAT_MODELS") && err.to_string().contains("claude-sonnet-4-5"),
            "{err}"
        );
        let ok = read(&[
            ("ANTHROPIC_API_KEY", "sk-ant-x"),
            ("CHAT_MODELS", "claude-sonnet-4-5|anthropic|200000|Claude Sonnet 4.5"),
        ])
        .unwrap();
        assert_eq!(ok.anthropic.unwrap().base, "https://api.anthropic.com/");
    }

    #[test]
    fn bad_numbers_and_urls_name_their_variable() {
        for (name, value) in [
            ("CHAT_IDLE_TIMEOUT", "soon"),
            ("CHAT_MAX_OUTPUT_TOKENS", "0"),
            ("CHAT_DEMO_WORDS_PER_SECOND", "0"),
            ("CHAT_DEMO_MODEL", "no"),
            ("OPENAI_API_BASE", "localhost:11434"),
        ] {
            let err = read(&[(name, value)]).unwrap_err().to_string();
            assert!(err.contains(name), "{name}: {err}");
        }
    }
}
