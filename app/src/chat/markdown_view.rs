//! Renders [`markdown`](super::markdown) blocks as elements and text nodes.
//! Model output never reaches `inner_html`: every string here becomes a
//! text node, so a reply that contains `<script>` shows it as text.

use super::markdown::{Block, Inline, Tok, highlight, parse};
use super::page::CopyButton;
use crate::i18n::use_locale;
use leptos::prelude::*;

/// A reply's text as formatted Markdown; re-rendered as the text grows.
/// Rendered in the browser only (the chat loads its messages there).
#[component]
pub fn Markdown(#[prop(into)] text: Signal<String>) -> impl IntoView {
    move || text.with(|t| parse(t)).into_iter().map(block).collect_view()
}

/// The attributes an element may carry; absent ones are not written.
#[derive(Default)]
struct Attrs {
    class: Option<&'static str>,
    href: Option<String>,
    start: Option<String>,
}

/// Every Markdown element is this one view type (a tag chosen at run time
/// with the same set of optional attributes), so its rendering code is in
/// the WASM once rather than once per tag and attribute combination.
fn el(tag: &'static str, attrs: Attrs, children: Vec<AnyView>) -> AnyView {
    let link = attrs.href.is_some();
    leptos::html::custom(tag)
        .attr("class", attrs.class)
        .attr("href", attrs.href)
        .attr("target", link.then_some("_blank"))
        .attr("rel", link.then_some("noopener noreferrer nofollow"))
        .attr("start", attrs.start)
        .child(children)
        .into_any()
}

/// An element with a class (or none) and children.
fn styled(tag: &'static str, class: Option<&'static str>, children: Vec<AnyView>) -> AnyView {
    el(
        tag,
        Attrs {
            class,
            ..Attrs::default()
        },
        children,
    )
}

fn blocks(blocks: Vec<Block>) -> Vec<AnyView> {
    blocks.into_iter().map(block).collect()
}

fn block(b: Block) -> AnyView {
    match b {
        Block::Paragraph(inlines) => styled("p", None, inlines_view(inlines)),
        Block::Heading(level, inlines) => {
            let (tag, class) = match level {
                1 => ("h3", "text-xl font-bold"),
                2 => ("h4", "text-lg font-bold"),
                _ => ("h5", "font-bold"),
            };
            styled(tag, Some(class), inlines_view(inlines))
        }
        Block::Code { lang, code } => code_block(lang, code),
        Block::Quote(quoted) => styled(
            "blockquote",
            Some("border-l-4 border-primary-300 pl-3 italic dark:border-primary-600"),
            blocks(quoted),
        ),
        Block::List { start, items } => {
            let items = items.into_iter().map(|item| styled("li", None, blocks(item))).collect();
            match start {
                Some(n) => el(
                    "ol",
                    Attrs {
                        class: Some("list-decimal pl-6"),
                        start: Some(n.to_string()),
                        ..Attrs::default()
                    },
                    items,
                ),
                None => styled("ul", Some("list-disc pl-6"), items),
            }
        }
        Block::Table { head, rows } => {
            const CELL: &str = "border border-primary-300 px-2 py-1 dark:border-primary-700";
            const HEAD_CELL: &str = "border border-primary-300 px-2 py-1 text-left dark:border-primary-700";
            let row = |cells: Vec<Vec<Inline>>, tag, class| {
                styled(
                    "tr",
                    None,
                    cells
                        .into_iter()
                        .map(|c| styled(tag, Some(class), inlines_view(c)))
                        .collect(),
                )
            };
            let head = styled("thead", None, vec![row(head, "th", HEAD_CELL)]);
            let body = styled("tbody", None, rows.into_iter().map(|r| row(r, "td", CELL)).collect());
            styled(
                "div",
                Some("overflow-x-auto"),
                vec![styled("table", Some("border-collapse text-sm"), vec![head, body])],
            )
        }
        Block::Rule => styled("hr", Some("border-primary-200 dark:border-primary-800"), Vec::new()),
    }
}

/// A fenced code block: highlighted, with its language and a Copy button.
fn code_block(lang: Option<String>, code: String) -> AnyView {
    let locale = use_locale();
    let tokens: Vec<AnyView> = highlight(lang.as_deref(), &code)
        .into_iter()
        .map(|(tok, text)| {
            let class = match tok {
                Tok::Plain => return text.into_any(),
                Tok::Keyword => "tok-keyword",
                Tok::String => "tok-string",
                Tok::Number => "tok-number",
                Tok::Comment => "tok-comment",
            };
            styled("span", Some(class), vec![text.into_any()])
        })
        .collect();
    view! {
        <div class="code-block" data-testid="code-block">
            <div class="flex items-center justify-between px-3 py-1 text-xs">
                <span>{lang.unwrap_or_default()}</span>
                <CopyButton text=ArcRwSignal::new(code) locale />
            </div>
            <pre class="overflow-x-auto px-3 pb-3 text-sm"><code>{tokens}</code></pre>
        </div>
    }
    .into_any()
}

fn inlines_view(inlines: Vec<Inline>) -> Vec<AnyView> {
    inlines.into_iter().map(inline).collect()
}

fn inline(i: Inline) -> AnyView {
    match i {
        Inline::Text(t) => t.into_any(),
        Inline::Code(c) => styled("code", Some("inline-code"), vec![c.into_any()]),
        Inline::Strong(c) => styled("strong", None, inlines_view(c)),
        Inline::Emphasis(c) => styled("em", None, inlines_view(c)),
        Inline::Strike(c) => styled("del", None, inlines_view(c)),
        Inline::Link { href, children } => el(
            "a",
            Attrs {
                class: Some("link"),
                href: Some(href),
                ..Attrs::default()
            },
            inlines_view(children),
        ),
        Inline::Break => styled("br", None, Vec::new()),
    }
}
