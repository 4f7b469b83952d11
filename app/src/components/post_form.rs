//! [`PostForm`]: Leptos' `ActionForm` without its query-string parser.
//!
//! `ActionForm` turns the submitted fields into the server function's
//! arguments with `serde_qs`, which is made for nested `a[b][c]` names and
//! costs the main WASM module about 40 KB before `wasm-opt` (monomorphised
//! for each form's arguments, and kept in the main module even for forms
//! on chunked pages, whose handlers sit in the shared function table).
//! Every form here has flat fields (server functions take strings and
//! parse them), read by [`fields::parse`]; use `PostForm` for new forms.

use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::PostUrl;
use leptos::server_fn::{Http, ServerFn};
use serde::de::DeserializeOwned;

/// A `<form method="post">` to `A`'s URL, as `ActionForm` renders it,
/// that once hydrated dispatches `action` with the fields instead.
/// Attributes given as `attr:…` land on the `<form>`.
#[component]
pub fn PostForm<A, P>(
    action: ServerAction<A>,
    /// The `<form>` element, for code that resets or reads it.
    #[prop(optional)]
    node_ref: Option<NodeRef<leptos::html::Form>>,
    children: Children,
) -> impl IntoView
where
    // Form-encoded arguments only: what a `<form method="post">` sends
    // when the WASM has not loaded.
    A: ServerFn<Protocol = Http<PostUrl, P>, Error = AppError> + DeserializeOwned + Clone + Send + Sync + 'static,
    A::Output: Send + Sync + 'static,
{
    #[cfg(not(feature = "hydrate"))]
    let _ = action;
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        if ev.default_prevented() {
            return;
        }
        ev.prevent_default();
        #[cfg(feature = "hydrate")]
        match submitted(&ev).and_then(|fields| fields::parse::<A>(fields)) {
            Ok(args) => {
                action.dispatch(args);
            }
            Err(problem) => {
                use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
                leptos::logging::error!("could not read the form's fields: {problem}");
                action.value().set(Some(Err(AppError::from_server_fn_error(
                    ServerFnErrorErr::Serialization(problem),
                ))));
            }
        }
    };
    let node_ref = node_ref.unwrap_or_default();
    view! { <form action=A::url() method="post" node_ref=node_ref on:submit=on_submit>{children()}</form> }
}

/// The text fields of the submitted form, in document order (file inputs
/// are skipped: none of these forms has one). Unlike `ActionForm`, the
/// submit button's own `name`/`value` is not added: give a form hidden
/// fields instead of named buttons.
#[cfg(feature = "hydrate")]
fn submitted(ev: &leptos::ev::SubmitEvent) -> Result<Vec<(String, String)>, String> {
    use wasm_bindgen::JsCast;
    let form = ev
        .target()
        .and_then(|t| t.dyn_into::<web_sys::HtmlFormElement>().ok())
        .ok_or("the event did not come from a form")?;
    let data = web_sys::FormData::new_with_form(&form).map_err(|_| "the form's data could not be read")?;
    let entries = js_sys::try_iter(&data)
        .ok()
        .flatten()
        .ok_or("the form's data could not be listed")?;
    let mut fields = Vec::new();
    for entry in entries {
        let pair = js_sys::Array::from(&entry.map_err(|_| "the form's data could not be listed")?);
        if let (Some(name), Some(value)) = (pair.get(0).as_string(), pair.get(1).as_string()) {
            fields.push((name, value));
        }
    }
    Ok(fields)
}

/// Flat form fields (`name=value`, each name once) as a struct: strings,
/// optional strings (`None` when the field was not sent, as an unchecked
/// box is not, or left empty), booleans (`on`, `true` / `false`) and
/// integers of every width. Only the browser reads forms this way.
#[cfg(any(feature = "hydrate", test))]
pub mod fields {
    use serde::de::value::{Error, MapDeserializer};
    use serde::de::{self, DeserializeOwned, IntoDeserializer, Visitor};

    /// Reads `fields` into `T`.
    pub fn parse<T: DeserializeOwned>(fields: Vec<(String, String)>) -> Result<T, String> {
        T::deserialize(Fields(fields)).map_err(|e| e.to_string())
    }

    struct Fields(Vec<(String, String)>);

    impl<'de> de::Deserializer<'de> for Fields {
        type Error = Error;

        fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
            let mut map = MapDeserializer::new(self.0.into_iter().map(|(k, v)| (k, Value(v))));
            let value = visitor.visit_map(&mut map)?;
            map.end()?;
            Ok(value)
        }

        serde::forward_to_deserialize_any! {
            bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
            bytes byte_buf option unit unit_struct newtype_struct seq tuple
            tuple_struct map struct enum identifier ignored_any
        }
    }

    struct Value(String);

    impl<'de> IntoDeserializer<'de, Error> for Value {
        type Deserializer = Self;

        fn into_deserializer(self) -> Self {
            self
        }
    }

    impl<'de> de::Deserializer<'de> for Value {
        type Error = Error;

        fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
            visitor.visit_string(self.0)
        }

        /// An empty field is no value, as `ActionForm`'s `serde_qs` reads it.
        fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
            if self.0.is_empty() {
                visitor.visit_none()
            } else {
                visitor.visit_some(self)
            }
        }

        fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
            match self.0.as_str() {
                "on" | "true" => visitor.visit_bool(true),
                "false" => visitor.visit_bool(false),
                other => Err(de::Error::invalid_value(
                    de::Unexpected::Str(other),
                    &"on, true or false",
                )),
            }
        }

        /// Every signed integer (serde's visitors check the range).
        fn deserialize_i64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
            visitor.visit_i64(self.whole_number()?)
        }

        /// Every unsigned integer (serde's visitors check the range).
        fn deserialize_u64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
            visitor.visit_u64(self.whole_number()?)
        }

        fn deserialize_i8<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
            self.deserialize_i64(visitor)
        }
        fn deserialize_i16<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
            self.deserialize_i64(visitor)
        }
        fn deserialize_i32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
            self.deserialize_i64(visitor)
        }
        fn deserialize_u8<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
            self.deserialize_u64(visitor)
        }
        fn deserialize_u16<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
            self.deserialize_u64(visitor)
        }
        fn deserialize_u32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
            self.deserialize_u64(visitor)
        }

        serde::forward_to_deserialize_any! {
            i128 u128 f32 f64 char str string
            bytes byte_buf unit unit_struct newtype_struct seq tuple
            tuple_struct map struct enum identifier ignored_any
        }
    }

    impl Value {
        fn whole_number<N: std::str::FromStr>(&self) -> Result<N, Error> {
            self.0
                .trim()
                .parse()
                .map_err(|_| de::Error::invalid_value(de::Unexpected::Str(&self.0), &"a whole number"))
        }
    }

    #[cfg(test)]
    mod tests {
        use super::parse;
        use serde::Deserialize;

        #[derive(Debug, Deserialize, PartialEq)]
        struct Args {
            email: String,
            remember: Option<String>,
            #[serde(default)]
            agree: bool,
        }

        fn fields(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
            pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
        }

        #[test]
        fn reads_strings_optional_strings_and_checkboxes() {
            let args: Args = parse(fields(&[("email", "a@b.test"), ("remember", "on"), ("agree", "on")])).unwrap();
            assert_eq!(
                args,
                Args {
                    email: "a@b.test".into(),
                    remember: Some("on".into()),
                    agree: true
                }
            );
        }

        #[test]
        fn a_field_not_sent_or_left_empty_is_none_or_its_default() {
            let args: Args = parse(fields(&[("email", "x@y.test")])).unwrap();
            assert_eq!(
                args,
                Args {
                    email: "x@y.test".into(),
                    remember: None,
                    agree: false
                }
            );
            let args: Args = parse(fields(&[("email", ""), ("remember", "")])).unwrap();
            assert_eq!(
                args,
                Args {
                    email: String::new(),
                    remember: None,
                    agree: false
                }
            );
        }

        #[test]
        fn refuses_a_missing_required_field_a_repeated_one_and_a_bad_flag() {
            assert!(
                parse::<Args>(fields(&[("remember", "on")]))
                    .unwrap_err()
                    .contains("email")
            );
            assert!(
                parse::<Args>(fields(&[("email", "a"), ("email", "b")]))
                    .unwrap_err()
                    .contains("duplicate")
            );
            assert!(parse::<Args>(fields(&[("email", "a"), ("agree", "yes")])).is_err());
        }

        #[cfg(feature = "local_auth")]
        #[test]
        fn the_sign_in_and_sign_up_fields_make_their_server_functions_arguments() {
            let s: crate::auth::local::SignIn = parse(fields(&[
                ("email", "a@b.test"),
                ("password", "correct horse"),
                ("next", "/chat"),
                ("remember", "on"),
            ]))
            .unwrap();
            assert_eq!(
                (
                    s.email.as_str(),
                    s.password.as_str(),
                    s.next.as_deref(),
                    s.remember.as_deref()
                ),
                ("a@b.test", "correct horse", Some("/chat"), Some("on"))
            );
            let r: crate::auth::local::Register = parse(fields(&[
                ("display_name", "Ann"),
                ("email", "a@b.test"),
                ("password", "correct horse"),
                ("invite", ""),
            ]))
            .unwrap();
            assert_eq!((r.display_name.as_str(), r.invite, r.remember), ("Ann", None, None));
        }

        #[test]
        fn reads_whole_numbers_and_refuses_other_text() {
            #[derive(Debug, Deserialize, PartialEq)]
            struct Numbers {
                days: u64,
                offset: i64,
                small: u8,
                page: Option<u32>,
            }
            let n: Numbers = parse(fields(&[
                ("days", "30"),
                ("offset", " -2 "),
                ("small", "255"),
                ("page", "3"),
            ]))
            .unwrap();
            assert_eq!(
                n,
                Numbers {
                    days: 30,
                    offset: -2,
                    small: 255,
                    page: Some(3)
                }
            );
            let with = |days: &str, small: &str| {
                parse::<Numbers>(fields(&[("days", days), ("offset", "0"), ("small", small)]))
            };
            assert!(with("thirty", "1").is_err());
            assert!(with("-1", "1").is_err());
            assert!(with("1", "256").is_err(), "out of u8's range");
        }

        #[test]
        fn unknown_fields_are_ignored_and_text_is_kept_verbatim() {
            let args: Args = parse(fields(&[("email", " a+b@c.test &x=1 "), ("next", "/chat")])).unwrap();
            assert_eq!(args.email, " a+b@c.test &x=1 ");
        }
    }
}
