//! The model providers' production client code against the fake model APIs
//! (`fakes::llm`), which speak each provider's streaming format.

use domain::chat::provider::anthropic::Anthropic;
use domain::chat::provider::gemini::Gemini;
use domain::chat::provider::openai::OpenAiCompatible;
use domain::chat::provider::{ChatError, ChatProvider, ChatRequest, Role, Turn, http_client};
use domain::chat::stream::{Delta, Reply, Usage};
use fakes::{Fakes, llm};
use futures::StreamExt;
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
        let items = collect(provider.as_ref(), "tell me about masts").await;
        assert!(items.iter().all(Result::is_ok), "{name}: {items:?}");
        let texts = items.iter().filter(|i| matches!(i, Ok(Delta::Text(_)))).count();
        assert!(texts >= 5, "{name}: the reply arrives in pieces, got {texts}");
        let reply = reply_of(&items);
        assert_eq!(reply.text, "You said: tell me about masts", "{name}");
        assert!(reply.done, "{name}");
        // system + "hi" + "hello" + 4 words, as the fake counts; 6 words out.
        assert_eq!(reply.usage.input_tokens, Some(9), "{name}");
        assert_eq!(reply.usage.output_tokens, Some(6), "{name}");
        assert_eq!(reply.usage.cached_tokens.unwrap_or(0), 0, "{name}");
    }
}

#[tokio::test]
async fn each_provider_says_what_its_prompt_cache_served_and_the_input_counts_it() {
    let fakes = fakes().await;
    for (name, provider) in providers(&fakes, IDLE) {
        let reply = reply_of(&collect(provider.as_ref(), "cache me [cached 4]").await);
        // Anthropic counts cached tokens outside `input_tokens`: the app's
        // usage adds them back, so every provider's input means the same.
        let expected = Usage {
            input_tokens: Some(9),
            output_tokens: reply.usage.output_tokens,
            cached_tokens: Some(4),
            cache_write_tokens: reply.usage.cache_write_tokens,
        };
        assert_eq!(reply.usage, expected, "{name}");
        assert_eq!(reply.usage.cache_write_tokens.unwrap_or(0), 0, "{name}");
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

/// The fake noticed its `nth` abandoned stream within a second of `since`,
/// with no stream left open.
async fn assert_upstream_cancelled_within_a_second(fakes: &Fakes, nth: usize, since: Instant, label: &str) {
    loop {
        let (open, abandoned) = fakes.llm_streams();
        if let Some(at) = abandoned.get(nth) {
            assert_eq!(open, 0, "{label}");
            let after = at.saturating_duration_since(since);
            assert!(
                after < Duration::from_secs(1),
                "{label}: upstream cancelled {after:?} after the client left"
            );
            return;
        }
        assert!(
            since.elapsed() < Duration::from_secs(5),
            "{label}: the upstream request was never cancelled"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
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
        assert_upstream_cancelled_within_a_second(&fakes, expected, dropped, name).await;
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

// --- The reply endpoint: the app on port 0 with the fakes as its providers.

use crate::helpers::{Backend, Browser, TestApp, expect_json, unique_email};
use crate::support::{make_admin, registered_and_verified};
use entity::{chat_conversations, chat_messages};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde_json::{Value, json};
use std::collections::VecDeque;
use wire::chat::{ErrorKind, Outcome, UsageSource};
use wire::sse;

pub(crate) const REPLY: &str = "/api/chat/reply";

/// A signed-in user with access (admins always have it).
pub(crate) async fn member(app: &TestApp) -> Browser {
    let b = app.browser();
    let email = unique_email("chat");
    registered_and_verified(app, &b, &email).await;
    make_admin(app, &email).await;
    b
}

/// The events of a streamed reply, read as they arrive.
pub(crate) struct Events {
    response: reqwest::Response,
    decoder: sse::Decoder,
    queued: VecDeque<sse::Event>,
}

impl Events {
    pub(crate) async fn open(b: &Browser, body: Value) -> Events {
        let response = b.post_json(REPLY, &body).await;
        assert_eq!(response.status(), 200, "{:?}", response.headers());
        assert_eq!(response.headers()["content-type"], "text/event-stream");
        Events {
            response,
            decoder: sse::Decoder::default(),
            queued: VecDeque::new(),
        }
    }

    pub(crate) async fn next(&mut self) -> Option<(String, Value)> {
        loop {
            if let Some(e) = self.queued.pop_front() {
                return Some((e.kind.unwrap_or_default(), serde_json::from_str(&e.data).unwrap()));
            }
            let chunk = self.response.chunk().await.expect("the stream reads")?;
            self.queued.extend(self.decoder.push(&chunk));
        }
    }

    async fn all(mut self) -> Vec<(String, Value)> {
        let mut out = Vec::new();
        while let Some(e) = self.next().await {
            out.push(e);
        }
        out
    }
}

/// A whole reply's events, read to the end of its stream.
pub(crate) async fn exchange(b: &Browser, body: Value) -> Vec<(String, Value)> {
    Events::open(b, body).await.all().await
}

fn texts(events: &[(String, Value)]) -> String {
    events
        .iter()
        .filter(|(k, _)| k == "delta")
        .map(|(_, d)| d["text"].as_str().unwrap())
        .collect()
}

pub(crate) async fn assistant_message(app: &TestApp, id: &str) -> chat_messages::Model {
    chat_messages::Entity::find_by_id(uuid::Uuid::parse_str(id).unwrap())
        .one(app.db())
        .await
        .unwrap()
        .unwrap()
}

/// A streamed round trip per provider, saved with the provider's usage.
async fn a_reply_streams_from_each_provider_and_is_saved_with_its_usage(app: TestApp) {
    let b = member(&app).await;
    for model in ["fake-gpt", "fake-claude", "fake-gemini", "demo"] {
        let mut events = exchange(&b, json!({"text": "tell me about masts", "model": model})).await;
        // After the first exchange, the model is asked for a title (not the demo's).
        let title = events.pop_if(|(k, _)| k == "title").map(|(_, t)| t["title"].clone());
        let (first, rest) = events.split_first().unwrap();
        assert_eq!(first.0, "start", "{model}");
        assert_eq!(first.1["model"], model);
        let (last, middle) = rest.split_last().unwrap();
        assert_eq!(last.0, "done", "{model}: {last:?}");
        assert!(
            middle.len() >= 2 && middle.iter().all(|(k, _)| k == "delta"),
            "{model}: {middle:?}"
        );
        let text = texts(&events);
        if model == "demo" {
            assert!(text.starts_with(domain::chat::provider::demo::NOTICE), "{text}");
        } else {
            assert_eq!(text, "You said: tell me about masts", "{model}");
        }

        let saved = assistant_message(&app, first.1["message_id"].as_str().unwrap()).await;
        assert_eq!(saved.content, text, "{model}");
        assert_eq!(saved.outcome, Some(Outcome::Completed));
        assert_eq!(saved.model.as_deref(), Some(model));
        assert_eq!(saved.usage_source, Some(UsageSource::Provider), "{model}");
        assert_eq!(
            saved.output_tokens,
            Some(text.split_whitespace().count() as i64),
            "{model}"
        );
        assert!(saved.input_tokens.unwrap() >= 4, "{model}");
        assert_eq!(last.1["output_tokens"], saved.output_tokens.unwrap());
        assert!(saved.first_token_ms.unwrap() <= saved.duration_ms.unwrap());

        let id = first.1["conversation_id"].as_str().unwrap();
        let thread = expect_json(b.call("/api/chat/messages", &[("id", id)]).await, 200).await;
        let roles: Vec<&str> = thread
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["role"].as_str().unwrap())
            .collect();
        assert_eq!(roles, ["user", "assistant"], "{model}");

        let expected = if model == "demo" {
            "tell me about masts"
        } else {
            "About tell me about masts"
        };
        if model != "demo" {
            assert_eq!(title, Some(json!(expected)), "{model}");
        }
        let conversation = chat_conversations::Entity::find_by_id(uuid::Uuid::parse_str(id).unwrap())
            .one(app.db())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            conversation.title, expected,
            "{model}: the model's title, or the cut first message"
        );
    }
    let list = expect_json(
        b.call("/api/chat/conversations", &[("query", "About MASTS")]).await,
        200,
    )
    .await;
    assert_eq!(list.as_array().unwrap().len(), 4, "the search ignores case");
    assert_eq!(list[0]["title"], "tell me about masts");
    let none = expect_json(b.call("/api/chat/conversations", &[("query", "ma%ts")]).await, 200).await;
    assert_eq!(none, json!([]), "`%` is a character, not a wildcard");
    exchange(&b, json!({"text": "Привет, расскажи про кили", "model": "demo"})).await;
    let found = expect_json(b.call("/api/chat/conversations", &[("query", "ПРИВЕТ")]).await, 200).await;
    assert_eq!(
        found.as_array().unwrap().len(),
        1,
        "case is ignored beyond ASCII: {found}"
    );
    assert_eq!(found[0]["title"], "Привет, расскажи про кили");
}
crate::on_each_database!(a_reply_streams_from_each_provider_and_is_saved_with_its_usage);

async fn search(b: &Browser, query: &str) -> Vec<Value> {
    let found = expect_json(b.call("/api/chat/conversations", &[("query", query)]).await, 200).await;
    found.as_array().unwrap().clone()
}

/// Search finds a conversation by what was said in it, its owner's only,
/// with the matched words marked; nothing a user types is query syntax.
async fn a_search_finds_words_said_in_a_conversation_for_its_owner_only(app: TestApp) {
    let b = member(&app).await;
    exchange(&b, json!({"text": "Tell me about hull shapes", "model": "demo"})).await;
    exchange(
        &b,
        json!({"text": "Why would a dinghy need a Centreboard?", "model": "demo"}),
    )
    .await;
    let found = search(&b, "centreboard").await;
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0]["title"], "Why would a dinghy need a Centreboard?");
    let snippet = found[0]["snippet"].as_str().expect("a message match carries a snippet");
    let marked = format!("{}Centreboard{}", wire::chat::MATCH_START, wire::chat::MATCH_END);
    assert!(snippet.contains(&marked), "the match is marked: {snippet:?}");
    assert_eq!(
        search(&b, "dinghy centre").await.len(),
        1,
        "every word, the last as a prefix"
    );
    assert_eq!(search(&b, "dinghy hull").await.len(), 0, "all words in one message");
    let titles_only = search(&b, "hull shapes").await;
    assert_eq!(titles_only.len(), 1);
    for attack in [
        r#"centreboard"*("#,
        "centreboard OR",
        "NEAR(centreboard",
        "centreboard' OR '1'='1",
        "\"\"\"",
    ] {
        let r = b.call("/api/chat/conversations", &[("query", attack)]).await;
        assert_eq!(r.status(), 200, "{attack}: a search never fails on what is typed");
    }
    assert_eq!(search(&b, r#"centreboard"*("#).await.len(), 1);

    let other = member(&app).await;
    assert_eq!(
        search(&other, "centreboard").await.len(),
        0,
        "another user's words are not found"
    );
    exchange(&other, json!({"text": "A centreboard of my own", "model": "demo"})).await;
    assert_eq!(search(&other, "centreboard").await.len(), 1);
    assert_eq!(search(&b, "centreboard").await.len(), 1, "still only the owner's own");

    let id = found[0]["id"].as_str().unwrap();
    expect_json(b.call("/api/chat/delete", &[("id", id)]).await, 200).await;
    assert_eq!(
        search(&b, "centreboard").await.len(),
        0,
        "a deleted conversation is not found"
    );
}
crate::on_each_database!(a_search_finds_words_said_in_a_conversation_for_its_owner_only);

#[tokio::test]
async fn the_conversation_so_far_goes_to_the_model() {
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let b = member(&app).await;
    let events = exchange(&b, json!({"text": "first question", "model": "fake-claude"})).await;
    let conversation = events[0].1["conversation_id"].as_str().unwrap().to_owned();
    exchange(&b, json!({"text": "second question", "conversation_id": conversation})).await;
    let sent = app.fakes.last_llm_request().unwrap();
    let turns: Vec<(&str, &str)> = sent["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["role"].as_str().unwrap(), m["content"].as_str().unwrap()))
        .collect();
    assert_eq!(
        turns,
        [
            ("user", "first question"),
            ("assistant", "You said: first question"),
            ("user", "second question")
        ],
        "the conversation keeps its model and sends its history"
    );
}

/// Another writer holds SQLite's write lock (until the returned
/// transaction ends): a reply's rows must wait for it.
async fn hold_write_lock(app: &TestApp) -> sea_orm::DatabaseTransaction {
    use sea_orm::{ConnectionTrait, TransactionTrait};
    let lock = app.db().begin().await.unwrap();
    lock.execute_unprepared("UPDATE users SET email = email").await.unwrap();
    lock
}

/// The one assistant reply (other than `except`) once it is no longer
/// streaming; waits up to 5 s.
async fn settled_reply(app: &TestApp, except: Option<&str>) -> chat_messages::Model {
    let since = Instant::now();
    loop {
        let replies: Vec<_> = chat_messages::Entity::find()
            .filter(chat_messages::Column::Role.eq("assistant"))
            .all(app.db())
            .await
            .unwrap()
            .into_iter()
            .filter(|m| Some(m.id.to_string().as_str()) != except)
            .collect();
        if let [m] = replies.as_slice()
            && m.outcome != Some(Outcome::Streaming)
        {
            return m.clone();
        }
        assert!(
            since.elapsed() < Duration::from_secs(5),
            "no settled reply: {replies:?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Waits until the fake model API has a stream open.
async fn until_the_model_is_asked(app: &TestApp) {
    let since = Instant::now();
    while app.fakes.llm_streams().0 == 0 {
        assert!(
            since.elapsed() < Duration::from_secs(3),
            "the model was not asked while the database was busy"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// The model is asked without waiting on the database: while another
/// writer holds SQLite's write lock, the upstream request is already open,
/// what it sends is held (more than the 64 deltas held at most, so the rest
/// waits upstream), and once the rows are written the whole reply streams
/// and is saved.
#[tokio::test]
async fn the_model_is_asked_while_the_rows_wait_for_the_database_and_nothing_is_lost() {
    use sea_orm::PaginatorTrait;
    // Credits off: a charged reply is asked for only once its hold is
    // committed (credits_api tests that); here the rows alone wait.
    let app = TestApp::spawn_with(Backend::Sqlite, &[("CREDITS_ENFORCE", "false")])
        .await
        .unwrap();
    app.fakes.set_llm_pace(Duration::from_millis(1));
    let b = member(&app).await;
    let lock = hold_write_lock(&app).await;
    let reply = tokio::spawn(async move { exchange(&b, json!({"text": "[words 100] go", "model": "fake-gpt"})).await });
    until_the_model_is_asked(&app).await;
    // The fake's 100 words, 1 ms apart, are sent meanwhile.
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert!(!reply.is_finished(), "the reply waits for its rows");
    assert_eq!(chat_conversations::Entity::find().count(app.db()).await.unwrap(), 0);
    lock.rollback().await.unwrap();

    let events = reply.await.unwrap();
    assert_eq!(events[0].0, "start");
    let text = texts(&events);
    assert_eq!(
        events.iter().filter(|(k, _)| k == "delta").count(),
        100,
        "nothing held is lost"
    );
    assert!(
        text.starts_with("lorem ipsum dolor") && text.split_whitespace().count() == 100,
        "{text}"
    );
    let done = events.iter().find(|(k, _)| k == "done").expect("a done event");
    assert_eq!(done.1["outcome"], "completed");
    let saved = assistant_message(&app, events[0].1["message_id"].as_str().unwrap()).await;
    assert_eq!(saved.content, text);
    assert_eq!(saved.outcome, Some(Outcome::Completed));
    assert!(
        saved.first_token_ms.unwrap() >= 400,
        "the first token's time counts from the request: {:?}",
        saved.first_token_ms
    );
}

/// A client that leaves while its reply's rows wait for the database ends
/// the upstream request within a second; the rows are still written, and
/// the reply saved as stopped with what had arrived.
#[tokio::test]
async fn a_client_that_leaves_while_the_rows_wait_stops_the_upstream_within_a_second() {
    // Credits off: a charged reply is asked for only once its hold is
    // committed (credits_api tests that); here the rows alone wait.
    let app = TestApp::spawn_with(Backend::Sqlite, &[("CREDITS_ENFORCE", "false")])
        .await
        .unwrap();
    app.fakes.set_llm_pace(Duration::from_millis(100));
    let b = member(&app).await;
    let lock = hold_write_lock(&app).await;
    let reply = tokio::spawn(async move {
        b.post_json(REPLY, &json!({"text": "[words 50] go", "model": "fake-gpt"}))
            .await
    });
    until_the_model_is_asked(&app).await;
    tokio::time::sleep(Duration::from_millis(350)).await;
    reply.abort();
    let gone = Instant::now();
    assert_upstream_cancelled_within_a_second(&app.fakes, 0, gone, "reply").await;
    lock.rollback().await.unwrap();

    let saved = settled_reply(&app, None).await;
    assert_eq!(saved.outcome, Some(Outcome::Stopped));
    let words = saved.content.split_whitespace().count();
    assert!(
        saved.content.starts_with("lorem ipsum") && words < 50,
        "the words that arrived before the client left: {:?}",
        saved.content
    );
}

/// Regenerate asks the model only once its rows are written: a client that
/// leaves before then costs no model request, and the reply is saved as
/// stopped with no usage.
#[tokio::test]
async fn a_regenerate_left_while_its_rows_wait_never_asks_the_model() {
    // Credits off: a charged reply is asked for only once its hold is
    // committed (credits_api tests that); here the rows alone wait.
    let app = TestApp::spawn_with(Backend::Sqlite, &[("CREDITS_ENFORCE", "false")])
        .await
        .unwrap();
    let b = member(&app).await;
    let first = exchange(&b, json!({"text": "hello", "model": "fake-gpt"})).await;
    let conversation = first[0].1["conversation_id"].as_str().unwrap().to_owned();
    let asked = app.fakes.llm_requests();
    let lock = hold_write_lock(&app).await;
    let again = json!({"conversation_id": conversation, "regenerate": true});
    let reply = tokio::spawn(async move { b.post_json(REPLY, &again).await });
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(app.fakes.llm_requests(), asked, "not asked before the rows are written");
    reply.abort();
    tokio::time::sleep(Duration::from_millis(100)).await;
    lock.rollback().await.unwrap();

    let saved = settled_reply(&app, first[0].1["message_id"].as_str()).await;
    assert_eq!(saved.outcome, Some(Outcome::Stopped));
    assert_eq!(saved.content, "");
    assert_eq!(
        (saved.input_tokens, saved.output_tokens, saved.usage_source),
        (Some(0), Some(0), Some(UsageSource::None))
    );
    assert_eq!(app.fakes.llm_requests(), asked, "the model was never asked");
}

#[tokio::test]
async fn regenerate_replaces_the_last_reply_with_a_new_answer_to_the_same_message() {
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let b = member(&app).await;
    let first = exchange(&b, json!({"text": "[overloaded] why masts", "model": "fake-gpt"})).await;
    assert_eq!(first.last().unwrap().1["error"], "provider", "{first:?}");
    let conversation = first[0].1["conversation_id"].as_str().unwrap().to_owned();
    let failed_id = first[0].1["message_id"].as_str().unwrap().to_owned();

    let again = exchange(
        &b,
        json!({"conversation_id": conversation, "regenerate": true, "model": "fake-claude"}),
    )
    .await;
    assert_eq!(
        again.last().unwrap().0,
        "error",
        "the same message, the same answer: {again:?}"
    );
    let sent = app.fakes.last_llm_request().unwrap();
    let turns = sent["messages"].as_array().unwrap();
    assert_eq!(turns.len(), 1, "the failed reply is not sent back: {turns:?}");
    assert_eq!(turns[0]["content"], "[overloaded] why masts");

    let thread = expect_json(b.call("/api/chat/messages", &[("id", &conversation)]).await, 200).await;
    let thread = thread.as_array().unwrap();
    assert_eq!(thread.len(), 2, "one message, one reply: {thread:?}");
    assert_eq!(thread[1]["id"], again[0].1["message_id"]);
    assert_eq!(thread[1]["model"], "fake-claude", "the picked model answers");
    assert_ne!(thread[1]["id"].as_str().unwrap(), failed_id);

    let orphan = b.post_json(REPLY, &json!({"regenerate": true})).await;
    assert_eq!(orphan.status(), 404, "nothing to regenerate without a conversation");
    let other = member(&app).await;
    let theirs = other
        .post_json(REPLY, &json!({"conversation_id": conversation, "regenerate": true}))
        .await;
    assert_eq!(theirs.status(), 404, "nor in someone else's");
}

#[tokio::test]
async fn two_regenerates_at_once_leave_one_reply() {
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let b = member(&app).await;
    let first = exchange(&b, json!({"text": "hello", "model": "fake-gpt"})).await;
    let conversation = first[0].1["conversation_id"].as_str().unwrap().to_owned();
    let asked = app.fakes.llm_requests();
    let again = json!({"conversation_id": conversation, "regenerate": true, "model": "fake-gpt"});
    let (one, two) = tokio::join!(b.post_json(REPLY, &again), b.post_json(REPLY, &again));
    let mut answered = 0;
    for response in [one, two] {
        let status = response.status();
        assert!(status == 200 || status == 404, "{status}");
        answered += usize::from(status == 200);
        // Read to the end, so the reply (if any) is saved.
        let _ = response.bytes().await;
    }
    let thread = expect_json(b.call("/api/chat/messages", &[("id", &conversation)]).await, 200).await;
    let roles: Vec<_> = thread.as_array().unwrap().iter().map(|m| m["role"].clone()).collect();
    assert_eq!(roles, [json!("user"), json!("assistant")], "{thread:?}");
    // A regenerate that loses the race never asked the model.
    assert_eq!(
        app.fakes.llm_requests() - asked,
        answered,
        "the model is asked once per reply"
    );
}

#[tokio::test]
async fn a_refused_request_records_no_usage_and_keeps_the_providers_body_from_the_user() {
    let app = TestApp::spawn_with(Backend::Sqlite, &[("OPENAI_API_KEY", "sk-wrong")])
        .await
        .unwrap();
    let b = member(&app).await;
    let events = exchange(&b, json!({"text": "hello", "model": "fake-gpt"})).await;
    let (kind, error) = events.last().unwrap();
    assert_eq!(kind, "error");
    assert_eq!(error["error"], "refused");
    let message = error["message"].as_str().unwrap();
    assert!(message.contains("401"), "{message}");
    assert!(
        !message.contains("API key"),
        "the provider's body stays in the log: {message}"
    );
    let saved = assistant_message(&app, events[0].1["message_id"].as_str().unwrap()).await;
    assert_eq!(saved.outcome, Some(Outcome::Failed));
    assert_eq!(
        (saved.input_tokens, saved.output_tokens, saved.usage_source),
        (Some(0), Some(0), Some(UsageSource::None)),
        "nothing was processed, so nothing is charged"
    );
}

#[tokio::test]
async fn a_stalled_provider_ends_in_the_idle_timeout_and_the_partial_text_is_saved() {
    let app = TestApp::spawn_with(Backend::Sqlite, &[("CHAT_IDLE_TIMEOUT", "1s")])
        .await
        .unwrap();
    let b = member(&app).await;
    let events = exchange(&b, json!({"text": "[stall] a b c d", "model": "fake-gpt"})).await;
    let last = events.last().unwrap();
    assert_eq!(last.0, "error");
    assert_eq!(last.1["error"], "idle_timeout");
    assert_eq!(texts(&events), "You said: [stall] a ");
    let saved = assistant_message(&app, events[0].1["message_id"].as_str().unwrap()).await;
    assert_eq!(saved.content, "You said: [stall] a ");
    assert_eq!(saved.outcome, Some(Outcome::Failed));
    assert_eq!(saved.error, Some(ErrorKind::IdleTimeout));
    assert_eq!(
        saved.usage_source,
        Some(UsageSource::Counted),
        "the stream ended without usage"
    );
}

#[tokio::test]
async fn a_client_that_goes_away_stops_the_upstream_within_a_second_and_the_text_is_kept() {
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    app.fakes.set_llm_pace(Duration::from_millis(100));
    let b = member(&app).await;
    let mut events = Events::open(
        &b,
        json!({"text": "please write a long answer with many words in it", "model": "fake-gemini"}),
    )
    .await;
    let (_, start) = events.next().await.unwrap();
    let (kind, _) = events.next().await.unwrap();
    assert_eq!(kind, "delta");
    let gone = Instant::now();
    drop(events);
    assert_upstream_cancelled_within_a_second(&app.fakes, 0, gone, "reply").await;
    let saved = settled_reply(&app, None).await;
    assert_eq!(saved.id.to_string(), start["message_id"].as_str().unwrap());
    assert_eq!(saved.outcome, Some(Outcome::Stopped));
    let whole = "You said: please write a long answer with many words in it";
    assert!(
        !saved.content.is_empty() && whole.starts_with(&saved.content) && saved.content != whole,
        "the text that arrived before the client left: {:?}",
        saved.content
    );
}

#[tokio::test]
async fn nobody_reaches_another_users_conversation() {
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let alice = member(&app).await;
    let events = exchange(&alice, json!({"text": "my secret plans", "model": "fake-gpt"})).await;
    let id = events[0].1["conversation_id"].as_str().unwrap().to_owned();
    let bob = member(&app).await;
    for other in [id.as_str(), "not-a-uuid", "00000000-0000-0000-0000-000000000000"] {
        let res = bob
            .post_json(REPLY, &json!({"text": "hi", "conversation_id": other}))
            .await;
        assert_eq!(expect_json(res, 404).await, "NotFound", "{other}");
        let read = bob.call("/api/chat/messages", &[("id", other)]).await;
        assert_eq!(expect_json(read, 404).await, "NotFound");
        let rename = bob
            .call("/api/chat/rename", &[("id", other), ("title", "mine now")])
            .await;
        assert_eq!(expect_json(rename, 404).await, "NotFound");
        let delete = bob.call("/api/chat/delete", &[("id", other)]).await;
        assert_eq!(expect_json(delete, 404).await, "NotFound");
    }
    let bobs = expect_json(bob.call("/api/chat/conversations", &[("query", "")]).await, 200).await;
    assert_eq!(bobs, json!([]));
    let thread = expect_json(alice.call("/api/chat/messages", &[("id", &id)]).await, 200).await;
    assert_eq!(thread.as_array().unwrap().len(), 2, "Alice's conversation is untouched");

    expect_json(
        alice
            .call("/api/chat/rename", &[("id", &id), ("title", "  Plans  ")])
            .await,
        200,
    )
    .await;
    let list = expect_json(alice.call("/api/chat/conversations", &[("query", "")]).await, 200).await;
    assert_eq!(list[0]["title"], "Plans");
    expect_json(alice.call("/api/chat/delete", &[("id", &id)]).await, 200).await;
    let left = chat_messages::Entity::find()
        .filter(chat_messages::Column::ConversationId.eq(uuid::Uuid::parse_str(&id).unwrap()))
        .order_by_asc(chat_messages::Column::CreatedAt)
        .all(app.db())
        .await
        .unwrap();
    assert!(left.is_empty(), "its messages went with it");
}

#[tokio::test]
async fn a_message_is_checked_and_access_is_required_before_anything_is_sent() {
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let b = member(&app).await;
    let empty = b.post_json(REPLY, &json!({"text": "   "})).await;
    assert_eq!(expect_json(empty, 400).await["Invalid"]["problem"], "Required");
    let long = b.post_json(REPLY, &json!({"text": "x".repeat(16_001)})).await;
    assert_eq!(expect_json(long, 400).await["Invalid"]["problem"], "TooLong");

    let no_access = app.browser();
    registered_and_verified(&app, &no_access, &unique_email("nopay")).await;
    let res = no_access.post_json(REPLY, &json!({"text": "hello"})).await;
    assert_eq!(expect_json(res, 403).await, "AccessRequired");
    let res = app.browser().post_json(REPLY, &json!({"text": "hello"})).await;
    assert_eq!(expect_json(res, 401).await, "NotSignedIn");
    assert_eq!(app.fakes.last_llm_request(), None, "no model was asked");
}

#[tokio::test]
async fn with_the_demo_model_off_and_no_model_the_chat_says_it_is_not_set_up() {
    // No model and no prices (the fakes' models are the test app's default).
    let none = [("CHAT_MODELS", ""), ("CHAT_PRICES", "")];
    let app = TestApp::spawn_with(Backend::Sqlite, &[none[0], none[1], ("CHAT_DEMO_MODEL", "off")])
        .await
        .unwrap();
    let b = member(&app).await;
    let res = b.post_json(REPLY, &json!({"text": "hello"})).await;
    assert_eq!(expect_json(res, 503).await, "ChatUnavailable");
    assert_eq!(app.fakes.last_llm_request(), None, "no model was asked");
    let models = expect_json(b.call("/api/chat/models", &[]).await, 200).await;
    assert_eq!(models, json!([]), "nothing to pick, not even the demo");
    let page = b.get("/chat").await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains(r#"data-testid="chat-not-set-up""#), "the page says so");
    assert!(!html.contains("Demo model"), "the demo model is never offered");
    // The admin console says what is missing (not that the demo answers).
    let notes = expect_json(b.call("/api/admin/setup", &[]).await, 200).await;
    let notes: Vec<&str> = notes.as_array().unwrap().iter().filter_map(|n| n.as_str()).collect();
    assert!(notes.contains(&"chat") && !notes.contains(&"chat_demo"), "{notes:?}");
    // The landing page promises no chat.
    let landing = app.browser().get("/").await.text().await.unwrap();
    let pitch = wire::i18n::Locale::default().t(wire::i18n::Key::FeatureChatTitle);
    assert!(!landing.contains(pitch), "no pitch for a chat that cannot answer");
    let with_demo = TestApp::spawn_with(Backend::Sqlite, &none).await.unwrap();
    let landing = with_demo.browser().get("/").await.text().await.unwrap();
    assert!(landing.contains(pitch), "the same page with the demo model pitches it");
}
