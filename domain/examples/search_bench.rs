//! The conversation search on 100,000 messages per user, for
//! `cargo xtask bench search` (which runs it against a SQLite file and a
//! temporary PostgreSQL): seeds two users with 1,000 conversations of 100
//! messages each, then times searches for a rare word, a common word, a
//! prefix and a word nobody used. Prints `REPORT` lines; asserts nothing
//! about speed.
//!
//! `DATABASE_URL=sqlite:///tmp/s.db?mode=rwc cargo run --release -p domain --features db_sqlite,db_pg,chat --example search_bench`

use chrono::{Duration, Utc};
use domain::chat::search::matching_messages;
use entity::{chat_conversations, chat_messages, users};
use migration::MigratorTrait;
use sea_orm::{ActiveValue::Set, Database, EntityTrait, TransactionTrait};
use std::time::Instant;
use uuid::Uuid;
use wire::messages::MessageRole;

const CONVERSATIONS: usize = 1_000;
const MESSAGES_EACH: usize = 100;
const RUNS: usize = 30;

const WORDS: &[&str] = &[
    "prow",
    "hull",
    "sail",
    "mast",
    "rudder",
    "boat",
    "wind",
    "water",
    "speed",
    "course",
    "harbour",
    "anchor",
    "deck",
    "bow",
    "stern",
    "port",
    "starboard",
    "tack",
    "jibe",
    "reef",
    "the",
    "a",
    "of",
    "and",
    "to",
    "in",
    "is",
    "it",
];

fn text(seed: usize, rare: bool) -> String {
    let mut words: Vec<&str> = (0..40).map(|i| WORDS[(seed * 7 + i * 13) % WORDS.len()]).collect();
    if rare {
        words.push("centreboard");
    }
    words.join(" ")
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let url = std::env::var("DATABASE_URL")?;
    let label = if url.starts_with("postgres") {
        "PostgreSQL"
    } else {
        "SQLite"
    };
    let db = Database::connect(&url).await?;
    migration::Migrator::up(&db, None).await?;
    let mut users_seeded = Vec::new();
    let seeding = Instant::now();
    for u in 0..2 {
        let user = Uuid::new_v4();
        let now = Utc::now();
        users::Entity::insert(users::ActiveModel {
            id: Set(user),
            email: Set(format!("bench-{user}@example.com")),
            display_name: Set(format!("Bench {u}")),
            email_verified_at: Set(Some(now)),
            is_admin: Set(false),
            created_at: Set(now),
            updated_at: Set(now),
            password_hash: Set(None),
        })
        .exec(&db)
        .await?;
        let txn = db.begin().await?;
        for c in 0..CONVERSATIONS {
            let conversation = Uuid::new_v4();
            let at = now - Duration::minutes((CONVERSATIONS - c) as i64);
            chat_conversations::Entity::insert(chat_conversations::ActiveModel {
                id: Set(conversation),
                user_id: Set(user),
                title: Set(format!("Conversation {c}")),
                model: Set("demo".to_owned()),
                created_at: Set(at),
                updated_at: Set(at),
            })
            .exec(&txn)
            .await?;
            let messages = (0..MESSAGES_EACH).map(|m| {
                let seed = c * MESSAGES_EACH + m;
                chat_messages::ActiveModel {
                    id: Set(Uuid::new_v4()),
                    conversation_id: Set(conversation),
                    role: Set(if m % 2 == 0 {
                        MessageRole::User
                    } else {
                        MessageRole::Assistant
                    }),
                    // One message in 10,000 says the rare word.
                    content: Set(text(seed, seed % 10_000 == 4_321)),
                    created_at: Set(at + Duration::seconds(m as i64)),
                    ..Default::default()
                }
            });
            chat_messages::Entity::insert_many(messages).exec(&txn).await?;
        }
        txn.commit().await?;
        users_seeded.push(user);
    }
    println!(
        "REPORT search {label}: seeded 2 users x {} messages in {:.1?}",
        CONVERSATIONS * MESSAGES_EACH,
        seeding.elapsed()
    );
    let user = users_seeded[0];
    // What the list reads first: the user's conversations, newest first.
    let conversations: Vec<Uuid> = {
        use sea_orm::{ColumnTrait, QueryFilter, QueryOrder, QuerySelect};
        chat_conversations::Entity::find()
            .select_only()
            .column(chat_conversations::Column::Id)
            .filter(chat_conversations::Column::UserId.eq(user))
            .order_by_desc(chat_conversations::Column::UpdatedAt)
            .into_tuple()
            .all(&db)
            .await?
    };
    for (what, query) in [
        ("rare word (10 messages)", "centreboard"),
        ("common word (every message)", "prow"),
        ("two words, the last a prefix", "harbour anch"),
        ("a word nobody used", "zeppelin"),
    ] {
        let terms = wire::chat::search_terms(query);
        let mut times = Vec::with_capacity(RUNS);
        // One untimed run first: caches warm, as on a running server.
        let mut found = matching_messages(&db, &conversations, &terms).await?.len();
        for _ in 0..RUNS {
            let started = Instant::now();
            found = matching_messages(&db, &conversations, &terms).await?.len();
            times.push(started.elapsed());
        }
        times.sort();
        println!(
            "REPORT search {label}: {what:<30} median {:>7.2?}, p95 {:>7.2?} ({found} conversations)",
            times[RUNS / 2],
            times[RUNS * 95 / 100]
        );
    }
    Ok(())
}
