//! `--plot DIR`: SVG pictures of a dudect run: the t statistic over measurements against the
//! threshold, and per-class timing histograms.

use std::path::{Path, PathBuf};

use plotters::prelude::*;

use crate::protocol::DudectRecord;
use crate::stats::T_THRESHOLD;

fn file_stem(target: &str) -> String {
    target
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// Writes `<target>-t.svg` and `<target>-hist.svg` into `dir`; returns the files written.
pub fn write(dir: &Path, d: &DudectRecord) -> Result<Vec<PathBuf>, String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let stem = file_stem(&d.target);
    let t_path = dir.join(format!("{stem}-t.svg"));
    let h_path = dir.join(format!("{stem}-hist.svg"));
    t_plot(&t_path, d).map_err(|e| format!("{}: {e}", t_path.display()))?;
    hist_plot(&h_path, d).map_err(|e| format!("{}: {e}", h_path.display()))?;
    Ok(vec![t_path, h_path])
}

fn t_plot(path: &Path, d: &DudectRecord) -> Result<(), Box<dyn std::error::Error>> {
    let root = SVGBackend::new(path, (800, 480)).into_drawing_area();
    root.fill(&WHITE)?;
    let points = || d.samples.iter().flat_map(|s| s.t_series.iter());
    let max_n = points().map(|p| p.0).max().unwrap_or(1).max(1);
    let max_t = points().map(|p| p.1).fold(T_THRESHOLD * 1.5, f64::max);
    let mut chart = ChartBuilder::on(&root)
        .caption(
            format!("{}: max |t| over measurements, per sample", d.target),
            ("sans-serif", 20),
        )
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(50)
        .build_cartesian_2d(0u64..max_n, 0f64..max_t * 1.05)?;
    chart
        .configure_mesh()
        .x_desc("measurements")
        .y_desc("max |t|")
        .draw()?;
    for (i, (sample, color)) in d.samples.iter().zip([BLUE, GREEN]).enumerate() {
        chart
            .draw_series(LineSeries::new(sample.t_series.iter().copied(), &color))?
            .label(format!("sample {}", i + 1))
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], color));
    }
    chart
        .draw_series(LineSeries::new(
            vec![(0, T_THRESHOLD), (max_n, T_THRESHOLD)],
            &RED,
        ))?
        .label("threshold 4.5")
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], RED));
    chart
        .configure_series_labels()
        .border_style(BLACK)
        .background_style(WHITE)
        .draw()?;
    root.present()?;
    Ok(())
}

fn hist_plot(path: &Path, d: &DudectRecord) -> Result<(), Box<dyn std::error::Error>> {
    let root = SVGBackend::new(path, (800, 480)).into_drawing_area();
    root.fill(&WHITE)?;
    let bins = d.hist_fixed.len().max(1) as u64;
    let lo = d.hist_start;
    let hi = lo + bins * d.hist_width.max(1);
    let total = |v: &[u64]| v.iter().sum::<u64>().max(1) as f64;
    let (tf, tr) = (total(&d.hist_fixed), total(&d.hist_random));
    let max_frac = d
        .hist_fixed
        .iter()
        .map(|c| *c as f64 / tf)
        .chain(d.hist_random.iter().map(|c| *c as f64 / tr))
        .fold(0.01, f64::max);
    let mut chart = ChartBuilder::on(&root)
        .caption(
            format!(
                "{}: timing per class ({} per {} calls)",
                d.target, d.unit, d.reps
            ),
            ("sans-serif", 20),
        )
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(50)
        .build_cartesian_2d(lo..hi, 0f64..max_frac * 1.1)?;
    chart
        .configure_mesh()
        .x_desc(d.unit.as_str())
        .y_desc("fraction")
        .draw()?;
    for (counts, norm, color, label) in [
        (&d.hist_fixed, tf, BLUE, "fixed"),
        (&d.hist_random, tr, RED, "random"),
    ] {
        let points = counts
            .iter()
            .enumerate()
            .map(|(i, c)| (lo + i as u64 * d.hist_width, *c as f64 / norm));
        chart
            .draw_series(LineSeries::new(points, color.stroke_width(2)))?
            .label(label)
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], color));
    }
    chart
        .configure_series_labels()
        .border_style(BLACK)
        .background_style(WHITE)
        .draw()?;
    root.present()?;
    Ok(())
}
