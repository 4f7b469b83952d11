//! The model providers' production client code against the fake model APIs
//! (`keel_fakes::llm`), which speak each provider's streaming format.

use app::chat::provider::anthropic::Anthropic;
use app::chat::provider::gemini::Gemini;
use app::chat::provider::openai::OpenAiCompatible;
use app::chat::provider::{ChatError, ChatProvider, ChatRequest, Role, Turn, http_client};
use app::chat::stream::{Delta, Reply, Usage};
use futures::StreamExt;
use keel_fakes::{Fakes, llm};
use secrecy::SecretString;
use std::time::{Duration, Instant};

const IDLE: Duration = Duration::from_secs(5);

async fn fakes() -> Fakes {
    Fakes::start(([127, 0, 0, 1], 0).into()).await.expect("fakes start")
}

fn providers(fakes: &Fakes, idle: Duration) -> Vec<(&'static str, Box<dyn ChatProvider>)> {
    let b = fakes.url();
    let http = http_client();
    vec![
        (
            "openai",
            Box::new(OpenAiCompatible {
                base: format!("{b}/openai/v1/"),
                key: Some(SecretString::from(llm::OPENAI_KEY)),
                http: http.clone(),
                idle,
            }),
        ),
        (
            "anthropic",
            Box::new(Anthropic {
                base: format!("{b}/anthropic/"),
                key: SecretString::from(llm::ANTHROPIC_KEY),
                http: http.clone(),
                idle,
            }),
        ),
        (
            "gemini",
            Box::new(Gemini {
                base: format!("{b}/gemini/"),
                key: SecretString::from(llm::GEMINI_KEY),
                http,
                idle,
            }),
        ),
    ]
}

fn ask(text: &str) -> ChatRequest {
    ChatRequest {
        model: "fake-model-1".into(),
        system: Some("You are terse.".into()),
        turns: vec![
            Turn {
                role: Role::User,
                text: "hi".into(),
            },
            Turn {
                role: Role::Assistant,
                text: "hello".into(),
            },
            Turn {
                role: Role::User,
                text: text.into(),
            },
        ],
        max_output_tokens: 256,
    }
}

/// Every item of a stream, in order.
async fn collect(provider: &dyn ChatProvider, text: &str) -> Vec<Result<Delta, ChatError>> {
    provider.stream(ask(text)).collect().await
}

fn reply_of(items: &[Result<Delta, ChatError>]) -> Reply {
    let mut reply = Reply::default();
    for d in items.iter().filter_map(|i| i.as_ref().ok()) {
        reply.apply(d.clone());
    }
    reply
}

#[tokio::test]
async fn each_provider_streams_a_reply_with_its_usage() {
    let fakes = fakes().await;
    for (name, provider) in providers(&fakes, IDLE) {
        let items = collect(provider.as_ref(), "tell me about keels").await;
        assert!(items.iter().all(Result::is_ok), "{name}: {items:?}");
        let texts = items.iter().filter(|i| matches!(i, Ok(Delta::Text(_)))).count();
        assert!(texts >= 5, "{name}: the reply arrives in pieces, got {texts}");
        let reply = reply_of(&items);
        assert_eq!(reply.text, "You said: tell me about keels", "{name}");
        assert!(reply.done, "{name}");
        // system + "hi" + "hello" + 4 words, as the fake counts; 6 words out.
        let expected = Usage {
            input_tokens: Some(9),
            output_tokens: Some(6),
        };
        assert_eq!(reply.usage, expected, "{name}");
    }
}

#[tokio::test]
async fn each_request_is_shaped_as_its_api_wants() {
    let fakes = fakes().await;
    let [openai, anthropic, gemini]: [_; 3] = providers(&fakes, IDLE).try_into().ok().unwrap();
    collect(openai.1.as_ref(), "x").await;
    let body = fakes.last_llm_request().unwrap();
    assert_eq!(body["stream_options"]["include_usage"], true);
    assert_eq!(body["messages"][0]["role"], "system");
    assert_eq!(body["messages"][2]["role"], "assistant");

    collect(anthropic.1.as_ref(), "x").await;
    let body = fakes.last_llm_request().unwrap();
    assert_eq!(body["system"], "You are terse.");
    assert_eq!(body["max_tokens"], 256);
    assert_eq!(body["messages"][0]["role"], "user");

    collect(gemini.1.as_ref(), "x").await;
    let body = fakes.last_llm_request().unwrap();
    assert_eq!(body["contents"][1]["role"], "model");
    assert_eq!(body["systemInstruction"]["parts"][0]["text"], "You are terse.");
    assert_eq!(body["generationConfig"]["maxOutputTokens"], 256);
}

#[tokio::test]
async fn a_wrong_key_is_refused_with_the_providers_own_message() {
    let fakes = fakes().await;
    let b = fakes.url();
    let bad = OpenAiCompatible {
        base: format!("{b}/openai/v1/"),
        key: Some(SecretString::from("sk-wrong")),
        http: http_client(),
        idle: IDLE,
    };
    assert_eq!(
        collect(&bad, "x").await,
        [Err(ChatError::Refused {
            status: 401,
            message: "Incorrect API key provided.".into()
        })]
    );
    let bad = Anthropic {
        base: format!("{b}/anthropic/"),
        key: SecretString::from("sk-ant-wrong"),
        http: http_client(),
        idle: IDLE,
    };
    assert_eq!(
        collect(&bad, "x").await,
        [Err(ChatError::Refused {
            status: 401,
            message: "invalid x-api-key".into()
        })]
    );
}

#[tokio::test]
async fn an_error_inside_the_stream_ends_it_after_the_text_before_it() {
    let fakes = fakes().await;
    for (name, provider) in providers(&fakes, IDLE) {
        let items = collect(provider.as_ref(), "[overloaded] please").await;
        let (last, before) = items.split_last().unwrap();
        assert!(matches!(last, Err(ChatError::Provider(_))), "{name}: {last:?}");
        assert!(before.iter().all(Result::is_ok), "{name}");
        assert_eq!(reply_of(before).text, "You said: ", "{name}");
        assert!(!reply_of(before).done, "{name}");
    }
}

#[tokio::test]
async fn a_stalled_stream_ends_in_the_idle_timeout_keeping_the_partial_text() {
    let fakes = fakes().await;
    let idle = Duration::from_millis(300);
    for (name, provider) in providers(&fakes, idle) {
        let items = collect(provider.as_ref(), "[stall] one two three four").await;
        let (last, before) = items.split_last().unwrap();
        assert_eq!(last, &Err(ChatError::IdleTimeout(idle)), "{name}");
        assert_eq!(reply_of(before).text, "You said: [stall] one ", "{name}");
    }
}

#[tokio::test]
async fn dropping_the_stream_cancels_the_upstream_request_within_a_second() {
    let fakes = fakes().await;
    fakes.set_llm_pace(Duration::from_millis(100));
    for (expected, (name, provider)) in providers(&fakes, IDLE).into_iter().enumerate() {
        let mut stream = provider.stream(ask("a long answer please, with many many words in it"));
        let first = stream.next().await;
        assert!(matches!(first, Some(Ok(_))), "{name}: {first:?}");
        assert_eq!(fakes.llm_streams().0, 1, "{name}: the upstream stream is open");
        let dropped = Instant::now();
        drop(stream);
        let noticed = loop {
            let (open, abandoned) = fakes.llm_streams();
            if abandoned.len() == expected + 1 {
                assert_eq!(open, 0, "{name}");
                break abandoned[expected];
            }
            assert!(
                dropped.elapsed() < Duration::from_secs(5),
                "{name}: the upstream never noticed"
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        };
        let after = noticed.saturating_duration_since(dropped);
        assert!(
            after < Duration::from_secs(1),
            "{name}: upstream noticed after {after:?}"
        );
    }
}

#[tokio::test]
async fn an_unreachable_provider_is_reported() {
    // A port that was just free: nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let provider = OpenAiCompatible {
        base: format!("http://127.0.0.1:{port}/v1/"),
        key: None,
        http: http_client(),
        idle: IDLE,
    };
    let items = collect(&provider, "x").await;
    assert!(
        matches!(items.as_slice(), [Err(ChatError::Unreachable(_))]),
        "{items:?}"
    );
}
