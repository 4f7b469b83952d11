//! PostgreSQL: a function a credit hold's single statement calls to undo
//! itself when it took only part of what it needed (another reply changed
//! a bucket or the month between its read and its write). The statement
//! commits by itself, so half a hold cannot be rolled back afterwards; an
//! error inside it undoes all of it. The error has its own code
//! (`CRH01`), which the ledger recognises as "read again and retry".
//! SQLite takes a hold inside one transaction and needs nothing here.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DatabaseBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

const UP: &str = "CREATE OR REPLACE FUNCTION credit_hold_lost_race() RETURNS boolean LANGUAGE plpgsql VOLATILE AS $$ \
    BEGIN RAISE EXCEPTION 'a credit hold lost a race for its buckets or its month' USING ERRCODE = 'CRH01'; END $$";

const DOWN: &str = "DROP FUNCTION IF EXISTS credit_hold_lost_race()";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() == DatabaseBackend::Postgres {
            manager.get_connection().execute_unprepared(UP).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() == DatabaseBackend::Postgres {
            manager.get_connection().execute_unprepared(DOWN).await?;
        }
        Ok(())
    }
}
