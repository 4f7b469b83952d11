//! Renders [`markdown`](super::markdown) blocks as elements and text nodes.
//! Model output never reaches `inner_html`: every string here becomes a
//! text node, so a reply that contains `<script>` shows it as text.

use super::markdown::{Block, Inline, Tok, highlight, parse};
use super::page::CopyButton;
use crate::i18n::use_locale;
use leptos::prelude::*;

/// A reply's text as formatted Markdown; re-rendered as the text grows.
#[component]
pub fn Markdown(#[prop(into)] text: Signal<String>) -> impl IntoView {
    move || text.with(|t| parse(t)).into_iter().map(block).collect_view()
}

fn block(b: Block) -> AnyView {
    match b {
        Block::Paragraph(inlines) => view! { <p>{inlines_view(inlines)}</p> }.into_any(),
        Block::Heading(level, inlines) => {
            let content = inlines_view(inlines);
            match level {
                1 => view! { <h3 class="text-xl font-bold">{content}</h3> }.into_any(),
                2 => view! { <h4 class="text-lg font-bold">{content}</h4> }.into_any(),
                _ => view! { <h5 class="font-bold">{content}</h5> }.into_any(),
            }
        }
        Block::Code { lang, code } => code_block(lang, code),
        Block::Quote(blocks) => view! {
            <blockquote class="border-l-4 border-indigo-300 pl-3 italic dark:border-indigo-600">
                {blocks.into_iter().map(block).collect_view()}
            </blockquote>
        }
        .into_any(),
        Block::List { start, items } => {
            let items = items
                .into_iter()
                .map(|blocks| view! { <li>{blocks.into_iter().map(block).collect_view()}</li> })
                .collect_view();
            match start {
                Some(n) => view! { <ol class="list-decimal pl-6" start=n.to_string()>{items}</ol> }.into_any(),
                None => view! { <ul class="list-disc pl-6">{items}</ul> }.into_any(),
            }
        }
        Block::Table { head, rows } => view! {
            <div class="overflow-x-auto">
                <table class="border-collapse text-sm">
                    <thead>
                        <tr>
                            {head
                                .into_iter()
                                .map(|cell| {
                                    view! {
                                        <th class="border border-indigo-300 px-2 py-1 text-left dark:border-indigo-700">
                                            {inlines_view(cell)}
                                        </th>
                                    }
                                })
                                .collect_view()}
                        </tr>
                    </thead>
                    <tbody>
                        {rows
                            .into_iter()
                            .map(|row| {
                                view! {
                                    <tr>
                                        {row
                                            .into_iter()
                                            .map(|cell| {
                                                view! {
                                                    <td class="border border-indigo-300 px-2 py-1 dark:border-indigo-700">
                                                        {inlines_view(cell)}
                                                    </td>
                                                }
                                            })
                                            .collect_view()}
                                    </tr>
                                }
                            })
                            .collect_view()}
                    </tbody>
                </table>
            </div>
        }
        .into_any(),
        Block::Rule => view! { <hr class="border-indigo-200 dark:border-indigo-800" /> }.into_any(),
    }
}

/// A fenced code block: highlighted, with its language and a Copy button.
fn code_block(lang: Option<String>, code: String) -> AnyView {
    let locale = use_locale();
    let tokens = highlight(lang.as_deref(), &code)
        .into_iter()
        .map(|(tok, text)| match tok {
            Tok::Plain => text.into_any(),
            Tok::Keyword => view! { <span class="tok-keyword">{text}</span> }.into_any(),
            Tok::String => view! { <span class="tok-string">{text}</span> }.into_any(),
            Tok::Number => view! { <span class="tok-number">{text}</span> }.into_any(),
            Tok::Comment => view! { <span class="tok-comment">{text}</span> }.into_any(),
        })
        .collect_view();
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

fn inlines_view(inlines: Vec<Inline>) -> AnyView {
    inlines.into_iter().map(inline).collect_view().into_any()
}

fn inline(i: Inline) -> AnyView {
    match i {
        Inline::Text(t) => t.into_any(),
        Inline::Code(c) => view! { <code class="inline-code">{c}</code> }.into_any(),
        Inline::Strong(c) => view! { <strong>{inlines_view(c)}</strong> }.into_any(),
        Inline::Emphasis(c) => view! { <em>{inlines_view(c)}</em> }.into_any(),
        Inline::Strike(c) => view! { <del>{inlines_view(c)}</del> }.into_any(),
        Inline::Link { href, children } => view! {
            <a class="link" href=href target="_blank" rel="noopener noreferrer nofollow">
                {inlines_view(children)}
            </a>
        }
        .into_any(),
        Inline::Break => view! { <br /> }.into_any(),
    }
}
