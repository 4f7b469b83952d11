//! A small code highlighter for the chat's code blocks.
//!
//! [`highlight`] is deliberately small (a keyword list and a few comment/quote rules per
//! language, no grammars) to keep the WASM bundle light; it colours code, it does not parse it.

/// The kind of a highlighted span of code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tok {
    /// Anything else: identifiers, punctuation, whitespace.
    Plain,
    /// A keyword of the language (whole identifiers only).
    Keyword,
    /// A string or character literal, quotes included.
    String,
    /// A number literal, suffix included (`0xff`, `1_000u32`, `1.5e-3`).
    Number,
    /// A line or block comment.
    Comment,
}

/// Splits `code` into highlighted spans; their concatenation is exactly `code`, adjacent spans
/// differ in kind and none is empty. `lang` is a fence tag (`rust`, `py`, `ts`, `sh`, …); an
/// unknown or absent language gives one [`Tok::Plain`] span of the whole code.
pub fn highlight(lang: Option<&str>, code: &str) -> Vec<(Tok, String)> {
    let mut out: Vec<(Tok, String)> = Vec::new();
    let mut push = |tok, s: &str| match out.last_mut() {
        _ if s.is_empty() => {}
        Some((last, text)) if *last == tok => text.push_str(s),
        _ => out.push((tok, s.to_owned())),
    };
    let lang = lang.map(|l| l.trim().to_ascii_lowercase()).unwrap_or_default();
    let Some((keywords, line_comments, block_comments, quotes)) = spec(&lang) else {
        push(Tok::Plain, code);
        return out;
    };
    let mut i = 0;
    while let Some(c) = code[i..].chars().next() {
        let rest = &code[i..];
        // `#` after a word is no comment (`$#` in sh, `foo#bar`).
        let after_word = code[..i].ends_with(|p: char| is_word(p) || p == '$');
        let comment = |p: &&str| rest.starts_with(*p) && !(*p == "#" && after_word);
        let (tok, len) = if line_comments.iter().any(comment) {
            (Tok::Comment, rest.find('\n').unwrap_or(rest.len()))
        } else if block_comments && rest.starts_with("/*") {
            (Tok::Comment, rest[2..].find("*/").map_or(rest.len(), |end| end + 4))
        } else if quotes.contains(c) {
            (Tok::String, string_len(rest, c))
        } else if c == '\'' {
            // Not a quote here (Rust): a char literal if one follows, else a lifetime or label.
            char_literal_len(rest).map_or((Tok::Plain, 1 + ident_len(&rest[1..])), |n| (Tok::String, n))
        } else if c.is_ascii_digit() {
            (Tok::Number, number_len(rest))
        } else if is_word(c) {
            let word = &rest[..ident_len(rest)];
            let sql = lang == "sql";
            let kw = keywords
                .split_ascii_whitespace()
                .any(|k| k == word || (sql && k.eq_ignore_ascii_case(word)));
            (if kw { Tok::Keyword } else { Tok::Plain }, word.len())
        } else {
            (Tok::Plain, c.len_utf8())
        };
        push(tok, &rest[..len]);
        i += len;
    }
    out
}

/// A language's keywords, line comment prefixes, whether it has `/* */` comments, and its
/// string quotes; `None` for languages we don't highlight.
fn spec(lang: &str) -> Option<(&'static str, &'static [&'static str], bool, &'static str)> {
    const SLASH: &[&str] = &["//"];
    const HASH: &[&str] = &["#"];
    Some(match lang {
        "rust" | "rs" => (RUST, SLASH, true, "\""),
        "js" | "javascript" | "jsx" | "mjs" | "ts" | "typescript" | "tsx" => (JS, SLASH, true, "\"'`"),
        "go" | "golang" => (GO, SLASH, true, "\"'`"),
        "java" => (JAVA, SLASH, true, "\"'"),
        "c" | "h" | "cpp" | "c++" | "cc" | "hpp" | "cxx" => (C, SLASH, true, "\"'"),
        "cs" | "csharp" | "c#" => (CS, SLASH, true, "\"'"),
        "kotlin" | "kt" => (KOTLIN, SLASH, true, "\"'"),
        "swift" => (SWIFT, SLASH, true, "\"'"),
        "php" => (PHP, &["//", "#"], true, "\"'"),
        "css" | "scss" => ("auto important inherit initial none", &[], true, "\"'"),
        "sql" => (SQL, &["--"], true, "\"'"),
        "python" | "py" => (PYTHON, HASH, false, "\"'"),
        "sh" | "bash" | "shell" | "zsh" | "console" => (SH, HASH, false, "\"'`"),
        "ruby" | "rb" => (RUBY, HASH, false, "\"'"),
        "toml" => ("true false", HASH, false, "\"'"),
        "yaml" | "yml" => ("true false null", HASH, false, "\""),
        "json" => ("true false null", &[], false, "\""),
        _ => return None,
    })
}

const RUST: &str = "as async await break const continue crate dyn else enum extern false fn for if impl in let loop \
    match mod move mut pub ref return self Self static struct super trait true type unsafe use where while";
const JS: &str = "as async await break case catch class const continue default delete do else enum export extends \
    false finally for from function if implements import in instanceof interface let new null of return static super \
    switch this throw true try type typeof undefined var void while yield";
const GO: &str = "break case chan const continue default defer else fallthrough false for func go goto if import \
    interface map nil package range return select struct switch true type var";
const JAVA: &str = "abstract boolean break byte case catch char class continue default do double else enum extends \
    false final finally float for if implements import instanceof int interface long new null package private \
    protected public return short static super switch this throw throws true try var void while";
const C: &str = "auto bool break case char class const constexpr continue default define delete do double else enum \
    extern false float for goto if include inline int long namespace new nullptr private protected public return \
    short signed sizeof static struct switch template this throw true try typedef union unsigned using virtual void \
    volatile while";
const CS: &str = "abstract as async await base bool break case catch class const continue default do double else \
    enum false finally float for foreach if in int interface internal is namespace new null object out override \
    private protected public readonly ref return static string struct switch this throw true try using var virtual \
    void while";
const KOTLIN: &str = "as break class companion continue data do else false for fun if import in interface is null \
    object override package private public return sealed super suspend this throw true try val var when while";
const SWIFT: &str = "as async await break case catch class continue default else enum extension false for func guard \
    if import in init is let nil private protocol public return self static struct switch throw throws true try var \
    while";
const PHP: &str = "array as break case catch class const continue default echo else elseif extends false fn for \
    foreach function if implements namespace new null private protected public return static switch throw true try \
    use while";
const SQL: &str = "all alter and as asc begin by case commit create delete desc distinct drop else end exists \
    foreign from group having in index inner insert into is join key left like limit not null offset on or order \
    outer primary references right select set table then union update values when where with";
const PYTHON: &str = "and as assert async await break class continue def del elif else except False finally for from \
    global if import in is lambda None nonlocal not or pass raise return True try while with yield";
const SH: &str = "case do done elif else esac exit export fi for function if in local return then until while";
const RUBY: &str = "begin class def do else elsif end ensure false for if in module next nil not or require rescue \
    return self then true unless until when while yield";

fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

fn ident_len(s: &str) -> usize {
    s.find(|c| !is_word(c)).unwrap_or(s.len())
}

/// Length of the string opened by `rest`'s first char `quote`: to the closing quote, past
/// backslash escapes, or to the end if unterminated.
fn string_len(rest: &str, quote: char) -> usize {
    let mut chars = rest.char_indices().skip(1);
    while let Some((i, c)) = chars.next() {
        if c == '\\' {
            chars.next();
        } else if c == quote {
            return i + c.len_utf8();
        }
    }
    rest.len()
}

/// Length of the char literal at the start of `rest` (`'x'`, `'\n'`, `'\u{1F600}'`), if any: for
/// languages where `'` is no quote (Rust), so that a lifetime `'a` stays plain.
fn char_literal_len(rest: &str) -> Option<usize> {
    let mut chars = rest.char_indices().skip(1);
    let (_, first) = chars.next()?;
    let close = match first {
        '\\' => chars
            .nth(1)
            .into_iter()
            .chain(chars.take(9))
            .find(|&(_, c)| c == '\'' || c == '\n')?,
        '\'' | '\n' => return None,
        _ => chars.next()?,
    };
    (close.1 == '\'').then_some(close.0 + 1)
}

/// Length of the number at the start of `rest` (which starts with a digit).
fn number_len(rest: &str) -> usize {
    let b = rest.as_bytes();
    let hex = matches!(b, [b'0', b'x' | b'X', ..]);
    let mut n = 0;
    while let Some(&c) = b.get(n) {
        let ok = c.is_ascii_alphanumeric()
            || c == b'_'
            || (c == b'.' && b.get(n + 1).is_some_and(u8::is_ascii_digit))
            || (matches!(c, b'+' | b'-') && !hex && n > 0 && matches!(b[n - 1], b'e' | b'E'));
        if !ok {
            break;
        }
        n += 1;
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;

    fn concat(tokens: &[(Tok, String)]) -> String {
        tokens.iter().map(|(_, s)| s.as_str()).collect()
    }

    /// Round-trips, has no empty span and no two neighbours of the same kind.
    fn check(lang: Option<&str>, code: &str) -> Vec<(Tok, String)> {
        let tokens = highlight(lang, code);
        assert_eq!(concat(&tokens), code, "{lang:?}");
        assert!(tokens.iter().all(|(_, s)| !s.is_empty()), "{tokens:?}");
        assert!(tokens.windows(2).all(|w| w[0].0 != w[1].0), "{tokens:?}");
        tokens
    }

    fn spans(lang: &str, code: &str, kind: Tok) -> Vec<String> {
        check(Some(lang), code)
            .into_iter()
            .filter(|(t, _)| *t == kind)
            .map(|(_, s)| s)
            .collect()
    }

    const RUST_SAMPLE: &str = "/// Doc\nfn longest<'a>(x: &'a str, y: &'static str) -> &'a str {\n    \
        let s = \"say \\\"hi\\\" é\"; // done\n    let c = ['x', '\\n', '\\'', '\\u{1F600}'];\n    \
        /* block */ let n = 0xFF + 1_000 + 1.5e-3 + 2u8;\n    'outer: loop { break 'outer; }\n    \
        if x.len() > 1 { x } else { y }\n}\n";
    const PY_SAMPLE: &str = "def format(items):  # comment 'quoted'\n    \"\"\"Doc.\"\"\"\n    \
        return [f'{i!r}\\'s' for i in items if i is not None]\n";
    const JS_SAMPLE: &str = "const forEach = (a) => { /* c */ return `t ${a}` + 'x\\'y' + \"z\" + 0x1f; }; // end\n";

    #[test]
    fn highlight_round_trips() {
        for (lang, code) in [
            (Some("rust"), RUST_SAMPLE),
            (Some("python"), PY_SAMPLE),
            (Some("ts"), JS_SAMPLE),
            (Some("go"), "x := `raw\n` + \"s\" // c"),
            (Some("sh"), "echo $# \"$HOME\" # c\nls"),
            (Some("sql"), "SELECT 'it''s' -- c\n/* b */"),
            (Some("json"), "{\"a\": [1, true, null]}"),
            (Some("html"), "<p>x</p>"),
            (None, "anything 'at' all"),
            (Some("rust"), ""),
        ] {
            check(lang, code);
        }
    }

    #[test]
    fn every_prefix_highlights() {
        for (lang, code) in [
            ("rust", RUST_SAMPLE),
            ("py", PY_SAMPLE),
            ("js", JS_SAMPLE),
            ("c", "/* a\n\"b\\"),
        ] {
            for (i, _) in code.char_indices() {
                check(Some(lang), &code[..i]);
            }
        }
    }

    #[test]
    fn unknown_or_absent_language_is_one_plain_span() {
        let code = "fn main() { \"x\" } // c";
        assert_eq!(highlight(None, code), vec![(Tok::Plain, code.to_owned())]);
        assert_eq!(highlight(Some("brainfuck"), code), vec![(Tok::Plain, code.to_owned())]);
        assert!(highlight(None, "").is_empty());
    }

    #[test]
    fn keywords_are_whole_identifiers() {
        assert_eq!(
            spans("rust", "for format fortune for_x in inx", Tok::Keyword),
            ["for", "in"]
        );
        assert_eq!(spans("py", "def format(): pass", Tok::Keyword), ["def", "pass"]);
        // Keywords on either side of a line continuation in the lists.
        assert_eq!(spans("rust", "loop match", Tok::Keyword), ["loop", "match"]);
        assert_eq!(spans("SQL", "Select x from t", Tok::Keyword), ["Select", "from"]);
        assert_eq!(spans("python", "true True", Tok::Keyword), ["True"]);
    }

    #[test]
    fn strings_and_escapes() {
        assert_eq!(
            spans("js", r#"a = "say \"hi\"" + 'it\'s'; b"#, Tok::String),
            [r#""say \"hi\"""#, r"'it\'s'"]
        );
        assert_eq!(spans("rust", "\"a\\\\\" x", Tok::String), ["\"a\\\\\""]);
        // Unterminated strings and comments run to the end (a streamed reply stops anywhere).
        assert_eq!(
            check(Some("py"), "x = 'abc\ndef"),
            vec![(Tok::Plain, "x = ".into()), (Tok::String, "'abc\ndef".into())]
        );
        assert_eq!(spans("c", "a /* open", Tok::Comment), ["/* open"]);
    }

    #[test]
    fn rust_lifetimes_are_not_strings() {
        assert_eq!(
            spans("rust", "fn f<'a>(x: &'a str) -> &'static str { x }", Tok::String),
            Vec::<String>::new()
        );
        assert_eq!(
            spans("rust", "let c = 'a'; let d = '\\''; &'a x", Tok::String),
            ["'a'", "'\\''"]
        );
        assert_eq!(spans("rs", "'static", Tok::Keyword), Vec::<String>::new());
    }

    #[test]
    fn comments_by_language() {
        assert_eq!(spans("py", "x = 1 # c 'q'\ny", Tok::Comment), ["# c 'q'"]);
        assert_eq!(spans("bash", "echo $# a#b # real", Tok::Comment), ["# real"]);
        assert_eq!(spans("sql", "select 1 -- c\n", Tok::Comment), ["-- c"]);
        assert_eq!(
            spans("rust", "a // c\n/* b\n */ d", Tok::Comment),
            ["// c", "/* b\n */"]
        );
        assert_eq!(spans("py", "a // b", Tok::Comment), Vec::<String>::new());
    }

    #[test]
    fn numbers() {
        assert_eq!(
            spans("rust", "0xFF 1_000 1.5e3 2.5E-3 7u8 x1 1..2", Tok::Number),
            ["0xFF", "1_000", "1.5e3", "2.5E-3", "7u8", "1", "2"]
        );
    }
}
