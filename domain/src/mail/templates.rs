//! The emails the app sends, in the reader's language, as plain text and
//! simple HTML. Values that come from users (names) are escaped.

use super::Outgoing;
use wire::access::format_date;
use wire::brand::{EMAIL_LINK_COLOUR, EMAIL_TEXT_COLOUR, PRODUCT_NAME};
use wire::email::Email;
use wire::i18n::{Key, Locale};

/// "Confirm your email address" with a single-use link.
#[cfg(feature = "local_auth")]
pub fn verify_email(locale: Locale, to: &Email, name: &str, link: &str) -> Outgoing {
    message(
        "verify_email",
        locale,
        to,
        Key::MailVerifySubject,
        &[
            locale.t(Key::MailHello).replace("{name}", name),
            locale.t(Key::MailVerifyBody).to_owned(),
        ],
        Key::MailVerifyButton,
        link,
    )
}

/// "Reset your password" with a single-use link.
#[cfg(feature = "local_auth")]
pub fn reset_password(locale: Locale, to: &Email, name: &str, link: &str) -> Outgoing {
    message(
        "reset_password",
        locale,
        to,
        Key::MailResetSubject,
        &[
            locale.t(Key::MailHello).replace("{name}", name),
            locale.t(Key::MailResetBody).to_owned(),
        ],
        Key::MailResetButton,
        link,
    )
}

/// "You are invited" with the sign-up link.
pub fn invite(locale: Locale, to: &Email, link: &str, access_until: i64, expires_at: i64) -> Outgoing {
    let body = locale
        .t(Key::MailInviteBody)
        .replace("{until}", &format_date(access_until))
        .replace("{expires}", &format_date(expires_at));
    message(
        "invite",
        locale,
        to,
        Key::MailInviteSubject,
        &[body],
        Key::MailInviteButton,
        link,
    )
}

fn message(
    kind: &'static str,
    locale: Locale,
    to: &Email,
    subject: Key,
    paragraphs: &[String],
    button: Key,
    link: &str,
) -> Outgoing {
    let subject = locale.t(subject).replace("{product}", PRODUCT_NAME);
    let paragraphs: Vec<String> = paragraphs
        .iter()
        .map(|p| p.replace("{product}", PRODUCT_NAME))
        .collect();
    let ignore = locale.t(Key::MailIgnore);

    let mut text = paragraphs.join("\n\n");
    text.push_str(&format!("\n\n{link}\n\n{ignore}\n\n— {PRODUCT_NAME}\n"));

    let mut html = format!(
        "<!DOCTYPE html><html><body style=\"font-family:system-ui,sans-serif;color:{EMAIL_TEXT_COLOUR};line-height:1.5\">",
    );
    for p in &paragraphs {
        html.push_str(&format!("<p>{}</p>", escape_html(p)));
    }
    let link_attr = escape_html(link);
    html.push_str(&format!(
        "<p><a href=\"{link_attr}\" style=\"display:inline-block;padding:10px 18px;background:{EMAIL_LINK_COLOUR};color:#ffffff;border-radius:8px;text-decoration:none;font-weight:600\">{}</a></p>",
        escape_html(locale.t(button))
    ));
    html.push_str(&format!(
        "<p style=\"font-size:13px;color:{EMAIL_LINK_COLOUR}\">{link_attr}</p><p style=\"font-size:13px\">{}</p><p>— {}</p></body></html>",
        escape_html(ignore),
        escape_html(PRODUCT_NAME)
    ));
    Outgoing {
        kind,
        to: to.clone(),
        subject,
        text,
        html,
    }
}

/// Escapes text for HTML element content and quoted attributes.
pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(feature = "local_auth")]
    #[test]
    fn names_are_escaped_in_html_and_kept_in_text() {
        let to = Email::parse("ada@example.com").unwrap();
        let m = verify_email(
            Locale::En,
            &to,
            "<script>x</script>",
            "https://k.example/verify-email?token=abc",
        );
        assert!(m.text.contains("<script>x</script>"));
        assert!(m.text.contains("https://k.example/verify-email?token=abc"));
        assert!(!m.html.contains("<script>"));
        assert!(m.html.contains("&lt;script&gt;"));
        assert!(m.subject.contains(PRODUCT_NAME));
    }

    #[test]
    fn invites_name_the_dates() {
        let to = Email::parse("bob@example.com").unwrap();
        let last = Locale::ALL[Locale::ALL.len() - 1];
        let m = invite(last, &to, "https://k.example/signup?invite=t", 1_795_651_199, 0);
        assert!(m.text.contains("2026-11-25"), "{}", m.text);
        assert!(m.text.contains("1970-01-01"));
    }
}
