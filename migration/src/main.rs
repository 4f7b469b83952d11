//! `cargo run -p migration -- <command>`: SeaORM's migrate CLI for the app's
//! schema (reads `DATABASE_URL`).

#[tokio::main]
async fn main() {
    sea_orm_migration::cli::run_cli(migration::Migrator).await;
}
