use crate::helpers::{Backend, TestApp};
use crate::on_each_database;
use reqwest::StatusCode;
use serde_json::Value;

async fn liveness_and_readiness_answer_200(app: TestApp) {
    let live = app.get("/healthz").await;
    assert_eq!(live.status(), StatusCode::OK);
    let ready = app.get("/readyz").await;
    assert_eq!(ready.status(), StatusCode::OK);
    assert_eq!(ready.json::<Value>().await.unwrap()["status"], "ready");
}
on_each_database!(liveness_and_readiness_answer_200);

/// Takes the database away under the running app: on SQLite the file is
/// deleted, on PostgreSQL the database is dropped (its connections killed).
async fn readiness_is_503_with_a_reason_when_the_database_is_gone(app: TestApp) {
    match app.backend {
        Backend::Sqlite => {
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(app.dir.path().join(format!("app.db{suffix}")));
            }
        }
        #[cfg(feature = "db_pg")]
        Backend::Postgres => {
            use sea_orm::ConnectionTrait;
            let (base, name) = app.database_url.rsplit_once('/').unwrap();
            let admin = sea_orm::Database::connect(format!("{base}/postgres")).await.unwrap();
            admin
                .execute_unprepared(&format!("DROP DATABASE {name} WITH (FORCE)"))
                .await
                .unwrap();
        }
    }
    let ready = app.get("/readyz").await;
    assert_eq!(ready.status(), StatusCode::SERVICE_UNAVAILABLE);
    let body: Value = ready.json().await.unwrap();
    assert_eq!(body["status"], "unavailable");
    assert!(!body["reason"].as_str().unwrap().is_empty());
    // The process itself is still alive.
    assert_eq!(app.get("/healthz").await.status(), StatusCode::OK);
}
on_each_database!(readiness_is_503_with_a_reason_when_the_database_is_gone);

#[tokio::test]
async fn shutdown_lets_the_server_stop_cleanly() {
    let mut app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    assert_eq!(app.get("/healthz").await.status(), StatusCode::OK);
    app.shutdown();
    let stopped = app.stopped.take().unwrap();
    let result = tokio::time::timeout(std::time::Duration::from_secs(5), stopped).await;
    assert!(matches!(result, Ok(Ok(Ok(())))), "{result:?}");
    assert!(
        app.client.get(app.url("/healthz")).send().await.is_err(),
        "no longer listening"
    );
}
