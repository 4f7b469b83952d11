//! Mail settings: SMTP (host, port, TLS mode, credentials) and the sender;
//! without `SMTP_HOST`, mail goes to a folder and its links are logged.

use super::{ConfigError, invalid, parse};
use domain::settings::{MailSettings, MailTransport, SmtpTls};
use secrecy::SecretString;

pub(super) fn settings(get: &impl Fn(&str) -> Option<String>) -> Result<MailSettings, ConfigError> {
    let from = get("MAIL_FROM").unwrap_or_else(|| format!("{} <no-reply@localhost>", wire::brand::PRODUCT_NAME));
    if !domain::mail::is_mailbox(&from) {
        return Err(invalid("MAIL_FROM", &from, "use `Name <address>` or `address`"));
    }
    let transport = match get("SMTP_HOST") {
        Some(host) => {
            let tls = match get("SMTP_TLS").as_deref().unwrap_or("starttls") {
                "starttls" => SmtpTls::StartTls,
                "tls" => SmtpTls::Tls,
                "none" => SmtpTls::None,
                other => return Err(invalid("SMTP_TLS", other, "use `starttls`, `tls` or `none`")),
            };
            let default_port = match tls {
                SmtpTls::StartTls => "587",
                SmtpTls::Tls => "465",
                SmtpTls::None => "25",
            };
            let username = get("SMTP_USERNAME");
            let password = get("SMTP_PASSWORD").map(SecretString::from);
            if username.is_some() != password.is_some() {
                return Err(ConfigError::Missing {
                    name: if username.is_some() {
                        "SMTP_PASSWORD"
                    } else {
                        "SMTP_USERNAME"
                    },
                    why: "SMTP_USERNAME and SMTP_PASSWORD go together",
                });
            }
            MailTransport::Smtp {
                host,
                port: parse(get, "SMTP_PORT", default_port)?,
                tls,
                username,
                password,
            }
        }
        None => MailTransport::Folder(
            get("MAIL_OUTBOX_DIR")
                .unwrap_or_else(|| "data/outbox".to_owned())
                .into(),
        ),
    };
    Ok(MailSettings { from, transport })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_smtp_host_means_the_outbox_folder() {
        let m = settings(&|_| None).unwrap();
        assert!(matches!(m.transport, MailTransport::Folder(ref d) if d.ends_with("outbox")));
    }

    #[test]
    fn smtp_defaults_follow_the_tls_mode_and_credentials_go_together() {
        let get = |n: &str| match n {
            "SMTP_HOST" => Some("smtp.example.com".to_owned()),
            "SMTP_TLS" => Some("tls".to_owned()),
            _ => None,
        };
        let m = settings(&get).unwrap();
        assert!(matches!(
            m.transport,
            MailTransport::Smtp {
                port: 465,
                tls: SmtpTls::Tls,
                ..
            }
        ));
        let half = |n: &str| match n {
            "SMTP_HOST" => Some("smtp.example.com".to_owned()),
            "SMTP_USERNAME" => Some("mailer".to_owned()),
            _ => None,
        };
        assert!(settings(&half).unwrap_err().to_string().contains("SMTP_PASSWORD"));
        let bad = |n: &str| (n == "MAIL_FROM").then(|| "not a mailbox".to_owned());
        assert!(settings(&bad).unwrap_err().to_string().contains("MAIL_FROM"));
    }
}
