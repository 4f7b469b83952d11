use crate::helpers::TestApp;
use crate::on_each_database;
use entity::users;
use sea_orm::{ActiveModelTrait, ConnectionTrait, Database, EntityTrait, Set};

fn user(email: &str) -> users::ActiveModel {
    let now = chrono::Utc::now();
    users::ActiveModel {
        id: Set(uuid::Uuid::new_v4()),
        email: Set(email.to_owned()),
        display_name: Set("Ada".to_owned()),
        email_verified_at: Set(None),
        is_admin: Set(false),
        password_hash: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    }
}

async fn migrations_create_a_users_table_with_unique_emails(app: TestApp) {
    let db = Database::connect(&app.database_url).await.unwrap();
    let saved = user("ada@example.com").insert(&db).await.unwrap();
    let found = users::Entity::find_by_id(saved.id).one(&db).await.unwrap().unwrap();
    assert_eq!(found.email, "ada@example.com");
    assert_eq!(found.created_at.timestamp_micros(), saved.created_at.timestamp_micros());
    let duplicate = user("ada@example.com").insert(&db).await;
    assert!(duplicate.is_err(), "a second row with the same email must be refused");
}
on_each_database!(migrations_create_a_users_table_with_unique_emails);

#[tokio::test]
async fn sqlite_runs_in_wal_mode_with_foreign_keys_and_full_sync() {
    let app = TestApp::spawn(crate::helpers::Backend::Sqlite).await.unwrap();
    assert!(
        app.dir.path().join("app.db").exists(),
        "the database file is created at start"
    );
    // The server's own connection setup, asked through its own pool.
    let config = server::config::DatabaseConfig {
        url: app.database_url.clone().into(),
        max_connections: 2,
    };
    let db = server::db::Database::connect(&config).await.unwrap();
    let pragma = |name: &'static str| {
        let conn = db.conn.clone();
        async move {
            let row = conn
                .query_one_raw(sea_orm::Statement::from_string(
                    conn.get_database_backend(),
                    format!("PRAGMA {name}"),
                ))
                .await
                .unwrap()
                .unwrap();
            row.try_get_by_index::<i64>(0)
                .map(|v| v.to_string())
                .or_else(|_| row.try_get_by_index::<String>(0))
                .unwrap()
        }
    };
    assert_eq!(pragma("journal_mode").await, "wal");
    assert_eq!(pragma("foreign_keys").await, "1");
    assert_eq!(pragma("synchronous").await, "2", "2 = FULL");
}
