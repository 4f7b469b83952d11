//! Many long chat replies at once through `POST /api/chat/reply`: first-token latency, drops and peak memory.

use super::{mb, rss_mb};
use crate::peers::FakeProviders;
use crate::server::{self, Running, Staged};
use crate::util::{self, step};
use anyhow::Context;

/// Rounds of credits off and on; the added latency is their median.
const ROUNDS: usize = 3;
/// Concurrent streams.
const STREAMS: usize = 200;
/// Gap between two streams' starts: 200 starts spread over 2 s.
const STREAM_GAP: std::time::Duration = std::time::Duration::from_millis(10);
/// The fake model's delay before each chunk: 50 tokens (words) a second.
const PACE_MS: u64 = 20;
/// Words a reply has: 1000 at 50 a second stream for 20 s.
const REPLY_WORDS: usize = 1000;
/// Longest wait for any one read before a stream counts as dropped.
const STREAM_READ_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(60);

/// What happened to one stream.
struct StreamRun {
    /// From opening the connection to the first piece of reply text.
    first_token: Option<std::time::Duration>,
    /// Pieces of reply text received.
    tokens: usize,
    /// `None` when it ended as it should; else why it counts as dropped.
    dropped: Option<String>,
}

/// What one event of a stream means.
enum Seen {
    Token,
    Done,
    Failed(String),
    Other,
}

/// Opens one stream and reads it to its end, classifying each event with `classify`.
fn read_stream(
    port: u16,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
    classify: &dyn Fn(&str, &str) -> Seen,
) -> StreamRun {
    let started = std::time::Instant::now();
    let mut run = StreamRun {
        first_token: None,
        tokens: 0,
        dropped: None,
    };
    let response = match util::http_post_streamed(port, path, headers, body, STREAM_READ_TIMEOUT) {
        Ok(r) => r,
        Err(e) => {
            run.dropped = Some(format!("request failed: {e}"));
            return run;
        }
    };
    if response.status != 200 {
        run.dropped = Some(format!("HTTP {}", response.status));
        return run;
    }
    if !response.head.contains("content-type: text/event-stream") {
        run.dropped = Some("not an event stream".to_owned());
        return run;
    }
    let mut events = util::SseEvents::new(response.body);
    loop {
        match events.next_event() {
            Ok(Some((kind, data))) => match classify(&kind, &data) {
                Seen::Token => {
                    run.first_token.get_or_insert_with(|| started.elapsed());
                    run.tokens += 1;
                }
                Seen::Done => return run,
                Seen::Failed(why) => {
                    run.dropped = Some(why);
                    return run;
                }
                Seen::Other => {}
            },
            Ok(None) => {
                run.dropped = Some("closed before the end".to_owned());
                return run;
            }
            Err(e) if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) => {
                run.dropped = Some("read timed out".to_owned());
                return run;
            }
            Err(_) => {
                run.dropped = Some("closed before the end".to_owned());
                return run;
            }
        }
    }
}

/// Starts `STREAMS` streams `STREAM_GAP` apart, each on its own thread
/// (`open(i)` runs one to its end), and returns how each went.
fn ramped_streams(open: &(dyn Fn(usize) -> StreamRun + Sync)) -> Vec<StreamRun> {
    let start = std::time::Instant::now() + std::time::Duration::from_millis(100);
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..STREAMS)
            .map(|i| {
                scope.spawn(move || {
                    let due = start + STREAM_GAP * i as u32;
                    if let Some(wait) = due.checked_duration_since(std::time::Instant::now()) {
                        std::thread::sleep(wait);
                    }
                    open(i)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join().unwrap_or(StreamRun {
                    first_token: None,
                    tokens: 0,
                    dropped: Some("the client thread panicked".to_owned()),
                })
            })
            .collect()
    })
}

/// Numbers of one set of streams.
struct StreamStats {
    /// First-token latencies, sorted.
    first: Vec<std::time::Duration>,
    tokens: usize,
    dropped: usize,
    /// Why streams were dropped, with how many, most frequent first.
    reasons: Vec<(String, usize)>,
}

impl StreamStats {
    fn of(runs: &[StreamRun]) -> Self {
        let mut first: Vec<_> = runs.iter().filter_map(|r| r.first_token).collect();
        first.sort();
        let mut reasons = std::collections::BTreeMap::<String, usize>::new();
        for why in runs.iter().filter_map(|r| r.dropped.as_ref()) {
            *reasons.entry(why.clone()).or_default() += 1;
        }
        let mut reasons: Vec<_> = reasons.into_iter().collect();
        reasons.sort_by_key(|r| std::cmp::Reverse(r.1));
        StreamStats {
            first,
            tokens: runs.iter().map(|r| r.tokens).sum(),
            dropped: runs.iter().filter(|r| r.dropped.is_some()).count(),
            reasons,
        }
    }

    /// The `q` quantile of first-token latency, in ms (NaN when no stream got a token).
    fn first_ms(&self, q: f64) -> f64 {
        if self.first.is_empty() {
            return f64::NAN;
        }
        let i = ((self.first.len() as f64 * q) as usize).min(self.first.len() - 1);
        self.first[i].as_secs_f64() * 1000.0
    }

    /// First-token p50, p90, p99 and the slowest, for the log.
    fn first_spread(&self) -> String {
        format!(
            "p50 {:.1} ms, p90 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
            self.first_ms(0.50),
            self.first_ms(0.90),
            self.first_ms(0.99),
            self.first_ms(1.0)
        )
    }

    fn dropped_text(&self) -> String {
        if self.dropped == 0 {
            return "none dropped".to_owned();
        }
        let why: Vec<_> = self.reasons.iter().map(|(r, n)| format!("{n}× {r}")).collect();
        format!("{} dropped: {}", self.dropped, why.join(", "))
    }
}

/// The `token` of the verification link in the newest mail in `outbox`
/// (quoted-printable soft breaks and `=3D` undone); waits up to 10 s.
fn verification_token(outbox: &std::path::Path) -> anyhow::Result<String> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let mut files: Vec<_> = std::fs::read_dir(outbox)
            .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
            .unwrap_or_default();
        files.sort();
        if let Some(raw) = files.last().and_then(|f| std::fs::read_to_string(f).ok()) {
            let text = raw.replace("=\r\n", "").replace("=\n", "").replace("=3D", "=");
            if let Some(at) = text.find("/verify-email?token=") {
                let token: String = text[at + "/verify-email?token=".len()..]
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '~' | '%'))
                    .collect();
                if !token.is_empty() {
                    return Ok(token);
                }
            }
        }
        anyhow::ensure!(
            std::time::Instant::now() < deadline,
            "no verification mail in {} within 10 s",
            outbox.display()
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

/// The `name=value` pairs a response's `Set-Cookie` headers set, as a `Cookie` header.
fn cookies_of(head: &str) -> String {
    head.lines()
        .filter(|l| l.get(..11).is_some_and(|n| n.eq_ignore_ascii_case("set-cookie:")))
        .filter_map(|l| l[11..].trim().split(';').next())
        .collect::<Vec<_>>()
        .join("; ")
}

/// A session cookie of a user with access: registers an address listed in
/// `ADMIN_EMAILS` (registering signs in), then confirms it with the link
/// from the mail the server wrote to its outbox folder, in that session (a
/// link opened outside the account's session proves nothing). Confirming
/// makes it an admin, and admins always have access.
pub(super) fn member_session(server: &Running, email: &str) -> anyhow::Result<String> {
    let form_headers = [
        ("Content-Type", "application/x-www-form-urlencoded"),
        ("Accept", "application/json"),
        ("Sec-Fetch-Site", "same-origin"),
    ];
    let password = "a+long+benchmark+passphrase";
    let email_form = email.replace('@', "%40");
    let form = format!("display_name=Bench&email={email_form}&password={password}");
    let (status, head, body) = util::http_post(server.port, "/api/auth/register", &form_headers, form.as_bytes())?;
    anyhow::ensure!(status == 200, "registering the bench user: {status} {body}");
    let mut cookie = cookies_of(&head);
    anyhow::ensure!(!cookie.is_empty(), "registering set no cookie:\n{head}");
    let token = verification_token(&server.outbox())?;
    let form = format!("token={token}");
    let headers = [
        form_headers[0],
        form_headers[1],
        form_headers[2],
        ("Cookie", cookie.as_str()),
    ];
    let (status, head, body) = util::http_post(server.port, "/api/auth/verify-email", &headers, form.as_bytes())?;
    anyhow::ensure!(
        status == 200 && !body.contains("signin"),
        "confirming the bench user's email: {status} {body}"
    );
    // Proving the address may rotate the session.
    let renewed = cookies_of(&head);
    if !renewed.is_empty() {
        cookie = renewed;
    }
    Ok(cookie)
}

/// How an event of `POST /api/chat/reply` counts.
fn app_event(kind: &str, data: &str) -> Seen {
    match kind {
        "delta" => Seen::Token,
        "done" => Seen::Done,
        "error" => Seen::Failed(format!(
            "error event `{}`",
            serde_json::from_str::<serde_json::Value>(data)
                .ok()
                .and_then(|v| v["error"].as_str().map(str::to_owned))
                .unwrap_or_default()
        )),
        _ => Seen::Other,
    }
}

/// How an event of the fake's OpenAI-compatible stream counts: a token is a
/// chunk with text, as the app's parser reads it (the first chunk only names
/// the role).
fn openai_event(_kind: &str, data: &str) -> Seen {
    if data.trim() == "[DONE]" {
        return Seen::Done;
    }
    let Ok(v) = serde_json::from_str::<serde_json::Value>(data) else {
        return Seen::Failed("unparsable chunk".to_owned());
    };
    if v.get("error").is_some() {
        return Seen::Failed("error chunk".to_owned());
    }
    match v.pointer("/choices/0/delta/content").and_then(|c| c.as_str()) {
        Some(text) if !text.is_empty() => Seen::Token,
        _ => Seen::Other,
    }
}

/// Port and path of an `http://127.0.0.1:PORT/path` URL.
fn loopback_url(url: &str) -> anyhow::Result<(u16, String)> {
    let rest = url
        .strip_prefix("http://127.0.0.1:")
        .with_context(|| format!("not a loopback URL: {url}"))?;
    let (port, path) = rest.split_once('/').unwrap_or((rest, ""));
    Ok((
        port.parse().with_context(|| format!("no port in {url}"))?,
        format!("/{path}"),
    ))
}

/// 200 concurrent chat replies through the app from the fake OpenAI-compatible
/// API at 50 tokens/s, 20 s each: the server's peak RSS, first-token
/// latency and the streams that did not end with `done`. The same 200
/// streams (same length, so the same load on the fake and the client)
/// straight from the fake first give the baseline, so the first-token time
/// the app adds (session, gate, conversation and message rows in SQLite, the
/// upstream request, SSE) is the difference.
pub(super) fn measure(staged: &Staged, fakes_binary: &std::path::Path) -> anyhow::Result<Vec<String>> {
    let port = util::free_port()?;
    let fakes = FakeProviders::start_with(fakes_binary, port, &["--llm-pace-ms", &PACE_MS.to_string()])?;
    let env_of = |name: &str| {
        fakes
            .env
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .with_context(|| format!("fakes printed no {name}"))
    };
    let (fake_port, fake_base) = loopback_url(&env_of("OPENAI_API_BASE")?)?;
    let fake_path = format!("{}chat/completions", fake_base);
    let fake_auth = format!("Bearer {}", env_of("OPENAI_API_KEY")?);

    step(&format!(
        "load: baseline, {STREAMS} streams straight from the fake OpenAI API ({REPLY_WORDS} words at {PACE_MS} ms a word), \
         starts {} ms apart",
        STREAM_GAP.as_millis()
    ));
    let direct = StreamStats::of(&ramped_streams(&|i| {
        let body = serde_json::json!({
            "model": "fake-gpt",
            "messages": [{"role": "user", "content": format!("[words {REPLY_WORDS}] baseline stream {i}")}],
            "stream": true,
            "stream_options": {"include_usage": true},
            "max_completion_tokens": 4096,
        })
        .to_string();
        read_stream(
            fake_port,
            &fake_path,
            &[
                ("Content-Type", "application/json"),
                ("Accept", "text/event-stream"),
                ("Authorization", &fake_auth),
            ],
            body.as_bytes(),
            &openai_event,
        )
    }));
    println!("  first token {}; {}", direct.first_spread(), direct.dropped_text());
    anyhow::ensure!(
        direct.dropped < STREAMS,
        "no stream from the fake OpenAI API ended well: {}",
        direct.dropped_text()
    );

    // Credits off (nothing held: the chat as before credits), then on
    // (every reply held before the model is asked and settled in the
    // transaction that saves it), `ROUNDS` times in turn: what credits add
    // is the median of the rounds' differences (one run's p99 is the
    // second-slowest of 200 first tokens, so one stall on this 2-core
    // machine moves it by tens of ms either way).
    let fakes_env: Vec<(&str, &str)> = fakes.env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let mut rounds = Vec::with_capacity(ROUNDS);
    for round in 0..ROUNDS {
        let off = || {
            through_app(
                staged,
                port,
                &fakes_env,
                &format!("chat-bench-off-{round}@app.test"),
                &[("CREDITS_ENFORCE", "false")],
            )
        };
        let on = || through_app(staged, port, &fakes_env, &format!("chat-bench-{round}@app.test"), &[]);
        // In turn which goes first: the server's database grows from run
        // to run, which must not count for or against credits.
        rounds.push(if round % 2 == 0 {
            let off = off()?;
            (off, on()?)
        } else {
            let on = on()?;
            (off()?, on)
        });
    }
    drop(fakes);
    let added = |q: f64| {
        let mut d: Vec<f64> = rounds
            .iter()
            .map(|(off, on)| on.stats.first_ms(q) - off.stats.first_ms(q))
            .collect();
        d.sort_by(f64::total_cmp);
        (d[d.len() / 2], d[0], d[d.len() - 1])
    };
    let ((p50, _, _), (p99, p99_low, p99_high)) = (added(0.50), added(0.99));
    let offs_dropped: usize = rounds.iter().map(|(off, _)| off.stats.dropped).sum();
    let ons_dropped: usize = rounds.iter().map(|(_, on)| on.stats.dropped).sum();
    let shorts: usize = rounds.iter().map(|(_, on)| on.short).sum();
    let (off, on) = rounds.pop().context("no round ran")?;
    let AppRun {
        stats: served,
        rss_before,
        rss_after,
        peak,
        ..
    } = on;

    let done = STREAMS * ROUNDS - ons_dropped;
    Ok(vec![
        format!(
            "chat streams     {STREAMS} at {} tokens/s, {} s each, starts {} ms apart, {ROUNDS} rounds with credits on: \
             {done} of {} done, {ons_dropped} dropped (last round: {}){}",
            1000 / PACE_MS,
            REPLY_WORDS as u64 * PACE_MS / 1000,
            STREAM_GAP.as_millis(),
            STREAMS * ROUNDS,
            served.dropped_text(),
            if shorts > 0 {
                format!(", {shorts} done with fewer than {REPLY_WORDS} deltas")
            } else {
                String::new()
            }
        ),
        format!("chat stream RSS  peak {peak:>8.1} MB (before {rss_before:.1} MB, after {rss_after:.1} MB)"),
        format!(
            "chat first token served p50 {:.1} ms p99 {:.1} ms; fake alone p50 {:.1} ms p99 {:.1} ms; \
             added by the app p50 {:.1} ms, p99 {:.1} ms",
            served.first_ms(0.50),
            served.first_ms(0.99),
            direct.first_ms(0.50),
            direct.first_ms(0.99),
            served.first_ms(0.50) - direct.first_ms(0.50),
            served.first_ms(0.99) - direct.first_ms(0.99),
        ),
        format!(
            "chat credits     first token with credits on p50 {:.1} ms p99 {:.1} ms; off p50 {:.1} ms p99 {:.1} ms (last round); \
             added by credits, median of {ROUNDS} rounds: p50 {p50:.1} ms, p99 {p99:.1} ms ({p99_low:.1} to {p99_high:.1}) \
             (target: p99 under 10 ms); off: {offs_dropped} dropped in {ROUNDS} rounds",
            served.first_ms(0.50),
            served.first_ms(0.99),
            off.stats.first_ms(0.50),
            off.stats.first_ms(0.99),
        ),
    ])
}

/// One run of the streams through the app.
struct AppRun {
    stats: StreamStats,
    /// Streams that ended well with fewer deltas than the reply's words.
    short: usize,
    rss_before: f64,
    rss_after: f64,
    peak: f64,
}

/// Starts the app on `port` with the fakes' settings and `extra_env`, signs
/// in `email` (a fresh address each run: the database persists per port)
/// and runs the streams through it.
fn through_app(
    staged: &Staged,
    port: u16,
    fakes_env: &[(&str, &str)],
    email: &str,
    extra_env: &[(&str, &str)],
) -> anyhow::Result<AppRun> {
    // Starts are spread over 2 s (one every 10 ms) so that this measures
    // streaming, not a thundering herd of 200 simultaneous SQLite inserts.
    let settings: Vec<String> = extra_env.iter().map(|(k, v)| format!("{k}={v}")).collect();
    step(&format!(
        "load: {STREAMS} concurrent chat streams through the app ({}), fake-gpt at {} tokens/s for {} s \
         ({REPLY_WORDS} words each), starts {} ms apart (streaming, not an insert stampede)",
        if settings.is_empty() {
            "default settings: credits on".to_owned()
        } else {
            settings.join(" ")
        },
        1000 / PACE_MS,
        REPLY_WORDS as u64 * PACE_MS / 1000,
        STREAM_GAP.as_millis()
    ));
    let mut env: Vec<(&str, &str)> = fakes_env.to_vec();
    env.extend_from_slice(extra_env);
    // One registration, one confirmation, one sign-in: within the default limits.
    env.push(("ADMIN_EMAILS", email));
    // One user opens all the streams: lift the per-user limits on replies
    // at once and per minute (the server-wide ones stay).
    let streams = (STREAMS + 1).to_string();
    let per_minute = format!("{}/1m", 2 * STREAMS);
    env.push(("CHAT_MAX_CONCURRENT_REPLIES", &streams));
    env.push(("RATE_LIMIT_CHAT_REPLIES", &per_minute));
    let server = Running::start_on(staged, port, &env)?;
    let cookie = member_session(&server, email)?;
    let headers = [
        ("Content-Type", "application/json"),
        ("Accept", "text/event-stream"),
        ("Sec-Fetch-Site", "same-origin"),
        ("Cookie", cookie.as_str()),
    ];
    let ask = |text: String| serde_json::json!({"text": text, "model": "fake-gpt"}).to_string();

    // One short reply first: the setup works (access, model, provider) or the bench stops here.
    let probe = read_stream(
        server.port,
        "/api/chat/reply",
        &headers,
        ask("[words 3] probe".to_owned()).as_bytes(),
        &app_event,
    );
    if probe.dropped.is_some() || probe.tokens != 3 {
        anyhow::bail!(
            "a probe reply through the app did not stream 3 words and `done` ({} words, {}); server log (tail):\n{}",
            probe.tokens,
            probe.dropped.as_deref().unwrap_or("ended with done"),
            server
                .log()
                .lines()
                .rev()
                .take(20)
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect::<Vec<_>>()
                .join("\n")
        );
    }
    let rss_before = rss_mb(&server)?;

    // The server's RSS, sampled every 50 ms while the streams run.
    let pid = server.pid();
    let running = std::sync::atomic::AtomicBool::new(true);
    let (runs, peak_kib) = std::thread::scope(|scope| {
        let sampler = scope.spawn(|| {
            let mut peak = 0u64;
            while running.load(std::sync::atomic::Ordering::Relaxed) {
                if let Ok(kib) = server::rss_kib_of(pid) {
                    peak = peak.max(kib);
                }
                std::thread::sleep(std::time::Duration::from_millis(50));
            }
            peak
        });
        let runs = ramped_streams(&|i| {
            read_stream(
                server.port,
                "/api/chat/reply",
                &headers,
                ask(format!("[words {REPLY_WORDS}] bench stream {i}")).as_bytes(),
                &app_event,
            )
        });
        running.store(false, std::sync::atomic::Ordering::Relaxed);
        (runs, sampler.join().unwrap_or(0))
    });
    let rss_after = rss_mb(&server)?;
    let peak = mb(peak_kib);
    let served = StreamStats::of(&runs);
    let short = runs
        .iter()
        .filter(|r| r.dropped.is_none() && r.tokens != REPLY_WORDS)
        .count();
    println!(
        "  first token {}; {} tokens; {}; peak RSS {peak:.1} MB",
        served.first_spread(),
        served.tokens,
        served.dropped_text()
    );
    server.stop()?;
    Ok(AppRun {
        stats: served,
        short,
        rss_before,
        rss_after,
        peak,
    })
}
