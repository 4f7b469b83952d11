//! Full-text search over message text, owner-scoped by the query (it joins
//! the conversation): on SQLite an FTS5 index over `chat_messages.content`
//! kept in step by triggers (external content: the text is stored once);
//! on PostgreSQL a generated `tsvector` column with a GIN index. Both
//! tokenise without a language's stemming (`unicode61` / `simple`):
//! conversations are in every language.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DatabaseBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

const SQLITE_UP: &[&str] = &[
    "CREATE VIRTUAL TABLE IF NOT EXISTS chat_messages_fts USING fts5(
        content,
        content = 'chat_messages',
        content_rowid = 'rowid',
        tokenize = 'unicode61 remove_diacritics 2'
    )",
    "CREATE TRIGGER IF NOT EXISTS chat_messages_fts_insert AFTER INSERT ON chat_messages BEGIN
        INSERT INTO chat_messages_fts (rowid, content) VALUES (new.rowid, new.content);
    END",
    "CREATE TRIGGER IF NOT EXISTS chat_messages_fts_delete AFTER DELETE ON chat_messages BEGIN
        INSERT INTO chat_messages_fts (chat_messages_fts, rowid, content) VALUES ('delete', old.rowid, old.content);
    END",
    "CREATE TRIGGER IF NOT EXISTS chat_messages_fts_update AFTER UPDATE OF content ON chat_messages BEGIN
        INSERT INTO chat_messages_fts (chat_messages_fts, rowid, content) VALUES ('delete', old.rowid, old.content);
        INSERT INTO chat_messages_fts (rowid, content) VALUES (new.rowid, new.content);
    END",
    // Messages written before this migration.
    "INSERT INTO chat_messages_fts (chat_messages_fts) VALUES ('rebuild')",
];

const SQLITE_DOWN: &[&str] = &[
    "DROP TRIGGER IF EXISTS chat_messages_fts_update",
    "DROP TRIGGER IF EXISTS chat_messages_fts_delete",
    "DROP TRIGGER IF EXISTS chat_messages_fts_insert",
    "DROP TABLE IF EXISTS chat_messages_fts",
];

const POSTGRES_UP: &[&str] = &[
    "ALTER TABLE chat_messages ADD COLUMN IF NOT EXISTS search tsvector
        GENERATED ALWAYS AS (to_tsvector('simple', content)) STORED",
    // `fastupdate = off`: each message goes straight into the index. With
    // the pending list on, searches scanned it unsorted until a vacuum
    // merged it (1.1 s for a rare word in `cargo xtask bench search`).
    "CREATE INDEX IF NOT EXISTS ix_chat_messages_search ON chat_messages USING GIN (search) WITH (fastupdate = off)",
];

const POSTGRES_DOWN: &[&str] = &[
    "DROP INDEX IF EXISTS ix_chat_messages_search",
    "ALTER TABLE chat_messages DROP COLUMN IF EXISTS search",
];

async fn run(manager: &SchemaManager<'_>, statements: &[&str]) -> Result<(), DbErr> {
    let db = manager.get_connection();
    for sql in statements {
        db.execute_unprepared(sql).await?;
    }
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        match manager.get_database_backend() {
            DatabaseBackend::Sqlite => run(manager, SQLITE_UP).await,
            DatabaseBackend::Postgres => run(manager, POSTGRES_UP).await,
            other => Err(DbErr::Migration(format!("no full-text search for {other:?}"))),
        }
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        match manager.get_database_backend() {
            DatabaseBackend::Sqlite => run(manager, SQLITE_DOWN).await,
            DatabaseBackend::Postgres => run(manager, POSTGRES_DOWN).await,
            _ => Ok(()),
        }
    }
}
