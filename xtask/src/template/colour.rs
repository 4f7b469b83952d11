//! The theme's colours: a Tailwind palette name or a hex colour becomes an
//! 11-step scale (50 … 950), and the pairs the pages draw text with are
//! checked against WCAG AA (4.5:1) before anything is written.
//!
//! Colours are OKLCH, as Tailwind v4 writes them; contrast is computed in
//! sRGB (each channel clipped to the displayable range, as a browser shows
//! a colour outside it).

use anyhow::{Context, bail};

/// The steps of a Tailwind colour scale.
pub const STEPS: [u16; 11] = [50, 100, 200, 300, 400, 500, 600, 700, 800, 900, 950];

/// A colour in OKLCH: lightness 0–1, chroma, hue in degrees.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Oklch {
    pub l: f64,
    pub c: f64,
    pub h: f64,
}

impl Oklch {
    /// Parses `oklch(45.7% 0.24 277.023)` (lightness as a percentage or a
    /// fraction; Tailwind writes a percentage).
    pub fn parse_css(text: &str) -> anyhow::Result<Self> {
        let inner = text
            .trim()
            .strip_prefix("oklch(")
            .and_then(|t| t.strip_suffix(')'))
            .with_context(|| format!("`{text}` is not oklch(L C H)"))?;
        let parts: Vec<&str> = inner.split_whitespace().collect();
        let [l, c, h] = parts.as_slice() else {
            bail!("`{text}` is not oklch(L C H)");
        };
        let l = match l.strip_suffix('%') {
            Some(pct) => pct.parse::<f64>()? / 100.0,
            None => l.parse::<f64>()?,
        };
        Ok(Self {
            l,
            c: c.parse()?,
            h: h.parse()?,
        })
    }

    /// As CSS, rounded the way Tailwind rounds (3 decimals), so a scale
    /// is written the same every time.
    pub fn to_css(self) -> String {
        format!("oklch({}% {} {})", round(self.l * 100.0), round(self.c), round(self.h))
    }

    /// From `#rrggbb` (or `#rgb`).
    pub fn from_hex(hex: &str) -> anyhow::Result<Self> {
        let [r, g, b] = parse_hex(hex)?;
        let lin = |c: u8| {
            let c = f64::from(c) / 255.0;
            if c <= 0.04045 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        };
        let (r, g, b) = (lin(r), lin(g), lin(b));
        let l = (0.412_221_470_8 * r + 0.536_332_536_3 * g + 0.051_445_992_9 * b).cbrt();
        let m = (0.211_903_498_2 * r + 0.680_699_545_1 * g + 0.107_396_956_6 * b).cbrt();
        let s = (0.088_302_461_9 * r + 0.281_718_837_6 * g + 0.629_978_700_5 * b).cbrt();
        let ok_l = 0.210_454_255_3 * l + 0.793_617_785 * m - 0.004_072_046_8 * s;
        let a = 1.977_998_495_1 * l - 2.428_592_205 * m + 0.450_593_709_9 * s;
        let bb = 0.025_904_037_1 * l + 0.782_771_766_2 * m - 0.808_675_766 * s;
        let c = (a * a + bb * bb).sqrt();
        let h = if c < 1e-6 {
            0.0
        } else {
            bb.atan2(a).to_degrees().rem_euclid(360.0)
        };
        Ok(Self { l: ok_l, c, h })
    }

    /// Linear sRGB, unclipped.
    fn linear_srgb(self) -> [f64; 3] {
        let (a, b) = (self.c * self.h.to_radians().cos(), self.c * self.h.to_radians().sin());
        let l = (self.l + 0.396_337_777_4 * a + 0.215_803_757_3 * b).powi(3);
        let m = (self.l - 0.105_561_345_8 * a - 0.063_854_172_8 * b).powi(3);
        let s = (self.l - 0.089_484_177_5 * a - 1.291_485_548 * b).powi(3);
        [
            4.076_741_662_1 * l - 3.307_711_591_3 * m + 0.230_969_929_2 * s,
            -1.268_438_004_6 * l + 2.609_757_401_1 * m - 0.341_319_396_5 * s,
            -0.004_196_086_3 * l - 0.703_418_614_7 * m + 1.707_614_701 * s,
        ]
    }

    fn in_srgb(self) -> bool {
        self.linear_srgb().iter().all(|c| (-1e-4..=1.0 + 1e-4).contains(c))
    }

    /// `#rrggbb`, each channel clipped to sRGB (for emails and SVG, which
    /// cannot use OKLCH everywhere).
    pub fn to_hex(self) -> String {
        let [r, g, b] = self.linear_srgb().map(|c| {
            let c = c.clamp(0.0, 1.0);
            let c = if c <= 0.003_130_8 {
                12.92 * c
            } else {
                1.055 * c.powf(1.0 / 2.4) - 0.055
            };
            // Clamped to 0..=1 above, so the rounded value fits in a byte.
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            let byte = (c * 255.0).round() as u8;
            byte
        });
        format!("#{r:02x}{g:02x}{b:02x}")
    }

    /// WCAG 2 relative luminance.
    pub fn luminance(self) -> f64 {
        let [r, g, b] = self.linear_srgb().map(|c| c.clamp(0.0, 1.0));
        0.2126 * r + 0.7152 * g + 0.0722 * b
    }
}

fn round(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0 + 0.0
}

fn parse_hex(hex: &str) -> anyhow::Result<[u8; 3]> {
    let digits = hex.strip_prefix('#').unwrap_or(hex);
    if !digits.is_ascii() {
        bail!("`{hex}` is not a hex colour (#rgb or #rrggbb)");
    }
    let expanded: String = match digits.len() {
        3 => digits.chars().flat_map(|c| [c, c]).collect(),
        6 => digits.to_owned(),
        _ => bail!("`{hex}` is not a hex colour (#rgb or #rrggbb)"),
    };
    let byte =
        |i: usize| u8::from_str_radix(&expanded[i..i + 2], 16).with_context(|| format!("`{hex}` is not a hex colour"));
    Ok([byte(0)?, byte(2)?, byte(4)?])
}

/// WCAG 2 contrast ratio of two colours (1 to 21).
pub fn contrast(a: Oklch, b: Oklch) -> f64 {
    let (x, y) = (a.luminance(), b.luminance());
    (x.max(y) + 0.05) / (x.min(y) + 0.05)
}

/// An 11-step scale, in [`STEPS`] order.
pub type Scale = [Oklch; 11];

/// The Tailwind palettes in `theme_css` (`node_modules/tailwindcss/theme.css`),
/// by name: every `--color-<name>-<step>` with all 11 steps.
pub fn palettes(theme_css: &str) -> std::collections::BTreeMap<String, Scale> {
    let mut found: std::collections::BTreeMap<String, [Option<Oklch>; 11]> = std::collections::BTreeMap::new();
    for line in theme_css.lines() {
        let Some(rest) = line.trim().strip_prefix("--color-") else {
            continue;
        };
        let Some((name, value)) = rest.split_once(':') else {
            continue;
        };
        let Some((palette, step)) = name.rsplit_once('-') else {
            continue;
        };
        let Some(i) = step
            .parse::<u16>()
            .ok()
            .and_then(|s| STEPS.iter().position(|&x| x == s))
        else {
            continue;
        };
        if let Ok(colour) = Oklch::parse_css(value.trim().trim_end_matches(';')) {
            found.entry(palette.to_owned()).or_default()[i] = Some(colour);
        }
    }
    found
        .into_iter()
        .filter_map(|(name, steps)| {
            let all: Option<Vec<Oklch>> = steps.into_iter().collect();
            Some((name, all?.try_into().ok()?))
        })
        .collect()
}

/// Lightness of each step, near Tailwind's own palettes' averages.
const LIGHTNESS: [f64; 11] = [0.975, 0.945, 0.89, 0.82, 0.72, 0.63, 0.55, 0.48, 0.415, 0.37, 0.27];
/// Chroma of each step relative to the base colour's.
const CHROMA: [f64; 11] = [0.1, 0.22, 0.42, 0.7, 0.9, 1.0, 1.0, 0.92, 0.8, 0.65, 0.45];

/// A scale around one colour: its hue at every step, lightness from
/// [`LIGHTNESS`], chroma tapering towards both ends and reduced until the
/// colour is displayable in sRGB; the colour itself takes the step whose
/// lightness is nearest its own, so the brand's exact colour is in it.
pub fn scale_from(base: Oklch) -> Scale {
    let nearest = LIGHTNESS
        .iter()
        .enumerate()
        .min_by(|a, b| (a.1 - base.l).abs().total_cmp(&(b.1 - base.l).abs()))
        .map_or(5, |(i, _)| i);
    std::array::from_fn(|i| {
        if i == nearest {
            return base;
        }
        // The base colour sits at `nearest`: the others' chroma is relative
        // to it, so a pale or a dark colour still gives a saturated middle.
        let mut colour = Oklch {
            l: LIGHTNESS[i],
            c: base.c * CHROMA[i] / CHROMA[nearest],
            h: base.h,
        };
        // Halve the excess until displayable (a few steps suffice).
        let (mut lo, mut hi) = (0.0, colour.c);
        if !colour.in_srgb() {
            for _ in 0..30 {
                let mid = f64::midpoint(lo, hi);
                colour.c = mid;
                if colour.in_srgb() {
                    lo = mid;
                } else {
                    hi = mid;
                }
            }
            colour.c = lo;
        }
        colour
    })
}

/// A colour choice: a palette name from `palettes`, or a hex colour.
pub fn resolve(choice: &str, palettes: &std::collections::BTreeMap<String, Scale>) -> anyhow::Result<Scale> {
    let choice = choice.trim();
    if choice.starts_with('#') {
        return Ok(scale_from(Oklch::from_hex(choice)?));
    }
    let name = choice.to_ascii_lowercase();
    palettes.get(&name).copied().with_context(|| {
        let names: Vec<&str> = palettes.keys().map(String::as_str).collect();
        format!(
            "`{choice}` is neither a hex colour (#0d9488) nor a Tailwind palette ({})",
            names.join(", ")
        )
    })
}

/// Where the pages put text on a background: (text, background, where).
/// `white` is the page's white; anything else is `primary-N` or `accent-N`.
/// Mirrors `style/main.css` and the components' classes.
pub const TEXT_PAIRS: &[(&str, &str, &str)] = &[
    ("primary-950", "primary-50", "body text (light)"),
    ("primary-800", "primary-50", "navigation links (light)"),
    ("primary-800", "white", "secondary text on cards (light)"),
    ("primary-700", "white", "links and placeholders (light)"),
    (
        "primary-700",
        "primary-50",
        "links, the footer and hints on the page (light)",
    ),
    ("primary-800", "primary-100", "a selected conversation (light)"),
    ("primary-800", "primary-200", "a hovered conversation (light)"),
    ("primary-800", "accent-200", "a hovered button (light)"),
    ("accent-800", "primary-50", "numbers in code blocks (light)"),
    ("white", "primary-700", "primary buttons (light)"),
    (
        "primary-950",
        "accent-400",
        "primary buttons (dark) and hovered buttons",
    ),
    ("primary-950", "accent-300", "hovered primary buttons (dark)"),
    ("primary-900", "primary-100", "notices (light)"),
    ("accent-800", "white", "highlighted text (light)"),
    ("accent-950", "accent-100", "the low-balance pill (light)"),
    ("primary-50", "primary-950", "body text (dark)"),
    ("primary-200", "primary-950", "navigation links (dark)"),
    ("primary-200", "primary-900", "secondary text on cards (dark)"),
    ("primary-300", "primary-950", "placeholders (dark)"),
    ("accent-300", "primary-950", "links (dark)"),
    ("accent-300", "primary-900", "links on cards (dark)"),
    ("primary-50", "primary-800", "notices (dark)"),
    ("primary-200", "primary-800", "a hovered conversation's actions (dark)"),
    ("accent-100", "accent-950", "the low-balance pill (dark)"),
];

/// WCAG AA for normal text.
pub const AA: f64 = 4.5;

/// The pairs of [`TEXT_PAIRS`] below [`AA`] with these scales, described.
pub fn contrast_problems(primary: &Scale, accent: &Scale) -> Vec<String> {
    let white = Oklch { l: 1.0, c: 0.0, h: 0.0 };
    let pick = |name: &str| -> Oklch {
        if name == "white" {
            return white;
        }
        let (scale, step) = name.split_once('-').expect("scale-step");
        let step: u16 = step.parse().expect("a step");
        let i = STEPS.iter().position(|&s| s == step).expect("a known step");
        if scale == "primary" { primary[i] } else { accent[i] }
    };
    TEXT_PAIRS
        .iter()
        .filter_map(|(fg, bg, what)| {
            let ratio = contrast(pick(fg), pick(bg));
            (ratio < AA).then(|| format!("{what}: {fg} on {bg} is {ratio:.2}:1, below {AA}:1"))
        })
        .collect()
}

/// The `@theme` lines for one scale (`--color-primary-50: oklch(…);`).
pub fn theme_lines(name: &str, scale: &Scale) -> Vec<String> {
    STEPS
        .iter()
        .zip(scale)
        .map(|(step, colour)| format!("  --color-{name}-{step}: {};", colour.to_css()))
        .collect()
}

/// The two scales written in a stylesheet's `@theme` block.
pub fn read_theme(css: &str) -> anyhow::Result<(Scale, Scale)> {
    let all = palettes(css);
    let get = |name: &str| {
        all.get(name)
            .copied()
            .with_context(|| format!("style/main.css: no --color-{name}-50 … 950 in @theme"))
    };
    Ok((get("primary")?, get("accent")?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_and_oklch_agree_both_ways() {
        // Tailwind v4's teal-600 is oklch(60% 0.118 184.704) ≈ #009689.
        let teal = Oklch::parse_css("oklch(60% 0.118 184.704)").unwrap();
        assert_eq!(teal.to_hex(), "#009689");
        // (Just outside sRGB: its hex is clipped, and reads back a shade off.)
        let back = Oklch::from_hex("#009689").unwrap();
        assert!((back.l - 0.6).abs() < 0.01 && (back.h - 184.7).abs() < 1.0, "{back:?}");
        for hex in ["#4338ca", "#0d9488", "#f43f5e", "#777777", "#000000"] {
            assert_eq!(Oklch::from_hex(hex).unwrap().to_hex(), hex);
        }
        assert_eq!(Oklch::from_hex("#fff").unwrap().to_hex(), "#ffffff");
        assert!(Oklch::from_hex("#12345").is_err());
        assert!(Oklch::from_hex("#gggggg").is_err());
        assert!(Oklch::from_hex("#aébcd").is_err(), "multibyte, not a panic");
    }

    #[test]
    fn contrast_matches_wcag() {
        let black = Oklch::from_hex("#000000").unwrap();
        let white = Oklch::from_hex("#ffffff").unwrap();
        assert!((contrast(black, white) - 21.0).abs() < 0.01);
        // WebAIM: #777777 on white is 4.48:1.
        let grey = Oklch::from_hex("#777777").unwrap();
        assert!((contrast(grey, white) - 4.48).abs() < 0.01, "{}", contrast(grey, white));
    }

    #[test]
    fn a_scale_from_a_hex_keeps_the_colour_and_runs_light_to_dark() {
        let base = Oklch::from_hex("#0d9488").unwrap();
        let scale = scale_from(base);
        assert!(scale.contains(&base));
        assert!(scale.windows(2).all(|w| w[0].l > w[1].l), "{scale:?}");
        assert!(scale.iter().all(|c| c.in_srgb()));
    }

    #[test]
    fn unreadable_choices_are_named_pair_by_pair() {
        let grey = scale_from(Oklch::from_hex("#777777").unwrap());
        // A scale that is one light colour everywhere fails nearly every pair.
        let pale = [Oklch::from_hex("#eeeeee").unwrap(); 11];
        let problems = contrast_problems(&pale, &grey);
        assert!(problems.iter().any(|p| p.contains("body text (light)")), "{problems:?}");
        assert!(contrast_problems(&grey, &scale_from(Oklch::from_hex("#f59e0b").unwrap())).is_empty());
    }
}
