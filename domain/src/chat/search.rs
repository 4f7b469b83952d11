//! Full-text search over the text of a user's messages (the index is the
//! `m20261205_000002_chat_search` migration's): SQLite FTS5, PostgreSQL
//! `tsvector` with a GIN index. Every query names the conversations it
//! searches, which the caller read by owner, so one user's words never
//! find another's messages.
//!
//! The database finds the newest matching message of each conversation
//! (the index does the work); the snippet around the match is cut here,
//! from those few messages only, the same way on both databases (asking
//! SQLite's `snippet()` for 200 rows re-ran the match for each: 1.1 s on
//! 100,000 messages).

use entity::chat_messages;
use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseBackend, DbErr, EntityTrait, QueryFilter, QuerySelect, Statement};
use std::collections::HashMap;
use uuid::Uuid;
use wire::chat::{MATCH_END, MATCH_START};

/// Conversations a search returns at most.
pub const MATCHES: usize = 200;

/// Conversations asked about in one query (bound parameters).
const CHUNK: usize = 500;

/// Words a snippet shows before its first match...
const BEFORE: usize = 4;
/// ...and in all.
const SNIPPET_WORDS: usize = 16;

/// Of `conversations` (one user's, newest first: the caller read them by
/// owner), those with a message matching every word of `terms` (the last
/// also as a prefix, for search as you type), each with a snippet of its
/// newest matching message; at most [`MATCHES`], the newest conversations
/// first.
///
/// The conversations are named in the query rather than joined by owner:
/// a join leaves the order to the planner, and PostgreSQL without fresh
/// statistics chose to run the match once per conversation (15 s on
/// 100,000 messages); SQLite likewise. Named, the index is always read
/// first.
pub async fn matching_messages<C: ConnectionTrait>(
    db: &C,
    conversations: &[Uuid],
    terms: &[String],
) -> Result<HashMap<Uuid, String>, DbErr> {
    let mut found = HashMap::new();
    if terms.is_empty() {
        return Ok(found);
    }
    for chunk in conversations.chunks(CHUNK) {
        let hits = match db.get_database_backend() {
            DatabaseBackend::Postgres => postgres(db, chunk, terms).await?,
            _ => sqlite(db, chunk, terms).await?,
        };
        let rows: Vec<(Uuid, String)> = chat_messages::Entity::find()
            .select_only()
            .column(chat_messages::Column::ConversationId)
            .column(chat_messages::Column::Content)
            .filter(chat_messages::Column::Id.is_in(hits))
            .into_tuple()
            .all(db)
            .await?;
        let order: HashMap<Uuid, usize> = chunk.iter().enumerate().map(|(i, c)| (*c, i)).collect();
        let mut rows = rows;
        rows.sort_by_key(|(c, _)| order.get(c).copied().unwrap_or(usize::MAX));
        for (conversation, content) in rows {
            if found.len() == MATCHES {
                return Ok(found);
            }
            // The index names a message; its text must say the words too.
            // (SQLite's index points at row numbers, which a VACUUM or a
            // dump and restore renumbers: a stale index must never show one
            // user a conversation for words another user wrote.)
            if let Some(snippet) = snippet(&content, terms) {
                found.insert(conversation, snippet);
            }
        }
    }
    Ok(found)
}

/// `?, ?, …` or `($2::uuid), ($3::uuid), …`: a placeholder per conversation.
fn placeholders(n: usize, postgres_from: Option<usize>) -> String {
    (0..n)
        .map(|i| postgres_from.map_or_else(|| "?".to_owned(), |from| format!("(${}::uuid)", from + i)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Whether the last word is also a prefix (search as you type): from two
/// characters on (a one-letter prefix would read most of the index).
fn last_is_prefix(terms: &[String]) -> bool {
    terms.last().is_some_and(|t| t.chars().count() >= 2)
}

/// Whether `word` (lower-cased) is one of `terms`, or starts with the last.
fn matches(word: &str, terms: &[String]) -> bool {
    terms.iter().any(|t| word == t)
        || (last_is_prefix(terms) && terms.last().is_some_and(|last| word.starts_with(last.as_str())))
}

/// The words around the first match in `text`, each matching word between
/// [`MATCH_START`] and [`MATCH_END`], `…` where the text goes on; `None`
/// when no word of `text` matches.
pub fn snippet(text: &str, terms: &[String]) -> Option<String> {
    // Words as byte ranges: runs of letters and digits.
    let mut words: Vec<(usize, usize)> = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices() {
        match (c.is_alphanumeric(), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                words.push((s, i));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        words.push((s, text.len()));
    }
    let is_match = |&(s, e): &(usize, usize)| matches(&text[s..e].to_lowercase(), terms);
    let first = words.iter().position(is_match)?;
    let from = first.saturating_sub(BEFORE);
    let to = (from + SNIPPET_WORDS).min(words.len());
    let begin = words[from].0;
    let mut out = String::new();
    if from > 0 {
        out.push('…');
    }
    let mut at = begin;
    for word in &words[from..to] {
        // The text between words, one line.
        out.extend(
            text[at..word.0]
                .chars()
                .map(|c| if c.is_whitespace() { ' ' } else { c }),
        );
        if is_match(word) {
            out.push(MATCH_START);
            out.push_str(&text[word.0..word.1]);
            out.push(MATCH_END);
        } else {
            out.push_str(&text[word.0..word.1]);
        }
        at = word.1;
    }
    if to < words.len() {
        out.push('…');
    }
    Some(out.split_whitespace().collect::<Vec<_>>().join(" "))
}

/// `"w1" "w2"*`: each word a string (no FTS5 syntax), all required.
fn fts5_query(terms: &[String]) -> String {
    let mut query = terms.iter().map(|t| format!("\"{t}\"")).collect::<Vec<_>>().join(" ");
    if last_is_prefix(terms) {
        query.push('*');
    }
    query
}

/// `'w1' & 'w2':*`: each word quoted (no tsquery syntax), all required.
fn tsquery(terms: &[String]) -> String {
    let mut query = terms.iter().map(|t| format!("'{t}'")).collect::<Vec<_>>().join(" & ");
    if last_is_prefix(terms) {
        query.push_str(":*");
    }
    query
}

/// The newest matching message of each of `conversations`. `CROSS JOIN`
/// fixes SQLite's join order: the full-text match first.
async fn sqlite<C: ConnectionTrait>(db: &C, conversations: &[Uuid], terms: &[String]) -> Result<Vec<Uuid>, DbErr> {
    let mut values: Vec<sea_orm::Value> = vec![fts5_query(terms).into()];
    values.extend(conversations.iter().map(|c| (*c).into()));
    let rows = db
        .query_all_raw(Statement::from_sql_and_values(
            DatabaseBackend::Sqlite,
            format!(
                "SELECT (SELECT id FROM chat_messages WHERE rowid = hits.hit) AS id FROM ( \
                     SELECT MAX(m.rowid) AS hit \
                     FROM chat_messages_fts \
                     CROSS JOIN chat_messages m ON m.rowid = chat_messages_fts.rowid \
                     WHERE chat_messages_fts MATCH ? AND m.conversation_id IN ({}) \
                     GROUP BY m.conversation_id \
                 ) AS hits",
                placeholders(conversations.len(), None)
            ),
            values,
        ))
        .await?;
    rows.iter().map(|row| row.try_get("", "id")).collect()
}

/// The newest matching message of each of `conversations` (a `VALUES`
/// list: as `IN ($2, …)` the prepared plan compared every match with every
/// id, 0.7 s a common word).
async fn postgres<C: ConnectionTrait>(db: &C, conversations: &[Uuid], terms: &[String]) -> Result<Vec<Uuid>, DbErr> {
    let mut values: Vec<sea_orm::Value> = vec![tsquery(terms).into()];
    values.extend(conversations.iter().map(|c| (*c).into()));
    let rows = db
        .query_all_raw(Statement::from_sql_and_values(
            DatabaseBackend::Postgres,
            format!(
                "SELECT DISTINCT ON (m.conversation_id) m.id FROM chat_messages m \
                 JOIN (VALUES {}) AS v (id) ON v.id = m.conversation_id \
                 WHERE m.search @@ to_tsquery('simple', $1) \
                 ORDER BY m.conversation_id, m.created_at DESC",
                placeholders(conversations.len(), Some(2))
            ),
            values,
        ))
        .await?;
    rows.iter().map(|row| row.try_get("", "id")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_quote_every_word_and_complete_the_last() {
        let terms = vec!["mast".to_owned(), "hul".to_owned()];
        assert_eq!(fts5_query(&terms), r#""mast" "hul"*"#);
        assert_eq!(tsquery(&terms), "'mast' & 'hul':*");
        let one_letter = vec!["mast".to_owned(), "h".to_owned()];
        assert_eq!(fts5_query(&one_letter), r#""mast" "h""#, "no one-letter prefix");
        assert_eq!(tsquery(&one_letter), "'mast' & 'h'");
    }

    #[test]
    fn a_snippet_marks_the_matches_around_the_first_one() {
        let terms = vec!["dinghy".to_owned(), "centre".to_owned()];
        let text = "Sailing\nbasics: one two three four five six. Why would a Dinghy need a Centreboard? It keeps the boat from sliding sideways when the wind is on the beam, and more words after.";
        let s = snippet(text, &terms).unwrap();
        assert!(s.starts_with('…'), "{s}");
        assert!(s.ends_with('…'), "{s}");
        assert!(s.contains(&format!("{MATCH_START}Dinghy{MATCH_END}")), "{s}");
        assert!(
            s.contains(&format!("{MATCH_START}Centreboard{MATCH_END}")),
            "the last word is a prefix: {s}"
        );
        assert!(!s.contains('\n'));
        assert_eq!(
            snippet("Киль и КИЛЬ", &["киль".to_owned()])
                .unwrap()
                .matches(MATCH_START)
                .count(),
            2
        );
        assert_eq!(snippet("", &terms), None);
        assert_eq!(snippet("nothing to see here", &terms), None, "no match: no hit");
    }
}
