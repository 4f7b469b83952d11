//! Crash (issue 16): the server binary is killed with SIGKILL at 32 points
//! spread over a reply's hold → stream → settle (and its charged title's),
//! restarted on the same SQLite file, and the janitor's round is run once
//! past the holds' expiry. After each point every hold is resolved exactly
//! once, every bucket agrees with its entries, no credit is lost or made
//! (the sum of what is left, spent and expired is what was granted), and
//! every charge a reply shows is what the ledger settled for it.
//!
//! The points are anchored on what the client sees (the request sent, the
//! k-th delta, the last delta, `done`) plus a jitter drawn from a fixed
//! seed, in windows scaled to an uncut reply's timings on this machine: a
//! failure prints the seed (`XTASK_CRASH_SEED` reruns it), the timings and
//! every point so far. Windows after an anchor are shorter than the fake
//! model's paced frames still to come, so every kill after the request's
//! start lands on a live flow. SQLite only: the server binary is built
//! with the default features, which leave PostgreSQL out.

use crate::helpers::{Backend, TestApp, unique_email};
use crate::support::{make_admin, registered_and_verified};
use chrono::Utc;
use domain::credits::ledger::{self, Grant};
use domain::credits::prices::{Card, Tokens};
use domain::credits::{Kind, Source, sweep};
use entity::{chat_messages, credit_buckets, credit_entries, credit_holds, credit_usage};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use serde_json::{Value, json};
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::fmt;
use std::io::{BufRead, BufReader, Read};
use std::os::unix::process::ExitStatusExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::{oneshot, watch};
use uuid::Uuid;
use wire::chat::{MessageRole, Outcome};

/// The seed of the kill points (`XTASK_CRASH_SEED` replaces it).
const SEED: u64 = 0x6b65_656c_0016;
/// Kill points: four phases, eight each.
const POINTS: usize = 32;
/// The fake model's delay before each frame: a reply of [`WORDS`] words
/// streams for about a quarter of a second, its title for a tenth.
const PACE: Duration = Duration::from_millis(10);
const WORDS: usize = 20;
/// [`WORDS`] words of filler; four words after the marker make the
/// fake's title five words (see [`TITLE_FRAMES`]).
const PROMPT: &str = "[words 20] tell me about masts please";
/// What `kill -9` sends, as the killed process's exit status reports it.
const SIGKILL: i32 = 9;

/// Shared by the in-process app (which arranges and checks the database)
/// and the binary. A credit a token in, two out, payable from a small
/// free quota; a reply asks for at most 64 tokens (a hold of about 170),
/// its title is charged too (a hold of about 550: the prompt's ceiling);
/// the reply rate limit is out of the way.
const SETTINGS: &[(&str, &str)] = &[
    ("CHAT_PRICES", "fake-gpt|in=1000000|out=2000000|quota,demo|free"),
    ("CREDITS_FREE_QUOTA", "150"),
    ("CREDITS_MIN_OUTPUT_TOKENS", "10"),
    ("CHAT_MAX_OUTPUT_TOKENS", "64"),
    ("CREDITS_CHARGE_TITLES", "true"),
    ("RATE_LIMIT_CHAT_REPLIES", "1000/1m"),
];
const QUOTA: i64 = 150;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_anywhere_from_hold_to_settle_every_hold_resolves_once_and_no_credit_is_lost_or_made() {
    let began = Instant::now();
    let seed = std::env::var("XTASK_CRASH_SEED")
        .ok()
        .map(|s| {
            let s = s.trim_start_matches("0x");
            u64::from_str_radix(s, 16).expect("XTASK_CRASH_SEED is hexadecimal")
        })
        .unwrap_or(SEED);
    let app = TestApp::spawn_with(Backend::Sqlite, SETTINGS)
        .await
        .expect("the in-process app starts");
    app.fakes.set_llm_pace(PACE);
    let db = app.db().clone();
    let (session, account) = customer(&app).await;
    let granted = grant_buckets(&db, account).await;
    let env = server_env(&app);
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(30))
        // A pooled connection to a killed server must never be reused (a
        // restarted one may get its port).
        .pool_max_idle_per_host(0)
        .build()
        .expect("HTTP client");

    let mut server = Server::start(&env, app.dir.path(), &client).await;
    let mut ledger = Ledger {
        account,
        granted,
        resolved: HashMap::new(),
    };
    // One reply to its end: the flow's timeline, which the points are cut from.
    let calibration = Flow::send(&client, &server.base, &session);
    let timeline = calibration.ended().await;
    let (Some(start), Some(last), Some(saved), Some(_)) = (
        timeline.at("start", 1),
        timeline.at("delta", WORDS),
        timeline.at("done", 1),
        timeline.at("title", 1),
    ) else {
        panic!(
            "the calibration reply completes with {WORDS} deltas and a title: {timeline:?}\n{}",
            server.log_tail()
        );
    };
    let problems = ledger.problems(&db, false).await;
    assert!(problems.is_empty(), "after an uncut reply: {problems:#?}");
    let points = points(seed, start, saved - last);
    println!(
        "credits crash: seed {seed:#x} (XTASK_CRASH_SEED reruns it); uncut: start after {start:.1?}, \
         last delta to done {:.1?}",
        saved - last
    );

    let mut done: Vec<String> = Vec::new();
    let mut stages: BTreeMap<Stage, usize> = BTreeMap::new();
    for (i, point) in points.iter().enumerate() {
        let context = |done: &[String]| {
            format!(
                "seed {seed:#x}, point #{i} ({point}); points so far:\n{}",
                done.join("\n")
            )
        };
        let flow = Flow::send(&client, &server.base, &session);
        let anchored = point.anchor.reached(&flow).await;
        assert!(
            anchored,
            "{}: the reply ended before its anchor: {:?}",
            context(&done),
            flow.seen.borrow()
        );
        tokio::time::sleep(point.delay).await;
        let at_kill = flow.seen.borrow().clone();
        let killed_at = flow.sent.elapsed();
        server.kill(&context(&done));
        if point.anchor != Anchor::Sent {
            assert!(
                at_kill.ended.is_none(),
                "{}: the flow had ended before the kill: {at_kill:?}",
                context(&done)
            );
        }
        flow.ended().await;

        let stage = ledger.stage_after_kill(&db).await;
        *stages.entry(stage.0).or_default() += 1;
        done.push(format!("#{i:02} {point:<18} killed at {killed_at:>9.1?}: {}", stage.0));
        let mut problems = stage.1;

        // Restart (its own janitor runs at boot), then one round past the holds' expiry.
        let killed = std::mem::replace(&mut server, Server::start(&env, app.dir.path(), &client).await);
        let open = credit_holds::Entity::find()
            .filter(credit_holds::Column::State.eq(ledger::OPEN))
            .all(&db)
            .await
            .expect("holds read")
            .len() as u64;
        let swept = janitor_round_past_expiry(&app).await;
        if swept.holds != open || swept.mismatches != 0 {
            problems.push(format!(
                "the sweep resolved {} of {open} open holds, with {} mismatches",
                swept.holds, swept.mismatches
            ));
        }
        problems.extend(ledger.problems(&db, true).await);
        assert!(
            problems.is_empty(),
            "{}\nproblems: {problems:#?}\nthe killed server's log:\n{}",
            context(&done),
            killed.log_tail()
        );
    }
    drop(server);

    println!("{}", done.join("\n"));
    println!("stages: {stages:?}");
    let reached = |s: &[Stage]| s.iter().map(|s| stages.get(s).copied().unwrap_or(0)).sum::<usize>();
    assert!(
        reached(&[Stage::BeforeHold]) > 0
            && reached(&[Stage::Streaming]) > 0
            && reached(&[Stage::Saved, Stage::TitleHeld, Stage::TitleSettled]) > 0,
        "the points cover before the hold, mid-stream and after the save: {stages:?}"
    );
    println!("credits crash: {} kill points in {:.1?}", points.len(), began.elapsed());
}

/// A signed-in user with access; the session (the cookie's value, valid
/// on any server on the database) and the account.
async fn customer(app: &TestApp) -> (String, Uuid) {
    let b = app.browser();
    let email = unique_email("crash");
    registered_and_verified(app, &b, &email).await;
    make_admin(app, &email).await;
    let email = wire::email::Email::parse(&email).expect("a valid address");
    let account = domain::accounts::rules::find_by_email(app.db(), &email)
        .await
        .expect("users read")
        .expect("the account exists")
        .id;
    (b.session().expect("signed in"), account)
}

/// Buckets small enough that a reply's hold spans two or three and a
/// title's six (so settling splits across buckets, in order, and releases
/// the rest of each), one that expires before the first sweep's clock
/// (holds resolved in that sweep give back to it, then it expires), and a
/// purchase behind them all. What the test granted.
async fn grant_buckets(db: &DatabaseConnection, account: Uuid) -> i64 {
    let mut grants: Vec<(Source, i64, Option<chrono::DateTime<Utc>>)> = vec![
        (Source::Promotion, 100, Some(Utc::now() + chrono::Duration::minutes(30))),
        (Source::Purchase, 100_000, None),
    ];
    grants.extend((0..40).map(|_| (Source::Grant, 100, None)));
    let mut total = 0;
    for (source, amount, expires_at) in grants {
        let made = ledger::grant(
            db,
            Grant {
                account,
                source,
                amount,
                expires_at,
                key: format!("crash:{}", Uuid::new_v4()),
                actor: "operator".into(),
                reference: Some("crash test".into()),
            },
        )
        .await
        .expect("grant");
        assert!(made);
        total += amount;
    }
    total
}

/// The environment of the binary: the in-process app's (its database,
/// site, fakes and settings), logging JSON to read the port from.
fn server_env(app: &TestApp) -> Vec<(String, String)> {
    let mut vars: BTreeMap<String, String> = [
        ("HOST", "127.0.0.1"),
        ("PORT", "0"),
        ("LEPTOS_HASH_FILES", "false"),
        ("LOG_FORMAT", "json"),
        ("RUST_LOG", "info"),
        ("PASSWORD_HASH_CONCURRENCY", "1"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    vars.insert("DATABASE_URL".into(), app.database_url.clone());
    vars.insert("LEPTOS_SITE_ROOT".into(), app.site.display().to_string());
    vars.insert(
        "MAIL_OUTBOX_DIR".into(),
        app.dir.path().join("outbox").display().to_string(),
    );
    for (k, v) in app.fakes.app_env() {
        vars.insert(k.to_owned(), v);
    }
    for (k, v) in SETTINGS {
        vars.insert((*k).to_owned(), (*v).to_owned());
    }
    vars.into_iter().collect()
}

/// The janitor's chat and credits parts, in its order, at a clock past
/// every hold's expiry and the stale-reply age: replies the dead process
/// left streaming are closed as interrupted, then every open hold is
/// resolved from what its reply saved. (`domain::janitor::sweep` runs
/// them at the real clock, where nothing has expired yet.)
async fn janitor_round_past_expiry(app: &TestApp) -> sweep::Swept {
    let services = &app.services;
    let chat = &services.features.chat.settings;
    let past = services.settings.credits.hold_ttl.max(chat.stale_reply_after) + Duration::from_secs(60);
    let later = Utc::now() + chrono::Duration::from_std(past).expect("a duration");
    domain::chat::janitor::close_interrupted(app.db(), chat, later)
        .await
        .expect("interrupted replies closed");
    let swept = sweep::sweep(app.db(), later).await.expect("the credits sweep runs");
    assert!(!swept.skipped, "SQLite sweeps are never skipped");
    swept
}

/// Where a kill lands, measured from a point of the flow the client sees.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Anchor {
    /// The request is sent (the server may not have read it yet).
    Sent,
    /// The k-th delta arrived (the reply streams).
    Delta(usize),
    /// The last delta arrived: the usage frame, the end and the save follow.
    LastDelta,
    /// `done` arrived: the reply is saved; its title's hold, stream and charge follow.
    Done,
}

impl Anchor {
    /// Waits until the flow reaches the anchor; false if it ended first.
    async fn reached(self, flow: &Flow) -> bool {
        let mut seen = flow.seen.clone();
        let reached = seen
            .wait_for(|s| {
                s.ended.is_some()
                    || match self {
                        Anchor::Sent => true,
                        Anchor::Delta(k) => s.count("delta") >= k,
                        Anchor::LastDelta => s.count("delta") >= WORDS,
                        Anchor::Done => s.count("done") >= 1,
                    }
            })
            .await
            .map(|s| self == Anchor::Sent || s.ended.is_none());
        reached.unwrap_or(false)
    }
}

/// A kill point: an anchor and how long after it.
#[derive(Clone, Copy, Debug)]
struct Point {
    anchor: Anchor,
    delay: Duration,
}

impl fmt::Display for Point {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = match self.anchor {
            Anchor::Sent => format!("sent +{:.1?}", self.delay),
            Anchor::Delta(k) => format!("delta {k} +{:.1?}", self.delay),
            Anchor::LastDelta => format!("last delta +{:.1?}", self.delay),
            Anchor::Done => format!("done +{:.1?}", self.delay),
        };
        f.pad(&text)
    }
}

/// Frames the fake sends for a title ("About" and the prompt's four
/// words, after a role frame; then the finish, usage and end frames),
/// each after a [`PACE`]: the least time a title takes.
const TITLE_FRAMES: u32 = 9;
/// Frames after a reply's last word (finish, usage, end).
const END_FRAMES: u32 = 3;

/// The kill points: eight per phase, each phase's window cut in eight
/// strata with a seeded jitter inside each (so the earliest lands before
/// the server has read the request, the latest near the window's end).
/// The windows, from the uncut reply's timeline: the request's way to the
/// reply's start, plus a quarter (before, during and after the hold); a
/// delta's pace (the stream); from the last delta to `done`, plus a
/// quarter (the end frames, then the save and its settle, then `done`);
/// the title's frames after `done` (its hold and stream). The last two
/// stop short of the paced frames still to come, so the flow is alive
/// whatever the machine's speed.
fn points(seed: u64, to_start: Duration, last_to_done: Duration) -> Vec<Point> {
    let mut rng = SplitMix(seed);
    let per = POINTS / 4;
    let save = last_to_done.mul_f64(1.25).min(PACE * (END_FRAMES + TITLE_FRAMES - 1));
    let title = PACE * (TITLE_FRAMES - 1);
    let mut points = Vec::with_capacity(POINTS);
    for j in 0..per {
        // Where in its stratum each phase's point falls.
        let [sent, delta, jitter, last, done] = [(); 5].map(|()| rng.unit());
        let stratum = |width: Duration, u: f64| width.mul_f64((j as f64 + u) / per as f64);
        points.push(Point {
            anchor: Anchor::Sent,
            delay: stratum(to_start.mul_f64(1.25), sent),
        });
        // Deltas 1 to WORDS - 1 (the last is the next phase's anchor).
        let k = 1 + ((j as f64 + delta) / per as f64 * (WORDS - 1) as f64) as usize;
        points.push(Point {
            anchor: Anchor::Delta(k.min(WORDS - 1)),
            delay: PACE.mul_f64(jitter),
        });
        points.push(Point {
            anchor: Anchor::LastDelta,
            delay: stratum(save, last),
        });
        points.push(Point {
            anchor: Anchor::Done,
            delay: stratum(title, done),
        });
    }
    points
}

/// A small deterministic generator (SplitMix64): the points depend on
/// the seed alone, whatever the `rand` version.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Where the flow was when the server died, read from the database.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Stage {
    /// No hold was taken (or its transaction died with the process).
    BeforeHold,
    /// Held; the reply's rows were not written.
    Held,
    /// The reply was streaming: held, nothing saved.
    Streaming,
    /// The reply was saved and its hold settled; no title hold yet.
    Saved,
    /// The title's hold was open.
    TitleHeld,
    /// The title's hold was settled too.
    TitleSettled,
}

impl fmt::Display for Stage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Stage::BeforeHold => "before the hold",
            Stage::Held => "held, reply not written",
            Stage::Streaming => "mid-stream",
            Stage::Saved => "reply saved and settled",
            Stage::TitleHeld => "title held",
            Stage::TitleSettled => "title settled",
        })
    }
}

/// What the test knows independently of the ledger, and what it has
/// seen the ledger resolve.
struct Ledger {
    account: Uuid,
    /// Credits the test granted (the free quota's bucket comes on top).
    granted: i64,
    /// Every resolved hold as first seen resolved.
    resolved: HashMap<Uuid, Resolution>,
}

/// A hold's state, settled amount and when it was resolved.
type Resolution = (String, Option<i64>, Option<chrono::DateTime<Utc>>);

impl Ledger {
    /// The stage the last flow reached, from the holds it left (those not
    /// seen before) and its reply's row; and the problems found: a reply
    /// saved while its hold is open, or a hold resolved while its reply
    /// streams, would mean the save and the settle were not one commit.
    async fn stage_after_kill(&self, db: &DatabaseConnection) -> (Stage, Vec<String>) {
        let holds = credit_holds::Entity::find().all(db).await.expect("holds read");
        let new: Vec<_> = holds.iter().filter(|h| !self.resolved.contains_key(&h.id)).collect();
        let reply = new.iter().find(|h| h.reference.starts_with("reply:"));
        let title = new.iter().find(|h| h.reference.starts_with("title:"));
        let mut problems = Vec::new();
        if new.len() > 2 {
            problems.push(format!("one flow left {} new holds: {new:#?}", new.len()));
        }
        let Some(reply) = reply else {
            return (Stage::BeforeHold, problems);
        };
        let message = match message_of(&reply.reference) {
            Some(id) => chat_messages::Entity::find_by_id(id)
                .one(db)
                .await
                .expect("messages read"),
            None => None,
        };
        let open = |h: &credit_holds::Model| h.state == ledger::OPEN;
        let stage = match (&message, open(reply), title) {
            (None, true, _) => Stage::Held,
            (Some(m), true, _) if m.outcome == Some(Outcome::Streaming) => Stage::Streaming,
            (Some(m), true, _) => {
                problems.push(format!("reply saved ({:?}) with its hold open: {reply:?}", m.outcome));
                Stage::Streaming
            }
            (Some(m), false, _) if m.outcome == Some(Outcome::Streaming) => {
                problems.push(format!("hold resolved while its reply streams: {reply:?}"));
                Stage::Saved
            }
            (_, false, None) => Stage::Saved,
            (_, false, Some(t)) if open(t) => Stage::TitleHeld,
            (_, false, Some(_)) => Stage::TitleSettled,
        };
        (stage, problems)
    }

    /// Everything that must hold once no flow runs: after an uncut reply,
    /// or after a restart and one sweep (`swept`: no reply streams any more).
    async fn problems(&mut self, db: &DatabaseConnection, swept: bool) -> Vec<String> {
        let mut problems = Vec::new();
        let holds = credit_holds::Entity::find().all(db).await.expect("holds read");
        let entries = credit_entries::Entity::find().all(db).await.expect("entries read");
        let buckets = credit_buckets::Entity::find().all(db).await.expect("buckets read");
        let usage = credit_usage::Entity::find().all(db).await.expect("usage read");
        let replies = chat_messages::Entity::find()
            .filter(chat_messages::Column::Role.eq(MessageRole::Assistant))
            .all(db)
            .await
            .expect("messages read");
        let sum = |kind: Kind, f: &dyn Fn(&credit_entries::Model) -> bool| -> i64 {
            entries
                .iter()
                .filter(|e| e.kind == kind.as_str() && f(e))
                .map(|e| e.amount)
                .sum()
        };

        // 1. Every hold resolved, exactly once: each bucket's share settled
        // or released by one entry of each kind at most, adding up to the
        // share; the settled column is its settle entries; a hold resolved
        // before is never resolved again.
        for h in &holds {
            if h.state == ledger::OPEN {
                problems.push(format!("hold still open: {h:?}"));
                continue;
            }
            let of_hold: Vec<_> = entries.iter().filter(|e| e.hold_id == Some(h.id)).collect();
            let mut shares: HashMap<Uuid, [i64; 3]> = HashMap::new();
            let mut kinds: HashMap<(Uuid, &str), usize> = HashMap::new();
            for e in &of_hold {
                *kinds.entry((e.bucket_id, e.kind.as_str())).or_default() += 1;
                let slot = match e.kind.as_str() {
                    "hold" => 0,
                    "settle" => 1,
                    "release" => 2,
                    other => {
                        problems.push(format!("hold {}: a `{other}` entry carries it", h.id));
                        continue;
                    }
                };
                shares.entry(e.bucket_id).or_default()[slot] += e.amount;
            }
            if let Some(((bucket, kind), n)) = kinds.iter().find(|(_, n)| **n > 1) {
                problems.push(format!("hold {}: {n} `{kind}` entries in bucket {bucket}", h.id));
            }
            let held: i64 = shares.values().map(|s| s[0]).sum();
            let settled: i64 = shares.values().map(|s| s[1]).sum();
            if held != h.amount {
                problems.push(format!(
                    "hold {}: {held} held in entries, {} on the hold",
                    h.id, h.amount
                ));
            }
            if let Some((bucket, s)) = shares.iter().find(|(_, s)| s[1] + s[2] != s[0]) {
                problems.push(format!(
                    "hold {}: bucket {bucket} held {}, settled {} and released {}",
                    h.id, s[0], s[1], s[2]
                ));
            }
            if h.settled != Some(settled) {
                problems.push(format!("hold {}: settled {:?}, its entries {settled}", h.id, h.settled));
            }
            let state = if settled > 0 { ledger::SETTLED } else { ledger::RELEASED };
            if h.state != state || h.resolved_at.is_none() {
                problems.push(format!(
                    "hold {}: {} at {:?}, settling {settled}",
                    h.id, h.state, h.resolved_at
                ));
            }
            let now = (h.state.clone(), h.settled, h.resolved_at);
            if let Some(before) = self.resolved.insert(h.id, now.clone())
                && before != now
            {
                problems.push(format!("hold {} resolved again: {before:?}, then {now:?}", h.id));
            }
        }

        // 2. The sum check. Each bucket is its entries, holds nothing, and
        // never goes below zero; the buckets hold what was granted (the
        // test's grants and one free quota), and what is left, spent and
        // expired adds up to it.
        for b in &buckets {
            let of = |kind| sum(kind, &|e| e.bucket_id == b.id);
            let from_entries = (
                of(Kind::Grant),
                of(Kind::Hold) - of(Kind::Settle) - of(Kind::Release),
                of(Kind::Settle),
                of(Kind::Expire),
            );
            if (b.granted, b.held, b.settled, b.expired) != from_entries || b.held != 0 {
                problems.push(format!(
                    "bucket {} ({}): (granted, held, settled, expired) {:?}, entries {from_entries:?}",
                    b.id,
                    b.source,
                    (b.granted, b.held, b.settled, b.expired)
                ));
            }
            if b.granted - b.settled - b.held - b.expired < 0 {
                problems.push(format!("bucket {} overdrawn: {b:?}", b.id));
            }
        }
        let quotas = buckets
            .iter()
            .filter(|b| b.source == Source::FreeQuota.as_str())
            .count();
        if quotas > 1 {
            problems.push(format!("{quotas} free-quota buckets in one cycle"));
        }
        let granted = self.granted + QUOTA * i64::try_from(quotas).unwrap_or(i64::MAX);
        let total = |f: fn(&credit_buckets::Model) -> i64| buckets.iter().map(f).sum::<i64>();
        let (in_buckets, settled, expired) = (total(|b| b.granted), total(|b| b.settled), total(|b| b.expired));
        let totals = ledger::totals(db, self.account, None).await.expect("totals");
        if in_buckets != granted || totals.available + settled + expired != granted || totals.held != 0 {
            problems.push(format!(
                "credits lost or made: granted {granted}, in buckets {in_buckets}; \
                 available {} + settled {settled} + expired {expired} = {}; held {}",
                totals.available,
                totals.available + settled + expired,
                totals.held
            ));
        }
        let on_holds: i64 = holds.iter().filter_map(|h| h.settled).sum();
        let in_entries = sum(Kind::Settle, &|_| true);
        let charged: i64 = usage.iter().map(|u| u.charged).sum();
        if [on_holds, in_entries, charged] != [settled; 3] {
            problems.push(format!(
                "settled: buckets {settled}, holds {on_holds}, entries {in_entries}, charged in usage {charged}"
            ));
        }
        match sweep::reconcile(db).await {
            Ok(0) => {}
            Ok(n) => problems.push(format!("reconcile found {n} mismatches")),
            Err(e) => problems.push(format!("reconcile failed: {e}")),
        }

        // 3. What a reply (or title) shows charged is what its hold settled:
        // its card's price of the tokens it saved, never more than held; a
        // reply that saved nothing (or never was) costs nothing.
        let usage_of = |reference: &str| usage.iter().find(|u| u.reference == reference);
        for m in &replies {
            if swept && m.outcome == Some(Outcome::Streaming) {
                problems.push(format!("reply {} still streaming after the sweep", m.id));
            }
            let reference = format!("reply:{}", m.id);
            let held: Vec<_> = holds.iter().filter(|h| h.reference == reference).collect();
            let [hold] = held.as_slice() else {
                problems.push(format!("reply {} has {} holds", m.id, held.len()));
                continue;
            };
            let expected = m.credits.map_or(0, |_| {
                let card = Card::from_json(&hold.rate_card).unwrap_or_default();
                card.cost(Tokens {
                    input: m.input_tokens.unwrap_or(0),
                    output: m.output_tokens.unwrap_or(0),
                    cached: m.cached_tokens.unwrap_or(0),
                    cache_write: m.cache_write_tokens.unwrap_or(0),
                })
                .min(hold.amount)
            });
            let recorded = usage_of(&reference).map(|u| u.charged);
            if m.credits.unwrap_or(0) != expected || hold.settled != Some(expected) || recorded != m.credits {
                problems.push(format!(
                    "reply {} ({:?}) shows {:?} credits for {:?} in / {:?} out; expected {expected}; \
                     its hold settled {:?}, its usage charged {recorded:?}",
                    m.id, m.outcome, m.credits, m.input_tokens, m.output_tokens, hold.settled
                ));
            }
        }
        for h in &holds {
            let known = message_of(&h.reference).is_some_and(|id| replies.iter().any(|m| m.id == id));
            let charged = usage_of(&h.reference).map(|u| u.charged);
            let unsaved = h.reference.starts_with("reply:") && !known;
            if (unsaved || h.reference.starts_with("title:")) && h.settled.unwrap_or(0) != charged.unwrap_or(0) {
                problems.push(format!("hold {h:?}: charged in usage {charged:?}"));
            }
        }
        problems
    }
}

/// The reply id of a `reply:<id>` or `title:<id>` reference.
fn message_of(reference: &str) -> Option<Uuid> {
    let (_, id) = reference.split_once(':')?;
    Uuid::parse_str(id).ok()
}

/// What the client has seen of a reply, with when (from the send).
#[derive(Clone, Debug, Default)]
struct Seen {
    events: Vec<(String, Value, Duration)>,
    /// When the response ended (its end, an error, or the connection lost).
    ended: Option<Duration>,
    failure: Option<String>,
}

impl Seen {
    fn count(&self, kind: &str) -> usize {
        self.events.iter().filter(|(k, _, _)| k == kind).count()
    }

    /// When the `n`-th event of `kind` arrived.
    fn at(&self, kind: &str, n: usize) -> Option<Duration> {
        self.events
            .iter()
            .filter(|(k, _, _)| k == kind)
            .nth(n - 1)
            .map(|(_, _, at)| *at)
    }
}

/// A reply request in flight, read by a task of its own.
struct Flow {
    sent: Instant,
    seen: watch::Receiver<Seen>,
    task: tokio::task::JoinHandle<()>,
}

impl Flow {
    fn send(client: &reqwest::Client, base: &str, session: &str) -> Flow {
        let (tx, seen) = watch::channel(Seen::default());
        let sent = Instant::now();
        let request = client
            .post(format!("{base}{}", crate::chat::REPLY))
            .header("cookie", format!("{}={session}", app::server::cookies::PLAIN_SESSION))
            .header("sec-fetch-site", "same-origin")
            .header("accept", "text/event-stream")
            .json(&json!({"text": PROMPT, "model": "fake-gpt"}));
        let task = tokio::spawn(async move {
            let end = |failure: Option<String>| {
                tx.send_modify(|s| {
                    s.ended = Some(sent.elapsed());
                    s.failure = failure;
                });
            };
            let mut response = match request.send().await {
                Ok(r) if r.status() == 200 => r,
                Ok(r) => return end(Some(format!("status {}", r.status()))),
                Err(e) => return end(Some(e.to_string())),
            };
            let mut decoder = wire::sse::Decoder::default();
            loop {
                match response.chunk().await {
                    Ok(Some(chunk)) => {
                        for e in decoder.push(&chunk) {
                            let data = serde_json::from_str(&e.data).unwrap_or(Value::String(e.data));
                            tx.send_modify(|s| s.events.push((e.kind.unwrap_or_default(), data, sent.elapsed())));
                        }
                    }
                    Ok(None) => return end(None),
                    Err(e) => return end(Some(e.to_string())),
                }
            }
        });
        Flow { sent, seen, task }
    }

    /// Waits for the response to end (a killed server ends it at once);
    /// all it saw.
    async fn ended(self) -> Seen {
        tokio::time::timeout(Duration::from_secs(30), self.task)
            .await
            .expect("the reply's response ends")
            .expect("the reply's reader");
        self.seen.borrow().clone()
    }
}

/// Lines of the server's log kept for a failure's message.
const LOG_LINES: usize = 60;

/// The server binary, serving the test's database from a process of its own.
struct Server {
    child: Child,
    base: String,
    log: Arc<Mutex<VecDeque<String>>>,
}

impl Server {
    /// Starts the binary and waits until it listens and is ready.
    async fn start(env: &[(String, String)], dir: &Path, client: &reqwest::Client) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_server"))
            .arg("serve")
            .env_clear()
            .envs(env.iter().map(|(k, v)| (k, v)))
            // No `.env` but the test's.
            .current_dir(dir)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the server binary starts");
        let log: Arc<Mutex<VecDeque<String>>> = Arc::default();
        let (port, listening) = oneshot::channel();
        keep_log(child.stdout.take().expect("stdout piped"), log.clone(), Some(port));
        keep_log(child.stderr.take().expect("stderr piped"), log.clone(), None);
        let mut server = Server {
            child,
            base: String::new(),
            log,
        };
        let port = match tokio::time::timeout(Duration::from_secs(20), listening).await {
            Ok(Ok(port)) => port,
            _ => panic!("the server did not start listening:\n{}", server.log_tail()),
        };
        server.base = format!("http://127.0.0.1:{port}");
        let listening = Instant::now();
        while listening.elapsed() < Duration::from_secs(10) {
            let ready = client.get(format!("{}/readyz", server.base)).send().await;
            if ready.is_ok_and(|r| r.status() == 200) {
                return server;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        panic!("the server did not become ready:\n{}", server.log_tail());
    }

    /// SIGKILL: the process must still be running when it comes.
    fn kill(&mut self, context: &str) {
        let running = self.child.try_wait().expect("the server's status");
        assert!(
            running.is_none(),
            "{context}: the server exited before the kill ({running:?}):\n{}",
            self.log_tail()
        );
        self.child.kill().expect("SIGKILL sent");
        let status = self.child.wait().expect("the killed server reaped");
        assert_eq!(status.signal(), Some(SIGKILL), "{context}: {status:?}");
    }

    fn log_tail(&self) -> String {
        let log = self.log.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        log.iter().cloned().collect::<Vec<_>>().join("\n")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        // Already reaped after a kill: then both calls do nothing.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Reads a pipe of the server's to its end on a thread (a full pipe
/// would block the server), keeping the last lines; on stdout, tells
/// the port from the `listening on` line.
fn keep_log(
    pipe: impl Read + Send + 'static,
    log: Arc<Mutex<VecDeque<String>>>,
    mut port: Option<oneshot::Sender<u16>>,
) {
    std::thread::spawn(move || {
        for line in BufReader::new(pipe).lines().map_while(Result::ok) {
            if let Some(tx) = port.take_if(|_| line.contains("listening on")) {
                let listening = serde_json::from_str::<Value>(&line)
                    .ok()
                    .and_then(|v| v["port"].as_u64())
                    .and_then(|p| u16::try_from(p).ok());
                if let Some(p) = listening {
                    let _ = tx.send(p);
                }
            }
            let mut log = log.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            if log.len() == LOG_LINES {
                log.pop_front();
            }
            log.push_back(line);
        }
    });
}
