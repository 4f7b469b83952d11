//! The consent pages' HTML.

/// Escapes text for HTML content and quoted attributes.
pub fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// A consent page: hidden fields carry the request, inputs choose the person.
pub fn consent(title: &str, action: &str, hidden: &[(&str, &str)], inputs: &[(&str, &str, &str)]) -> String {
    let mut page = format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><link rel=\"icon\" href=\"data:,\"><title>{t}</title></head><body><h1>{t}</h1><form method=\"post\" action=\"{a}\">",
        t = escape(title),
        a = escape(action)
    );
    for (name, value) in hidden {
        page.push_str(&format!(
            "<input type=\"hidden\" name=\"{}\" value=\"{}\">",
            escape(name),
            escape(value)
        ));
    }
    for (label, name, value) in inputs {
        page.push_str(&format!(
            "<p><label>{} <input name=\"{}\" value=\"{}\"></label></p>",
            escape(label),
            escape(name),
            escape(value)
        ));
    }
    page.push_str(
        "<p><label><input type=\"checkbox\" name=\"email_verified\" value=\"true\" checked> Email verified</label></p>\
         <p><button name=\"decision\" value=\"allow\">Continue</button> <button name=\"decision\" value=\"deny\">Cancel</button></p>\
         </form></body></html>",
    );
    page
}
