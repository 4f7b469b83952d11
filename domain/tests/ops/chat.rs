//! A chat reply's life as an operation: started by a member, streamed as
//! typed events, and finished in the database whether the reader stays to
//! the end or leaves.

use crate::support::{World, unique_email, visitor};
use chrono::{Duration, Utc};
use domain::chat::reply::{self, ReplyEvents};
use domain::invites::{self, NewInvite};
use domain::{Actor, DomainError};
use entity::chat_messages;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use wire::chat::{Done, MessageRole, Outcome, ReplyEvent, ReplyRequest, Started, UsageSource};
use wire::email::Email;

/// A verified user with access (through an invite).
async fn member(world: &World) -> Actor {
    let email = unique_email("member");
    let now = Utc::now();
    let created = invites::create(
        &world.services,
        &Actor::Operator,
        NewInvite {
            email: Email::parse(&email).unwrap(),
            access_until: now + Duration::days(30),
            expires_at: now + Duration::days(3),
            locale: Default::default(),
            credits: 0,
        },
    )
    .await
    .unwrap();
    let token = created.link.split_once("invite=").unwrap().1.to_owned();
    world.register(&email, Some(token)).await
}

fn say(text: &str) -> ReplyRequest {
    ReplyRequest {
        conversation_id: None,
        text: text.into(),
        model: None,
        regenerate: false,
    }
}

async fn drain(mut events: ReplyEvents) -> Vec<ReplyEvent> {
    let mut all = Vec::new();
    while let Some(e) = events.recv().await {
        all.push(e);
    }
    all
}

async fn messages(world: &World, conversation: &str) -> Vec<chat_messages::Model> {
    chat_messages::Entity::find()
        .filter(chat_messages::Column::ConversationId.eq(uuid::Uuid::parse_str(conversation).unwrap()))
        .order_by_asc(chat_messages::Column::CreatedAt)
        .all(world.db())
        .await
        .unwrap()
}

#[tokio::test]
async fn a_finished_reply_is_saved_with_its_text_outcome_and_usage() {
    let world = World::new().await;
    let actor = member(&world).await;
    let events = drain(
        reply::start(&world.services, &actor, say("hello there, model"))
            .await
            .unwrap(),
    )
    .await;

    let Some(ReplyEvent::Start(Started {
        conversation_id,
        message_id,
        model,
        trimmed: 0,
    })) = events.first().cloned()
    else {
        panic!("the first event starts the reply: {events:?}");
    };
    assert_eq!(model, wire::chat::DEMO_MODEL_ID);
    let text: String = events
        .iter()
        .filter_map(|e| match e {
            ReplyEvent::Delta(d) => Some(d.text.as_str()),
            _ => None,
        })
        .collect();
    assert!(!text.is_empty());
    let done = events
        .iter()
        .find_map(|e| match e {
            ReplyEvent::Done(d) => Some(d.clone()),
            _ => None,
        })
        .expect("the reply finished");
    assert_eq!(done.outcome, Outcome::Completed);

    let saved = messages(&world, &conversation_id).await;
    assert_eq!(saved.len(), 2);
    assert_eq!(
        (saved[0].role, saved[0].content.as_str()),
        (MessageRole::User, "hello there, model")
    );
    let answer = &saved[1];
    assert_eq!(answer.id.to_string(), message_id);
    assert_eq!(answer.role, MessageRole::Assistant);
    assert_eq!(answer.content, text, "what streamed is what was saved");
    assert_eq!(answer.outcome, Some(Outcome::Completed));
    assert!(answer.usage_source.is_some_and(|u| u != UsageSource::None));
    let Done {
        input_tokens,
        output_tokens,
        ..
    } = done;
    assert_eq!(
        (answer.input_tokens, answer.output_tokens),
        (Some(input_tokens), Some(output_tokens))
    );
    assert!(input_tokens > 0 && output_tokens > 0);
}

#[tokio::test]
async fn a_reply_whose_reader_leaves_is_saved_as_stopped_with_what_arrived() {
    let world = World::with(|s| s.features.chat.demo_pace = std::time::Duration::from_millis(40)).await;
    let actor = member(&world).await;
    let mut events = reply::start(&world.services, &actor, say("tell me a long story please"))
        .await
        .unwrap();
    let Some(ReplyEvent::Start(started)) = events.recv().await else {
        panic!("a start first");
    };
    assert!(matches!(events.recv().await, Some(ReplyEvent::Delta(_))));
    drop(events);

    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let answer = loop {
        let saved = messages(&world, &started.conversation_id).await;
        let answer = saved.into_iter().find(|m| m.role == MessageRole::Assistant).unwrap();
        if answer.outcome != Some(Outcome::Streaming) {
            break answer;
        }
        assert!(std::time::Instant::now() < deadline, "the reply was never closed");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    };
    assert_eq!(answer.outcome, Some(Outcome::Stopped));
    assert!(!answer.content.is_empty(), "what arrived is kept");
}

#[tokio::test]
async fn only_members_get_replies() {
    let world = World::new().await;
    assert!(matches!(
        reply::start(&world.services, &visitor(), say("hi")).await,
        Err(DomainError::NotSignedIn)
    ));
    let unproven = world.register(&unique_email("unproven"), None).await;
    assert!(matches!(
        reply::start(&world.services, &unproven, say("hi")).await,
        Err(DomainError::EmailNotVerified)
    ));
    let actor = member(&world).await;
    assert!(matches!(
        reply::start(&world.services, &actor, say("   ")).await,
        Err(DomainError::Invalid { .. })
    ));
    assert!(chat_messages::Entity::find().all(world.db()).await.unwrap().is_empty());
}
