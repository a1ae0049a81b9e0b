//! The dashboard's weekly NPS chart as inline SVG geometry: a line with its 95 % margin of
//! error as a band, and the number of answers per week as bars. Pure arithmetic, no drawing
//! library: the template only places what is computed here.

use chrono::NaiveDate;
use domain::model::NpsSummary;

pub const WIDTH: f64 = 640.0;
pub const NPS_HEIGHT: f64 = 220.0;
pub const BARS_HEIGHT: f64 = 80.0;
const PAD_X: f64 = 36.0;
const PAD_Y: f64 = 12.0;

/// One week's marker: every week of the range has one, weeks without answers on the zero line.
pub struct Point {
    pub x: String,
    pub y: String,
    pub week: String,
    pub label: String,
    pub answered: bool,
}

pub struct Bar {
    pub x: String,
    pub y: String,
    pub width: String,
    pub height: String,
    pub label: String,
}

pub struct Chart {
    pub points: Vec<Point>,
    /// `d` of the line through the weeks with answers (a gap where a week has none).
    pub line: String,
    /// `d` of the margin-of-error band, one closed shape per run of answered weeks.
    pub band: String,
    pub bars: Vec<Bar>,
    /// y of the NPS 0, +50, −50 grid lines.
    pub zero_y: String,
    pub plus_fifty_y: String,
    pub minus_fifty_y: String,
    pub max_answers: u64,
}

fn nps_y(value: f64) -> f64 {
    let clamped = value.clamp(-100.0, 100.0);
    PAD_Y + (100.0 - clamped) / 200.0 * (NPS_HEIGHT - 2.0 * PAD_Y)
}

fn fmt(value: f64) -> String {
    format!("{value:.1}")
}

pub fn weekly(series: &[(NaiveDate, NaiveDate, NpsSummary)], no_answers: &str) -> Chart {
    let n = series.len().max(1) as f64;
    let step = (WIDTH - 2.0 * PAD_X) / n;
    let x_of = |i: usize| PAD_X + step * (i as f64 + 0.5);
    let max_answers = series
        .iter()
        .map(|(_, _, s)| s.responses)
        .max()
        .unwrap_or(0);
    let mut points = Vec::new();
    let mut line = String::new();
    let mut band = String::new();
    let mut run: Vec<(f64, f64, f64)> = Vec::new();
    let close_run = |run: &mut Vec<(f64, f64, f64)>, band: &mut String| {
        if run.is_empty() {
            return;
        }
        // A week alone between gaps still shows its margin: as a short bar, not a line.
        if let [(x, high, low)] = run[..] {
            *run = vec![(x - step * 0.2, high, low), (x + step * 0.2, high, low)];
        }
        let upper = run
            .iter()
            .map(|(x, high, _)| format!("{} {}", fmt(*x), fmt(*high)));
        let lower = run
            .iter()
            .rev()
            .map(|(x, _, low)| format!("{} {}", fmt(*x), fmt(*low)));
        let outline: Vec<String> = upper.chain(lower).collect();
        band.push_str(&format!("M{}Z ", outline.join(" L")));
        run.clear();
    };
    let mut pen_down = false;
    let mut bars = Vec::new();
    for (i, (start, _, summary)) in series.iter().enumerate() {
        let x = x_of(i);
        let week = start.format("%Y-%m-%d").to_string();
        match (summary.nps, summary.margin_of_error) {
            (Some(value), margin) => {
                let y = nps_y(value);
                line.push_str(&format!(
                    "{}{} {} ",
                    if pen_down { "L" } else { "M" },
                    fmt(x),
                    fmt(y)
                ));
                pen_down = true;
                let margin = margin.unwrap_or(0.0);
                run.push((x, nps_y(value + margin), nps_y(value - margin)));
                points.push(Point {
                    x: fmt(x),
                    y: fmt(y),
                    label: format!(
                        "{week}: NPS {value:.1} ± {margin:.1}, n = {}",
                        summary.responses
                    ),
                    week,
                    answered: true,
                });
            }
            (None, _) => {
                pen_down = false;
                close_run(&mut run, &mut band);
                points.push(Point {
                    x: fmt(x),
                    y: fmt(nps_y(0.0)),
                    label: format!("{week}: {no_answers}"),
                    week,
                    answered: false,
                });
            }
        }
        let bar_height = if max_answers == 0 {
            0.0
        } else {
            summary.responses as f64 / max_answers as f64 * (BARS_HEIGHT - PAD_Y)
        };
        bars.push(Bar {
            x: fmt(x - step * 0.35),
            y: fmt(BARS_HEIGHT - bar_height),
            width: fmt(step * 0.7),
            height: fmt(bar_height),
            label: format!("{}: n = {}", start.format("%Y-%m-%d"), summary.responses),
        });
    }
    close_run(&mut run, &mut band);
    Chart {
        points,
        line: line.trim_end().to_owned(),
        band: band.trim_end().to_owned(),
        bars,
        zero_y: fmt(nps_y(0.0)),
        plus_fifty_y: fmt(nps_y(50.0)),
        minus_fifty_y: fmt(nps_y(-50.0)),
        max_answers,
    }
}

#[cfg(test)]
mod tests {
    use domain::model::nps;

    use super::*;

    fn week(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, d).expect("date")
    }

    #[test]
    fn every_week_has_a_point_and_gaps_break_the_line() {
        let series = vec![
            (week(2), week(8), nps(3, 0, 1)),
            (week(9), week(15), nps(0, 0, 0)),
            (week(16), week(22), nps(1, 1, 0)),
        ];
        let chart = weekly(&series, "no answers");
        assert_eq!(chart.points.len(), 3);
        assert!(!chart.points[1].answered);
        assert_eq!(chart.line.matches('M').count(), 2, "{}", chart.line);
        assert_eq!(chart.band.matches('Z').count(), 2, "{}", chart.band);
        assert_eq!(chart.bars[1].height, "0.0");
        assert_eq!(chart.max_answers, 4);
    }

    #[test]
    fn scores_map_top_to_bottom_within_the_plot() {
        assert_eq!(nps_y(100.0), PAD_Y);
        assert_eq!(nps_y(-100.0), NPS_HEIGHT - PAD_Y);
        assert_eq!(nps_y(250.0), PAD_Y, "margins beyond ±100 are clamped");
    }
}
