//! The report's charts, drawn with plotters into SVG strings. Each function takes plain series
//! and knows nothing of results.json, so a new chart never touches measuring code.
//!
//! Layout rules, so that no two labels ever overlap (`scripts/check-report.sh` measures every
//! text's box in Chromium): bars run horizontally with their category and value labels in the
//! bar's own row; legends sit below the plot, wrapped to the width; x labels are thinned to what
//! fits; a text's width is estimated generously ([`text_width`]) since the SVG carries no fonts.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// One line or one bar group: a label and its points.
pub struct Series {
    /// Legend label (any text: plotters escapes it).
    pub label: String,
    /// `(x, y)` points.
    pub points: Vec<(f64, f64)>,
}

/// A fixed colour per series index, so a strategy keeps its colour across charts.
pub fn colour(i: usize) -> RGBColor {
    const PALETTE: [RGBColor; 8] = [
        RGBColor(0x1f, 0x77, 0xb4),
        RGBColor(0xff, 0x7f, 0x0e),
        RGBColor(0x2c, 0xa0, 0x2c),
        RGBColor(0xd6, 0x27, 0x28),
        RGBColor(0x94, 0x67, 0xbd),
        RGBColor(0x8c, 0x56, 0x4b),
        RGBColor(0xe3, 0x77, 0xc2),
        RGBColor(0x7f, 0x7f, 0x7f),
    ];
    PALETTE[i % PALETTE.len()]
}

const WIDTH: u32 = 560;
const FONT: u32 = 12;
const TITLE: u32 = 15;

/// A generous width of `s` in pixels at `size`: wide glyphs counted wide, so estimates err on
/// the side of space.
pub fn text_width(s: &str, size: u32) -> i32 {
    let units: f64 = s
        .chars()
        .map(|c| {
            if c.is_ascii_uppercase() || "mwMW@%".contains(c) {
                0.85
            } else if c.is_ascii() {
                0.62
            } else {
                1.0
            }
        })
        .sum();
    (units * f64::from(size)).ceil() as i32
}

type Drawn = Result<(), Box<dyn std::error::Error>>;

fn style(size: u32, anchor: Pos) -> TextStyle<'static> {
    ("sans-serif", size).into_font().color(&BLACK).pos(anchor)
}

fn label(area: &DrawingArea<SVGBackend<'_>, Shift>, s: &str, at: (i32, i32), size: u32, anchor: Pos) -> Drawn {
    area.draw(&Text::new(s.to_owned(), at, style(size, anchor)))?;
    Ok(())
}

/// A short number for a label.
pub fn format_value(v: f64) -> String {
    if v == 0.0 {
        "0".into()
    } else if v >= 100.0 {
        format!("{v:.0}")
    } else if v >= 1.0 {
        format!("{v:.2}")
    } else {
        format!("{v:.3}")
    }
}

/// Legend entries laid out left to right below a plot, wrapped to `width`; returns the rows'
/// `(label, colour index, x, row)` and how many rows.
fn legend_layout(labels: &[String], width: i32) -> (Vec<(String, usize, i32, i32)>, i32) {
    let (mut x, mut row) = (10, 0);
    let mut out = Vec::new();
    for (i, l) in labels.iter().enumerate() {
        let w = 22 + text_width(l, FONT) + 16;
        if x + w > width - 10 && x > 10 {
            x = 10;
            row += 1;
        }
        out.push((l.clone(), i, x, row));
        x += w;
    }
    (out, if labels.is_empty() { 0 } else { row + 1 })
}

fn draw_legend(
    area: &DrawingArea<SVGBackend<'_>, Shift>,
    labels: &[String],
    top: i32,
    colours: &dyn Fn(usize) -> RGBColor,
) -> Drawn {
    let (entries, _) = legend_layout(labels, WIDTH as i32);
    for (l, i, x, row) in entries {
        let y = top + row * 18 + 9;
        area.draw(&PathElement::new(vec![(x, y), (x + 16, y)], colours(i).stroke_width(3)))?;
        label(area, &l, (x + 22, y), FONT, Pos::new(HPos::Left, VPos::Center))?;
    }
    Ok(())
}

/// Horizontal bars: one row per category, a bar per member of the group (coloured by member),
/// the category on the left, each value at its bar's end. `members` names the colours.
pub fn hbars(title: &str, unit: &str, members: &[String], groups: &[(String, Vec<Option<f64>>)]) -> String {
    let bar = 14;
    let gap = 10;
    let rows: i32 = groups.iter().map(|(_, v)| v.len() as i32).sum();
    let legend_rows = if members.len() > 1 { legend_layout(members, WIDTH as i32).1 } else { 0 };
    let top = 34;
    let plot_h = rows * bar + groups.len() as i32 * gap;
    let height = top + plot_h + 24 + legend_rows * 18 + 8;
    let mut svg = String::new();
    let drawn: Drawn = (|| {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, height as u32)).into_drawing_area();
        root.fill(&WHITE)?;
        label(&root, title, (10, 16), TITLE, Pos::new(HPos::Left, VPos::Center))?;
        let left = 14 + groups.iter().map(|(g, _)| text_width(g, FONT)).max().unwrap_or(40);
        let max = groups.iter().flat_map(|(_, v)| v.iter().flatten()).copied().fold(0.0f64, f64::max);
        let value_room =
            groups.iter().flat_map(|(_, v)| v.iter().flatten()).map(|v| text_width(&format_value(*v), FONT)).max().unwrap_or(30)
                + 12;
        let span = (WIDTH as i32 - left - value_room - 10).max(40);
        let scale = |v: f64| if max > 0.0 { (v / max * span as f64).round() as i32 } else { 0 };
        let mut y = top;
        for (name, values) in groups {
            let group_h = values.len() as i32 * bar;
            label(&root, name, (left - 8, y + group_h / 2), FONT, Pos::new(HPos::Right, VPos::Center))?;
            for (m, v) in values.iter().enumerate() {
                let text = match v {
                    Some(v) => {
                        let w = scale(*v).max(1);
                        root.draw(&Rectangle::new([(left, y + 1), (left + w, y + bar - 2)], colour(m).filled()))?;
                        format_value(*v)
                    }
                    None => "not run".into(),
                };
                let end = left + v.map_or(0, scale).max(1);
                label(&root, &text, (end + 6, y + bar / 2), FONT - 1, Pos::new(HPos::Left, VPos::Center))?;
                y += bar;
            }
            y += gap;
        }
        root.draw(&PathElement::new(vec![(left, top - 2), (left, top + plot_h)], BLACK.stroke_width(1)))?;
        label(&root, unit, (left, top + plot_h + 12), FONT - 1, Pos::new(HPos::Left, VPos::Center))?;
        if members.len() > 1 {
            draw_legend(&root, members, top + plot_h + 24, &colour)?;
        }
        root.present()?;
        Ok(())
    })();
    finish(svg, drawn, title, height as u32)
}

/// How the x axis of a line chart is drawn.
pub enum XAxis {
    /// Numbers, evenly spaced ticks.
    Linear,
    /// Categories at the given x values, each labelled, evenly spaced whatever their value
    /// (trace-state sizes 0, 1, 4, 32).
    Categories(Vec<(f64, String)>),
    /// Runs 0..n labelled with these strings, thinned to what fits.
    Runs(Vec<String>),
}

/// Lines, one per series, the legend below; optionally a log y axis and a dashed vertical
/// marker at an x (a baseline's run) with its label.
pub fn lines(
    title: &str,
    x_label: &str,
    y_label: &str,
    series: &[Series],
    x_axis: &XAxis,
    log_y: bool,
    marker: Option<(f64, &str)>,
) -> String {
    lines_marked(title, x_label, y_label, series, x_axis, log_y, marker, &[])
}

/// [`lines`], with a dashed red line at each x in `changes` (change points: drawn without text,
/// the page lists them beside the chart).
#[allow(clippy::too_many_arguments)] // lines' own, and the change points
pub fn lines_marked(
    title: &str,
    x_label: &str,
    y_label: &str,
    series: &[Series],
    x_axis: &XAxis,
    log_y: bool,
    marker: Option<(f64, &str)>,
    changes: &[f64],
) -> String {
    let labels: Vec<String> = series.iter().map(|s| s.label.clone()).collect();
    let legend_rows = legend_layout(&labels, WIDTH as i32).1;
    let plot_h = 250;
    let height = plot_h + 24 + legend_rows * 18 + 8;
    // Categories are drawn at their index; the points are mapped onto it.
    let position = |x: f64| -> f64 {
        match x_axis {
            XAxis::Categories(c) => c.iter().position(|(v, _)| *v == x).map_or(x, |i| i as f64),
            _ => x,
        }
    };
    let mut svg = String::new();
    let drawn: Drawn = (|| {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, height as u32)).into_drawing_area();
        root.fill(&WHITE)?;
        let (upper, lower) = root.split_vertically(plot_h as u32);
        let points = || series.iter().flat_map(|s| s.points.iter()).map(|&(x, y)| (position(x), y));
        let (mut x_min, mut x_max) = points().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), (x, _)| (a.min(x), b.max(x)));
        if !x_min.is_finite() {
            (x_min, x_max) = (0.0, 1.0);
        }
        if x_max <= x_min {
            x_max = x_min + 1.0;
        }
        let pad = (x_max - x_min) * 0.05;
        let (x_min, x_max) = (x_min - pad, x_max + pad);
        let y_max = points().map(|(_, y)| y).fold(0.0f64, f64::max);
        let mut builder = ChartBuilder::on(&upper);
        builder.caption(title, ("sans-serif", TITLE)).margin(10).x_label_area_size(34).y_label_area_size(62);
        let tick_labels: Vec<(f64, String)> = match x_axis {
            XAxis::Linear => Vec::new(),
            XAxis::Categories(c) => c.iter().enumerate().map(|(i, (_, l))| (i as f64, l.clone())).collect(),
            XAxis::Runs(labels) => {
                // As many labels as fit side by side, evenly thinned.
                let widest = labels.iter().map(|l| text_width(l, FONT - 1)).max().unwrap_or(40) + 16;
                let fit = ((WIDTH as i32 - 90) / widest).max(1) as usize;
                let step = labels.len().div_ceil(fit).max(1);
                labels.iter().enumerate().filter(|(i, _)| i % step == 0).map(|(i, l)| (i as f64, l.clone())).collect()
            }
        };
        let custom_x = !tick_labels.is_empty();
        // Powers of ten and their 2× and 5× on a log axis, every tick on a linear one.
        let y_formatter = |y: &f64| {
            if !log_y {
                return format_value(*y);
            }
            let mantissa = *y / 10f64.powf(y.log10().floor());
            if [1.0, 2.0, 5.0].iter().any(|m| (mantissa - m).abs() < 1e-6) {
                format_value(*y)
            } else {
                String::new()
            }
        };
        macro_rules! plot {
            ($chart:expr) => {{
                let mut chart = $chart;
                let mut mesh = chart.configure_mesh();
                mesh.x_desc(x_label)
                    .y_desc(y_label)
                    .label_style(("sans-serif", FONT - 1))
                    .light_line_style(WHITE)
                    .y_label_formatter(&y_formatter);
                if custom_x {
                    // Drawn below, one per category: plotters would place its own ticks.
                    mesh.x_labels(0).disable_x_mesh();
                }
                mesh.draw()?;
                for (i, s) in series.iter().enumerate() {
                    let c = colour(i);
                    let pts: Vec<(f64, f64)> =
                        s.points.iter().map(|&(x, y)| (position(x), y)).filter(|&(_, y)| !log_y || y > 0.0).collect();
                    chart.draw_series(LineSeries::new(pts.iter().copied(), c.stroke_width(2)))?;
                    chart.draw_series(pts.iter().map(|&p| Circle::new(p, 3, c.filled())))?;
                }
                let area = chart.plotting_area();
                let bottom = area.get_y_range().start;
                for (x, text) in &tick_labels {
                    let at = area.map_coordinate(&(*x, bottom));
                    root.draw(&Text::new(text.clone(), (at.0, at.1 + 6), style(FONT - 1, Pos::new(HPos::Center, VPos::Top))))?;
                }
                for &x in changes {
                    let (lo, hi) = (area.get_y_range().start, area.get_y_range().end);
                    let red = RGBColor(0xc0, 0x20, 0x20);
                    let dashes = 12;
                    for k in 0..dashes {
                        let (a, b) = (k as f64 / dashes as f64, (k as f64 + 0.5) / dashes as f64);
                        let at = |t: f64| if log_y { lo * (hi / lo).powf(t) } else { lo + (hi - lo) * t };
                        area.draw(&PathElement::new(vec![(x, at(a)), (x, at(b))], red.stroke_width(2)))?;
                    }
                }
                if let Some((x, text)) = marker {
                    let (lo, hi) = (area.get_y_range().start, area.get_y_range().end);
                    area.draw(&PathElement::new(vec![(x, lo), (x, hi)], BLACK.mix(0.6).stroke_width(1)))?;
                    let at = area.map_coordinate(&(x, hi));
                    let right = at.0 + 4 + text_width(text, FONT - 1) < WIDTH as i32 - 10;
                    let anchor = if right { Pos::new(HPos::Left, VPos::Top) } else { Pos::new(HPos::Right, VPos::Top) };
                    let dx = if right { 4 } else { -4 };
                    root.draw(&Text::new(text.to_owned(), (at.0 + dx, at.1 + 2), style(FONT - 1, anchor)))?;
                }
            }};
        }
        if log_y {
            let y_min = points().map(|(_, y)| y).filter(|y| *y > 0.0).fold(f64::INFINITY, f64::min);
            let y_min = if y_min.is_finite() { y_min / 2.0 } else { 0.1 };
            plot!(builder.build_cartesian_2d(x_min..x_max, (y_min..(y_max.max(y_min) * 2.0)).log_scale())?);
        } else {
            plot!(builder.build_cartesian_2d(x_min..x_max, 0.0..if y_max > 0.0 { y_max * 1.12 } else { 1.0 })?);
        }
        draw_legend(&lower, &labels, 4, &colour)?;
        root.present()?;
        Ok(())
    })();
    finish(svg, drawn, title, height as u32)
}

/// Small multiples: one panel per series, each with its own y scale, stacked, sharing x.
pub fn small_multiples(title: &str, x_label: &str, y_label: &str, series: &[Series]) -> String {
    let panel = 104;
    let height = 30 + series.len().max(1) as i32 * panel + 30;
    let mut svg = String::new();
    let drawn: Drawn = (|| {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, height as u32)).into_drawing_area();
        root.fill(&WHITE)?;
        label(&root, title, (10, 16), TITLE, Pos::new(HPos::Left, VPos::Center))?;
        let x_max = series.iter().flat_map(|s| s.points.iter()).map(|p| p.0).fold(1.0f64, f64::max);
        for (i, s) in series.iter().enumerate() {
            let area = root.margin(30 + i as i32 * panel, 0, 0, 0).shrink((0, 0), (WIDTH, panel as u32));
            let last = i + 1 == series.len();
            let y_max = s.points.iter().map(|p| p.1).fold(0.0f64, f64::max);
            let mut chart = ChartBuilder::on(&area)
                .margin_left(10)
                .margin_right(16)
                .margin_top(16)
                .margin_bottom(if last { 4 } else { 6 })
                .x_label_area_size(if last { 30 } else { 0 })
                .y_label_area_size(72)
                .build_cartesian_2d(0.0..x_max, 0.0..if y_max > 0.0 { y_max * 1.15 } else { 1.0 })?;
            let mut mesh = chart.configure_mesh();
            mesh.y_labels(3)
                .y_label_formatter(&|v| format_value(*v))
                .label_style(("sans-serif", FONT - 1))
                .light_line_style(WHITE)
                .disable_x_mesh();
            // Whole units once the axis is long enough to need no fraction.
            let x_format = |v: &f64| if x_max >= 5.0 { format!("{v:.0}") } else { format!("{v:.1}") };
            if last {
                mesh.x_desc(x_label).x_label_formatter(&x_format);
            } else {
                mesh.x_labels(0);
            }
            mesh.draw()?;
            let c = colour(i);
            chart.draw_series(LineSeries::new(s.points.iter().copied(), c.stroke_width(2)))?;
            // Above the panel's plot, in the margin kept for it: coordinates are the page's.
            let plot = chart.plotting_area();
            let (px, py) = plot.map_coordinate(&(0.0, y_max * 1.15));
            root.draw(&Text::new(
                format!("{} ({y_label})", s.label),
                (px, py - 3),
                style(FONT, Pos::new(HPos::Left, VPos::Bottom)),
            ))?;
        }
        root.present()?;
        Ok(())
    })();
    finish(svg, drawn, title, height as u32)
}

/// A chart that failed to draw still yields a valid SVG that says so.
/// Every chart ends here: its text is made XML-safe ([`crate::text::xml_safe`]) whatever names
/// it was drawn from.
fn finish(svg: String, drawn: Drawn, title: &str, height: u32) -> String {
    crate::text::xml_safe(nominal_font_sizes(&finish_drawn(svg, drawn, title, height)))
}

/// plotters' SVG backend writes a font of size `s` as `font-size="s / 1.24"` (a point-to-pixel
/// guess), so a 12 px label was drawn at 9.7 px. The sizes here are the pixels meant — the same
/// ones [`text_width`] lays the chart out with — so each is written back as it was asked for.
fn nominal_font_sizes(svg: &str) -> String {
    const KEY: &str = "font-size=\"";
    let mut out = String::with_capacity(svg.len());
    let mut rest = svg;
    while let Some(at) = rest.find(KEY) {
        let (head, tail) = rest.split_at(at + KEY.len());
        out.push_str(head);
        let end = tail.find('"').unwrap_or(0);
        match tail[..end].parse::<f64>() {
            Ok(size) => out.push_str(&format!("{}", (size * 1.24 * 10.0).round() / 10.0)),
            Err(_) => out.push_str(&tail[..end]),
        }
        rest = &tail[end..];
    }
    out.push_str(rest);
    out
}

fn finish_drawn(svg: String, drawn: Drawn, title: &str, height: u32) -> String {
    match drawn {
        Ok(()) => svg,
        Err(e) => {
            let mut out = String::new();
            {
                let root = SVGBackend::with_string(&mut out, (WIDTH, height.max(40))).into_drawing_area();
                let _ = root.fill(&WHITE);
                let _ = root.draw(&Text::new(format!("{title}: could not draw ({e})"), (10, 20), ("sans-serif", 14).into_font()));
                let _ = root.present();
            }
            out
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charts_are_svg_with_their_labels_escaped() {
        let svg = hbars(
            "allocs/span",
            "allocs",
            &["ts=4".into()],
            &[("<b>".into(), vec![Some(3.0)]), ("pooled".into(), vec![Some(0.0)])],
        );
        assert!(svg.starts_with("<svg") && svg.contains("&lt;b&gt;") && !svg.contains("<b>"));
        let xs = XAxis::Categories(vec![(0.0, "0".into()), (4.0, "4".into())]);
        let svg = lines(
            "sweep",
            "entries",
            "allocs",
            &[Series { label: "vc".into(), points: vec![(0.0, 0.0), (4.0, 53.4)] }],
            &xs,
            false,
            None,
        );
        assert!(svg.contains("<path") || svg.contains("<polyline"));
        assert!(lines("empty", "x", "y", &[], &XAxis::Linear, false, None).starts_with("<svg"));
        assert!(small_multiples("t", "ms", "KiB", &[Series { label: "a".into(), points: vec![(0.0, 1.0), (10.0, 2.0)] }])
            .starts_with("<svg"));
    }

    /// Bars in rows of their own: every label sits in its own row band, so none can overlap
    /// another, whatever the values.
    #[test]
    fn bar_labels_keep_to_their_rows() {
        let svg = hbars(
            "t",
            "u",
            &["a".into(), "b".into()],
            &[("x".into(), vec![Some(1.0), Some(2.0)]), ("y".into(), vec![None, Some(0.0)])],
        );
        let ys: Vec<i32> = svg
            .match_indices("<text")
            .filter_map(|(i, _)| {
                svg[i..].split("y=\"").nth(1).and_then(|r| r.split('"').next()).and_then(|v| v.parse::<f64>().ok())
            })
            .map(|y| y as i32)
            .collect();
        let mut values: Vec<i32> = ys.clone();
        values.sort();
        values.dedup();
        assert!(values.len() >= 6, "title, 2 categories, 4 value labels on their own rows: {ys:?}");
    }

    #[test]
    fn legends_wrap_to_the_width() {
        let labels: Vec<String> = (0..12).map(|i| format!("a rather long series name {i}")).collect();
        let (entries, rows) = legend_layout(&labels, WIDTH as i32);
        assert!(rows > 1);
        for (l, _, x, _) in &entries {
            assert!(x + 22 + text_width(l, FONT) <= WIDTH as i32, "{l} fits");
        }
    }
}
