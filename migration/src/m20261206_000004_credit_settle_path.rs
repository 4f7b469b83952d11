//! What a reply's settlement reads and writes, made smaller.
//!
//! - `credit_holds.bucket_id`: the bucket a hold was taken from, when it
//!   was taken from one (nearly every hold; `NULL` when spread over
//!   several, and for holds taken before this migration). A settlement
//!   then finds its bucket on the hold's own row instead of reading the
//!   hold's entries first.
//! - `ix_credit_holds_open_expiry` replaces `ix_credit_holds_open`: open
//!   holds only, by expiry (for the sweep). A settled hold leaves it, so
//!   it stays as small as the number of replies in flight, and settling
//!   writes one index entry fewer.
//! - `ix_credit_entries_bucket` goes: no query reads entries by bucket
//!   (the reconciliation sums every entry), and every entry paid for it.
//!
//! Run outside a transaction, every step safe to repeat (a migration
//! stopped halfway is run again from the start). On PostgreSQL the indexes
//! are built and dropped `CONCURRENTLY`, so holds and settlements go on
//! while it runs; adding a nullable column is a change to the catalogue
//! only.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DatabaseBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// `CREATE`/`DROP INDEX` with `CONCURRENTLY` on PostgreSQL (outside a
/// transaction), plainly on SQLite.
fn concurrently(backend: DatabaseBackend) -> &'static str {
    if backend == DatabaseBackend::Postgres {
        " CONCURRENTLY"
    } else {
        ""
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(false)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let c = concurrently(manager.get_database_backend());
        if !manager.has_column("credit_holds", "bucket_id").await? {
            manager
                .alter_table(
                    Table::alter()
                        .table(CreditHolds::Table)
                        .add_column(ColumnDef::new(CreditHolds::BucketId).uuid().null())
                        .to_owned(),
                )
                .await?;
        }
        db.execute_unprepared(&format!(
            "CREATE INDEX{c} IF NOT EXISTS ix_credit_holds_open_expiry ON credit_holds (expires_at) WHERE state = 'open'"
        ))
        .await?;
        db.execute_unprepared(&format!("DROP INDEX{c} IF EXISTS ix_credit_holds_open"))
            .await?;
        db.execute_unprepared(&format!("DROP INDEX{c} IF EXISTS ix_credit_entries_bucket"))
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let c = concurrently(manager.get_database_backend());
        db.execute_unprepared(&format!(
            "CREATE INDEX{c} IF NOT EXISTS ix_credit_entries_bucket ON credit_entries (bucket_id)"
        ))
        .await?;
        db.execute_unprepared(&format!(
            "CREATE INDEX{c} IF NOT EXISTS ix_credit_holds_open ON credit_holds (state, expires_at)"
        ))
        .await?;
        db.execute_unprepared(&format!("DROP INDEX{c} IF EXISTS ix_credit_holds_open_expiry"))
            .await?;
        if manager.has_column("credit_holds", "bucket_id").await? {
            manager
                .alter_table(
                    Table::alter()
                        .table(CreditHolds::Table)
                        .drop_column(CreditHolds::BucketId)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum CreditHolds {
    Table,
    BucketId,
}
