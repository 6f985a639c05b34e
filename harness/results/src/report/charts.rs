//! The report's charts, drawn with plotters into SVG strings. Each function takes plain series
//! and knows nothing of results.json, so a new chart never touches measuring code.

use plotters::prelude::*;

/// One line or one bar group: a label and its points.
pub struct Series {
    /// Legend label (any text: plotters escapes it).
    pub label: String,
    /// `(x, y)` points.
    pub points: Vec<(f64, f64)>,
}

const SIZE: (u32, u32) = (560, 320);

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

fn upper(max: f64) -> f64 {
    if max <= 0.0 || !max.is_finite() {
        1.0
    } else {
        max * 1.15
    }
}

type Drawn = Result<(), Box<dyn std::error::Error>>;

/// Vertical bars, one per `(label, value)`, coloured by position and labelled underneath.
pub fn bars(title: &str, y_label: &str, bars: &[(String, f64)]) -> String {
    let mut svg = String::new();
    let drawn: Drawn = (|| {
        let root = SVGBackend::with_string(&mut svg, SIZE).into_drawing_area();
        root.fill(&WHITE)?;
        let n = bars.len().max(1) as i32;
        let max = bars.iter().map(|b| b.1).fold(0.0, f64::max);
        let mut chart = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", 18))
            .margin(12)
            .x_label_area_size(34)
            .y_label_area_size(64)
            .build_cartesian_2d((0..n).into_segmented(), 0.0..upper(max))?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(bars.len() + 1)
            .x_label_formatter(&|x| match x {
                SegmentValue::CenterOf(i) => bars.get(*i as usize).map(|b| b.0.clone()).unwrap_or_default(),
                _ => String::new(),
            })
            .y_desc(y_label)
            .draw()?;
        chart.draw_series(
            Histogram::vertical(&chart)
                .margin(14)
                .style_func(|x, _| match x {
                    SegmentValue::Exact(i) | SegmentValue::CenterOf(i) => colour(*i as usize).filled(),
                    SegmentValue::Last => BLACK.filled(),
                })
                .data(bars.iter().enumerate().map(|(i, (_, v))| (i as i32, *v))),
        )?;
        chart.draw_series(bars.iter().enumerate().map(|(i, (_, v))| {
            Text::new(format_value(*v), (SegmentValue::CenterOf(i as i32), *v), ("sans-serif", 13).into_font())
        }))?;
        root.present()?;
        Ok(())
    })();
    finish(svg, drawn, title)
}

/// Lines, one per series, with a legend.
pub fn lines(title: &str, x_label: &str, y_label: &str, series: &[Series]) -> String {
    let mut svg = String::new();
    let drawn: Drawn = (|| {
        let root = SVGBackend::with_string(&mut svg, SIZE).into_drawing_area();
        root.fill(&WHITE)?;
        let all = series.iter().flat_map(|s| s.points.iter());
        let (mut x_max, mut y_max, mut x_min) = (0.0f64, 0.0f64, f64::INFINITY);
        for &(x, y) in all {
            x_max = x_max.max(x);
            x_min = x_min.min(x);
            y_max = y_max.max(y);
        }
        if !x_min.is_finite() {
            x_min = 0.0;
        }
        if x_max <= x_min {
            x_max = x_min + 1.0;
        }
        let mut chart = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", 18))
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(70)
            .build_cartesian_2d(x_min..x_max, 0.0..upper(y_max))?;
        chart.configure_mesh().x_desc(x_label).y_desc(y_label).draw()?;
        for (i, s) in series.iter().enumerate() {
            let c = colour(i);
            chart
                .draw_series(LineSeries::new(s.points.iter().copied(), c.stroke_width(2)))?
                .label(s.label.as_str())
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], c.stroke_width(3)));
            chart.draw_series(s.points.iter().map(|&p| Circle::new(p, 3, c.filled())))?;
        }
        chart.configure_series_labels().background_style(WHITE.mix(0.85)).border_style(BLACK).draw()?;
        root.present()?;
        Ok(())
    })();
    finish(svg, drawn, title)
}

/// A chart that failed to draw still yields a valid SVG that says so.
fn finish(svg: String, drawn: Drawn, title: &str) -> String {
    match drawn {
        Ok(()) => svg,
        Err(e) => {
            let mut out = String::new();
            {
                let root = SVGBackend::with_string(&mut out, SIZE).into_drawing_area();
                let _ = root.fill(&WHITE);
                let _ = root.draw(&Text::new(format!("{title}: could not draw ({e})"), (10, 20), ("sans-serif", 14).into_font()));
                let _ = root.present();
            }
            out
        }
    }
}

/// A short number for a bar label.
pub fn format_value(v: f64) -> String {
    if v >= 100.0 {
        format!("{v:.0}")
    } else if v >= 1.0 {
        format!("{v:.2}")
    } else {
        format!("{v:.3}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charts_are_svg_with_their_labels_escaped() {
        let svg = bars("allocs/span", "allocs", &[("<b>".into(), 3.0), ("pooled".into(), 0.0)]);
        assert!(svg.starts_with("<svg") && svg.contains("&lt;b&gt;") && !svg.contains("<b>"));
        let svg = lines("sweep", "entries", "allocs", &[Series { label: "vc".into(), points: vec![(0.0, 0.0), (4.0, 53.4)] }]);
        assert!(svg.contains("<path") || svg.contains("<polyline"));
        // Empty input still draws.
        assert!(lines("empty", "x", "y", &[]).starts_with("<svg"));
    }
}
