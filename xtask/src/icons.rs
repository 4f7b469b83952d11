//! The PNG icons every build draws from `favicon.svg` (the product's logo),
//! for what takes no SVG icon: browsers' PNG favicon, the Apple touch icon
//! (home screens: opaque, as iOS fills transparency with black), and a
//! large icon for app stores and link previews.

use anyhow::Context;
use resvg::{tiny_skia, usvg};
use std::path::Path;

/// File name, size in pixels, and whether it is drawn on white.
pub const PNG_ICONS: [(&str, u32, bool); 3] = [
    ("favicon-32.png", 32, false),
    ("apple-touch-icon.png", 180, true),
    ("icon-512.png", 512, false),
];

/// Writes [`PNG_ICONS`] into `site` from its `favicon.svg`.
pub fn write_png_icons(site: &Path) -> anyhow::Result<()> {
    let svg = std::fs::read(site.join("favicon.svg")).context("reading the site's favicon.svg")?;
    let tree = read(&svg)?;
    for (name, size, opaque) in PNG_ICONS {
        let png = draw(&tree, size, opaque).with_context(|| format!("drawing {name}"))?;
        std::fs::write(site.join(name), png).with_context(|| format!("writing {name}"))?;
    }
    Ok(())
}

/// Reads an SVG with the system's fonts for its text. An `<image>` in it
/// may embed a picture (a `data:` URL) but never name a file: the logo is
/// drawn on the machine that builds, and must not read from it.
fn read(svg: &[u8]) -> anyhow::Result<usvg::Tree> {
    let mut options = usvg::Options {
        image_href_resolver: usvg::ImageHrefResolver {
            resolve_data: usvg::ImageHrefResolver::default_data_resolver(),
            resolve_string: Box::new(|_, _| None),
        },
        ..usvg::Options::default()
    };
    options.fontdb_mut().load_system_fonts();
    usvg::Tree::from_data(svg, &options).context("reading the SVG")
}

/// `svg` drawn into a `size`-pixel square, centred and scaled to fit, as a
/// PNG; on white when `opaque`.
#[cfg(test)]
pub fn render(svg: &[u8], size: u32, opaque: bool) -> anyhow::Result<Vec<u8>> {
    draw(&read(svg)?, size, opaque)
}

fn draw(tree: &usvg::Tree, size: u32, opaque: bool) -> anyhow::Result<Vec<u8>> {
    let mut pixmap = tiny_skia::Pixmap::new(size, size).context("an empty icon size")?;
    if opaque {
        pixmap.fill(tiny_skia::Color::WHITE);
    }
    let (w, h) = (tree.size().width(), tree.size().height());
    let side = size as f32;
    let scale = side / w.max(h);
    let transform = tiny_skia::Transform::from_row(
        scale,
        0.0,
        0.0,
        scale,
        (side - w * scale) / 2.0,
        (side - h * scale) / 2.0,
    );
    resvg::render(tree, transform, &mut pixmap.as_mut());
    pixmap.encode_png().context("encoding the PNG")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pixel(png: &[u8], x: u32, y: u32) -> [u8; 4] {
        let p = tiny_skia::Pixmap::decode_png(png).unwrap();
        let c = p.pixel(x, y).unwrap().demultiply();
        [c.red(), c.green(), c.blue(), c.alpha()]
    }

    #[test]
    fn icons_are_the_logo_at_each_size() {
        let logo = br##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><circle cx="16" cy="16" r="15" fill="#0f766e"/><path d="M9 23l7-15 7 15h-4l-3-7-3 7z" fill="#fff1f2"/></svg>"##;
        for (_, size, opaque) in PNG_ICONS {
            let png = render(logo, size, opaque).unwrap();
            let p = tiny_skia::Pixmap::decode_png(&png).unwrap();
            assert_eq!((p.width(), p.height()), (size, size));
            // Inside the circle, above the letter: the logo's teal.
            assert_eq!(pixel(&png, size / 2, size * 3 / 32), [0x0f, 0x76, 0x6e, 255], "{size}");
            // A corner, outside the circle: white on the touch icon, else clear.
            let corner = pixel(&png, 0, 0);
            assert_eq!(corner[3], if opaque { 255 } else { 0 }, "{size}");
        }
    }

    #[test]
    fn a_png_logo_wrapped_in_svg_is_drawn_too() {
        // As `cargo xtask new --logo x.png` wraps it.
        let mut red = tiny_skia::Pixmap::new(4, 4).unwrap();
        red.fill(tiny_skia::Color::from_rgba8(200, 0, 0, 255));
        let data = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, red.encode_png().unwrap());
        let svg = format!(
            r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 4 4"><image width="4" height="4" href="data:image/png;base64,{data}"/></svg>"#
        );
        let png = render(svg.as_bytes(), 32, false).unwrap();
        assert_eq!(pixel(&png, 16, 16), [200, 0, 0, 255]);
    }

    #[test]
    fn an_image_naming_a_file_on_the_building_machine_draws_nothing() {
        let dir = tempfile_dir();
        let secret = dir.join("secret.png");
        let mut red = tiny_skia::Pixmap::new(4, 4).unwrap();
        red.fill(tiny_skia::Color::from_rgba8(200, 0, 0, 255));
        std::fs::write(&secret, red.encode_png().unwrap()).unwrap();
        let svg = format!(
            r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 4 4"><image width="4" height="4" href="{}"/></svg>"#,
            secret.display()
        );
        let png = render(svg.as_bytes(), 32, false).unwrap();
        assert_eq!(pixel(&png, 16, 16)[3], 0, "the file was not read");
        let _ = std::fs::remove_dir_all(dir);
    }

    fn tempfile_dir() -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("xtask-icons-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn what_is_not_an_svg_is_refused() {
        assert!(render(b"not an image", 32, false).is_err());
    }
}
