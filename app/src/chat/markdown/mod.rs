//! Markdown for the chat: model output in, a small safe tree out.
//!
//! Model output is untrusted text: a prompt (or a page the model read) can make it emit
//! `<script>`, `<img onerror=…>` or `javascript:` links. So [`parse`] does not produce HTML at
//! all; it produces an AST ([`Block`], [`Inline`]) that the chat view renders as text nodes and
//! elements, and nothing ever reaches `inner_html`. The tree cannot carry markup: raw HTML in
//! the input, block or inline, becomes a plain [`Inline::Text`] showing its source literally,
//! and a link survives only if [`safe_href`] accepts its target (`http:`, `https:`, `mailto:`).
//!
//! Replies stream in token by token and [`parse`] runs again on the partial text each time, so
//! it must cope with any prefix: pulldown-cmark closes whatever is open at the end of the input,
//! an unclosed ```` ``` ```` fence included (it renders as a code block of what arrived so far),
//! and [`highlight()`] lets an unterminated string or comment run to the end of the code.

mod highlight;

pub use highlight::{Tok, highlight};

use pulldown_cmark::{CodeBlockKind, Event, LinkType, Options, Parser, Tag, TagEnd};

/// A block-level node.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Block {
    /// A paragraph; also a tight list item's text, and a raw HTML block shown literally (one
    /// [`Inline::Text`] per source line, separated by [`Inline::Break`]).
    Paragraph(Vec<Inline>),
    /// A heading of level 1 to 6.
    Heading(u8, Vec<Inline>),
    /// A code block: `lang` is the first word of a fence's info string (`None` when absent or
    /// indented), `code` its text without the final newline.
    Code { lang: Option<String>, code: String },
    /// A block quote.
    Quote(Vec<Block>),
    /// A list, numbered from `start` when ordered; each item is a sequence of blocks.
    List { start: Option<u64>, items: Vec<Vec<Block>> },
    /// A table: the header cells and the body rows of cells.
    Table {
        head: Vec<Vec<Inline>>,
        rows: Vec<Vec<Vec<Inline>>>,
    },
    /// A thematic break (`---`).
    Rule,
}

/// An inline node. Adjacent [`Inline::Text`]s are always merged.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Inline {
    /// Plain text, shown as is (raw HTML included).
    Text(String),
    /// Inline code.
    Code(String),
    /// Strong emphasis (`**…**`).
    Strong(Vec<Inline>),
    /// Emphasis (`*…*`).
    Emphasis(Vec<Inline>),
    /// Strikethrough (`~~…~~`).
    Strike(Vec<Inline>),
    /// A link whose `href` passed [`safe_href`]; images become links to their URL with their
    /// alt text (or the URL) as the only child.
    Link { href: String, children: Vec<Inline> },
    /// A hard line break.
    Break,
}

/// Deeper nesting than this (quotes, lists, emphasis…) is flattened into its parent, so a
/// hostile `>>>>>…` cannot make the renderer (or dropping the tree) recurse without bound.
const MAX_DEPTH: usize = 32;

/// Parses Markdown (CommonMark plus tables, strikethrough and task lists) into the safe AST.
/// Any prefix of a document parses; unclosed constructs end where the input does.
pub fn parse(markdown: &str) -> Vec<Block> {
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS;
    let mut b = Builder {
        root: Frame::new(Kind::Other),
        stack: Vec::new(),
    };
    for event in Parser::new_ext(markdown, options) {
        let deep = b.stack.len() >= MAX_DEPTH;
        let top = b.top();
        match event {
            Event::Start(Tag::TableHead | Tag::TableRow) => {
                if let Kind::Table(rows) = &mut top.kind {
                    rows.push(Vec::new());
                }
            }
            Event::Start(_) if deep => b.stack.push(Frame::new(Kind::Other)),
            Event::Start(tag) => b.stack.push(Frame::new(kind_of(tag))),
            Event::End(TagEnd::TableHead | TagEnd::TableRow) => {}
            Event::End(_) => b.close(),
            Event::Text(s) | Event::Html(s) | Event::InlineHtml(s) | Event::InlineMath(s) | Event::DisplayMath(s) => {
                top.push_text(&s);
            }
            Event::Code(s) => top.push_inline(Inline::Code(s.into_string())),
            Event::FootnoteReference(s) => top.push_text(&format!("[^{s}]")),
            Event::SoftBreak => top.push_text(" "),
            Event::HardBreak => top.push_inline(Inline::Break),
            Event::Rule => top.push_block(Block::Rule),
            Event::TaskListMarker(done) => top.push_text(if done { "[x] " } else { "[ ] " }),
        }
    }
    while !b.stack.is_empty() {
        b.close();
    }
    b.root.flush();
    b.root.blocks
}

/// `url` (trimmed) if its scheme is `http`, `https` or `mailto` (any case), else `None`:
/// `javascript:`, `data:`, `vbscript:`, relative and scheme-relative URLs are all refused.
pub fn safe_href(url: &str) -> Option<&str> {
    let url = url.trim_matches(|c: char| c.is_ascii_whitespace() || c.is_ascii_control());
    let (scheme, _) = url.split_once(':')?;
    let safe = ["http", "https", "mailto"]
        .iter()
        .any(|s| s.eq_ignore_ascii_case(scheme));
    safe.then_some(url)
}

/// What a node of the builder's stack is building.
enum Kind {
    /// The root, tags we don't enable and anything past [`MAX_DEPTH`]: content goes to the parent.
    Other,
    Quote,
    Item,
    List(Option<u64>, Vec<Vec<Block>>),
    /// The header row, then the body rows.
    Table(Vec<Vec<Vec<Inline>>>),
    Cell,
    Paragraph,
    Heading(u8),
    Code(Option<String>, String),
    Html(String),
    /// Emphasis, strong or strikethrough: the variant to wrap the children in.
    Span(fn(Vec<Inline>) -> Inline),
    /// A link or an image, with its target if safe.
    Link(Option<String>),
    Image(Option<String>),
}

fn kind_of(tag: Tag<'_>) -> Kind {
    match tag {
        Tag::Paragraph => Kind::Paragraph,
        Tag::Heading { level, .. } => Kind::Heading(level as u8),
        Tag::BlockQuote(_) => Kind::Quote,
        Tag::CodeBlock(CodeBlockKind::Fenced(info)) => {
            let lang = info.split(|c: char| c.is_whitespace() || c == ',').next().unwrap_or("");
            Kind::Code(Some(lang.to_owned()).filter(|l| !l.is_empty()), String::new())
        }
        Tag::CodeBlock(CodeBlockKind::Indented) => Kind::Code(None, String::new()),
        Tag::HtmlBlock => Kind::Html(String::new()),
        Tag::List(start) => Kind::List(start, Vec::new()),
        Tag::Item => Kind::Item,
        Tag::Table(_) => Kind::Table(Vec::new()),
        Tag::TableCell => Kind::Cell,
        Tag::Emphasis => Kind::Span(Inline::Emphasis),
        Tag::Strong => Kind::Span(Inline::Strong),
        Tag::Strikethrough => Kind::Span(Inline::Strike),
        Tag::Link {
            link_type, dest_url, ..
        } => {
            let mailto = if link_type == LinkType::Email { "mailto:" } else { "" };
            Kind::Link(safe_href(&format!("{mailto}{dest_url}")).map(str::to_owned))
        }
        Tag::Image { dest_url, .. } => Kind::Image(safe_href(&dest_url).map(str::to_owned)),
        _ => Kind::Other,
    }
}

/// A node being built: its kind, and the blocks and inlines it has so far.
struct Frame {
    kind: Kind,
    blocks: Vec<Block>,
    inlines: Vec<Inline>,
}

impl Frame {
    fn new(kind: Kind) -> Self {
        Frame {
            kind,
            blocks: Vec::new(),
            inlines: Vec::new(),
        }
    }

    /// Wraps pending inlines (a tight list item's text) in a paragraph.
    fn flush(&mut self) {
        if !self.inlines.is_empty() {
            let inlines = std::mem::take(&mut self.inlines);
            self.blocks.push(Block::Paragraph(inlines));
        }
    }

    fn push_block(&mut self, block: Block) {
        self.flush();
        self.blocks.push(block);
    }

    fn push_inline(&mut self, inline: Inline) {
        match (self.inlines.last_mut(), inline) {
            (_, Inline::Text(t)) if t.is_empty() => {}
            (Some(Inline::Text(last)), Inline::Text(t)) => last.push_str(&t),
            (_, inline) => self.inlines.push(inline),
        }
    }

    fn push_text(&mut self, text: &str) {
        match &mut self.kind {
            Kind::Code(_, s) | Kind::Html(s) => s.push_str(text),
            _ => self.push_inline(Inline::Text(text.to_owned())),
        }
    }
}

/// The open nodes, innermost last, above the root.
struct Builder {
    root: Frame,
    stack: Vec<Frame>,
}

impl Builder {
    fn top(&mut self) -> &mut Frame {
        self.stack.last_mut().unwrap_or(&mut self.root)
    }

    /// Pops the innermost node and adds what it built to its parent.
    fn close(&mut self) {
        let Some(mut frame) = self.stack.pop() else { return };
        if matches!(frame.kind, Kind::Quote | Kind::Item | Kind::List(..)) {
            frame.flush();
        }
        let Frame { kind, blocks, inlines } = frame;
        let parent = self.top();
        match kind {
            Kind::Paragraph => parent.push_block(Block::Paragraph(inlines)),
            Kind::Heading(level) => parent.push_block(Block::Heading(level, inlines)),
            Kind::Code(lang, mut code) => {
                if code.ends_with('\n') {
                    code.pop();
                }
                parent.push_block(Block::Code { lang, code });
            }
            Kind::Html(source) => {
                let mut lines = Frame::new(Kind::Other);
                for (i, line) in source.trim_end_matches('\n').split('\n').enumerate() {
                    if i > 0 {
                        lines.push_inline(Inline::Break);
                    }
                    lines.push_text(line);
                }
                parent.push_block(Block::Paragraph(lines.inlines));
            }
            Kind::Quote => parent.push_block(Block::Quote(blocks)),
            Kind::Item => match &mut parent.kind {
                Kind::List(_, items) => items.push(blocks),
                _ => blocks.into_iter().for_each(|b| parent.push_block(b)),
            },
            Kind::List(start, mut items) => {
                items.extend(Some(blocks).filter(|b| !b.is_empty()));
                parent.push_block(Block::List { start, items });
            }
            Kind::Table(mut rows) => {
                let head = if rows.is_empty() { Vec::new() } else { rows.remove(0) };
                parent.push_block(Block::Table { head, rows });
            }
            Kind::Cell => match &mut parent.kind {
                Kind::Table(rows) => match rows.last_mut() {
                    Some(row) => row.push(inlines),
                    None => rows.push(vec![inlines]),
                },
                _ => inlines.into_iter().for_each(|i| parent.push_inline(i)),
            },
            Kind::Span(wrap) => parent.push_inline(wrap(inlines)),
            Kind::Link(Some(href)) => parent.push_inline(Inline::Link {
                href,
                children: inlines,
            }),
            Kind::Image(Some(href)) => {
                let alt = Some(plain_text(&inlines)).filter(|alt| !alt.is_empty());
                let children = vec![Inline::Text(alt.unwrap_or_else(|| href.clone()))];
                parent.push_inline(Inline::Link { href, children });
            }
            Kind::Image(None) => parent.push_text(&plain_text(&inlines)),
            Kind::Link(None) | Kind::Other => {
                blocks.into_iter().for_each(|b| parent.push_block(b));
                inlines.into_iter().for_each(|i| parent.push_inline(i));
            }
        }
    }
}

/// The text of inlines without their formatting (an image's alt text).
fn plain_text(inlines: &[Inline]) -> String {
    let mut out = String::new();
    for inline in inlines {
        match inline {
            Inline::Text(t) | Inline::Code(t) => out.push_str(t),
            Inline::Strong(c) | Inline::Emphasis(c) | Inline::Strike(c) => out.push_str(&plain_text(c)),
            Inline::Link { children, .. } => out.push_str(&plain_text(children)),
            Inline::Break => out.push(' '),
        }
    }
    out
}
#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: &str) -> Inline {
        Inline::Text(s.to_owned())
    }

    fn para(inlines: Vec<Inline>) -> Block {
        Block::Paragraph(inlines)
    }

    /// Every inline in the tree, depth first.
    fn inlines(blocks: &[Block]) -> Vec<Inline> {
        fn walk_inlines(list: &[Inline], out: &mut Vec<Inline>) {
            for inline in list {
                out.push(inline.clone());
                if let Inline::Strong(c) | Inline::Emphasis(c) | Inline::Strike(c) | Inline::Link { children: c, .. } =
                    inline
                {
                    walk_inlines(c, out);
                }
            }
        }
        let mut out = Vec::new();
        for block in blocks {
            match block {
                Block::Paragraph(i) | Block::Heading(_, i) => walk_inlines(i, &mut out),
                Block::Quote(b) => out.extend(inlines(b)),
                Block::List { items, .. } => items.iter().for_each(|b| out.extend(inlines(b))),
                Block::Table { head, rows } => {
                    head.iter()
                        .chain(rows.iter().flatten())
                        .for_each(|c| walk_inlines(c, &mut out));
                }
                Block::Code { .. } | Block::Rule => {}
            }
        }
        out
    }

    #[test]
    fn headings() {
        assert_eq!(
            parse("# One\n\n###### Six *em*\n\nSetext\n===\n"),
            vec![
                Block::Heading(1, vec![text("One")]),
                Block::Heading(6, vec![text("Six "), Inline::Emphasis(vec![text("em")])]),
                Block::Heading(1, vec![text("Setext")]),
            ]
        );
    }

    #[test]
    fn inline_formatting_and_breaks() {
        assert_eq!(
            parse("a *b* **c** ~~d~~ `<e>`\nsoft  \nhard"),
            vec![para(vec![
                text("a "),
                Inline::Emphasis(vec![text("b")]),
                text(" "),
                Inline::Strong(vec![text("c")]),
                text(" "),
                Inline::Strike(vec![text("d")]),
                text(" "),
                Inline::Code("<e>".into()),
                text(" soft"),
                Inline::Break,
                text("hard"),
            ])]
        );
    }

    #[test]
    fn lists_tight_loose_nested_and_ordered() {
        let tight = parse("- a\n- b\n  - c\n");
        let c = Block::List {
            start: None,
            items: vec![vec![para(vec![text("c")])]],
        };
        let items = vec![vec![para(vec![text("a")])], vec![para(vec![text("b")]), c]];
        assert_eq!(tight, vec![Block::List { start: None, items }]);

        let loose = parse("3. x\n\n4. y\n");
        let items = vec![vec![para(vec![text("x")])], vec![para(vec![text("y")])]];
        assert_eq!(loose, vec![Block::List { start: Some(3), items }]);
    }

    #[test]
    fn task_list_markers_are_text() {
        let items = vec![vec![para(vec![text("[x] done")])], vec![para(vec![text("[ ] todo")])]];
        assert_eq!(
            parse("- [x] done\n- [ ] todo"),
            vec![Block::List { start: None, items }]
        );
    }

    #[test]
    fn code_blocks() {
        assert_eq!(
            parse("```rust,ignore\nfn main() {}\n```\n\n    indented\n\n```\n<b>x</b>\n```"),
            vec![
                Block::Code {
                    lang: Some("rust".into()),
                    code: "fn main() {}".into()
                },
                Block::Code {
                    lang: None,
                    code: "indented".into()
                },
                Block::Code {
                    lang: None,
                    code: "<b>x</b>".into()
                },
            ]
        );
    }

    #[test]
    fn unclosed_fence_while_streaming() {
        assert_eq!(
            parse("Here:\n```py\nprint(1)\nfor"),
            vec![
                para(vec![text("Here:")]),
                Block::Code {
                    lang: Some("py".into()),
                    code: "print(1)\nfor".into()
                },
            ]
        );
        assert_eq!(
            parse("```"),
            vec![Block::Code {
                lang: None,
                code: String::new()
            }]
        );
        assert_eq!(
            parse("x\n\n```js\n"),
            vec![
                para(vec![text("x")]),
                Block::Code {
                    lang: Some("js".into()),
                    code: String::new()
                }
            ]
        );
    }

    #[test]
    fn every_prefix_parses() {
        let doc = "# T\n\n> q *e **s** e*\n\n1. a\n   - [x] b\n\n| h | i |\n|---|:-:|\n| `c` | [l](https://x.y) |\n\n\
                   ```rust\nlet s = \"é\";\n```\n\n<div onclick=x>\n\n---\n![alt](http://i) <b>é</b>";
        for (i, _) in doc.char_indices() {
            let _ = parse(&doc[..i]);
        }
        assert_eq!(parse(doc).len(), 8);
    }

    #[test]
    fn quote_rule_and_table() {
        assert_eq!(
            parse("> q\n> > qq\n\n---\n\n| a | b |\n|---|---|\n| 1 | **2** |\n| 3 |\n"),
            vec![
                Block::Quote(vec![para(vec![text("q")]), Block::Quote(vec![para(vec![text("qq")])])]),
                Block::Rule,
                Block::Table {
                    head: vec![vec![text("a")], vec![text("b")]],
                    rows: vec![
                        vec![vec![text("1")], vec![Inline::Strong(vec![text("2")])]],
                        vec![vec![text("3")], vec![]],
                    ],
                },
            ]
        );
    }

    #[test]
    fn links_and_images() {
        let link = |href: &str, t: &str| Inline::Link {
            href: href.into(),
            children: vec![text(t)],
        };
        assert_eq!(
            parse("[y](https://a.b) <me@x.org> <HTTP://C.D> ![alt *t*](https://i/p.png) ![](http://i/q)"),
            vec![para(vec![
                link("https://a.b", "y"),
                text(" "),
                link("mailto:me@x.org", "me@x.org"),
                text(" "),
                link("HTTP://C.D", "HTTP://C.D"),
                text(" "),
                link("https://i/p.png", "alt t"),
                text(" "),
                link("http://i/q", "http://i/q"),
            ])]
        );
    }

    #[test]
    fn unsafe_links_become_plain_text() {
        assert_eq!(
            parse("[click *me*](javascript:alert(1)) [r](/relative) ![pic](data:image/png;base64,AA) [v](VBScript:x)"),
            vec![para(vec![
                text("click "),
                Inline::Emphasis(vec![text("me")]),
                text(" r pic v")
            ])]
        );
        let linked = parse("[a](JavaScript:alert(1)) [b]: x\n\n[b]");
        assert!(
            !inlines(&linked).iter().any(|i| matches!(i, Inline::Link { .. })),
            "{linked:?}"
        );
    }

    #[test]
    fn safe_href_allows_only_http_https_mailto() {
        for ok in ["http://a", "HTTPS://a/b?c#d", "mailto:x@y.z", " https://a "] {
            assert_eq!(safe_href(ok), Some(ok.trim()), "{ok}");
        }
        for bad in [
            "javascript:alert(1)",
            "JaVaScRiPt:alert(1)",
            " javascript:alert(1)",
            "java\tscript:alert(1)",
            "data:text/html,<script>",
            "vbscript:x",
            "/relative",
            "#frag",
            "//evil.example",
            "file:///etc/passwd",
            "",
        ] {
            assert_eq!(safe_href(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn raw_html_blocks_are_literal_text() {
        assert_eq!(
            parse("<script>alert(1)</script>"),
            vec![para(vec![text("<script>alert(1)</script>")])]
        );
        assert_eq!(
            parse("<img src=x onerror=alert(1)>\n\nafter"),
            vec![
                para(vec![text("<img src=x onerror=alert(1)>")]),
                para(vec![text("after")])
            ]
        );
        assert_eq!(
            parse("<div>\n  <img src=x onerror=alert(1)>\n</div>"),
            vec![para(vec![
                text("<div>"),
                Inline::Break,
                text("  <img src=x onerror=alert(1)>"),
                Inline::Break,
                text("</div>"),
            ])]
        );
    }

    #[test]
    fn raw_inline_html_is_literal_text() {
        assert_eq!(
            parse("Hi <script>alert(1)</script> and <img src=x onerror=alert(1)> **<b>x</b>**"),
            vec![para(vec![
                text("Hi <script>alert(1)</script> and <img src=x onerror=alert(1)> "),
                Inline::Strong(vec![text("<b>x</b>")]),
            ])]
        );
    }

    #[test]
    fn deep_nesting_is_capped() {
        fn depth(blocks: &[Block]) -> usize {
            let inner = |b: &Block| match b {
                Block::Quote(b) => depth(b),
                Block::List { items, .. } => items.iter().map(|i| depth(i)).max().unwrap_or(0),
                _ => 0,
            };
            1 + blocks.iter().map(inner).max().unwrap_or(0)
        }
        let quotes = parse(&(">".repeat(10_000) + " deep"));
        assert!(depth(&quotes) <= MAX_DEPTH + 1);
        assert!(inlines(&quotes).contains(&text("deep")));
        assert!(depth(&parse(&("- ".repeat(10_000) + "x"))) <= MAX_DEPTH + 1);
    }
}
