//! The dashboard's weekly NPS chart as inline SVG geometry: a line with its 95 % margin of
//! error as a band, and the number of answers per week as bars. Pure arithmetic, no drawing
//! library: the template only places what is computed here.

use chrono::NaiveDate;
use domain::model::NpsSummary;

pub const WIDTH: f64 = 640.0;
pub const NPS_HEIGHT: f64 = 220.0;
pub const BARS_HEIGHT: f64 = 80.0;
/// Below the bars: the weeks' dates.
pub const AXIS_HEIGHT: f64 = 18.0;
/// At most this many dates on the axis, so they never overlap on a phone.
const MAX_TICKS: usize = 6;
const PAD_X: f64 = 36.0;
const PAD_Y: f64 = 12.0;

/// A week with answers: weeks without any have no marker and break the line (they are not
/// "NPS 0").
pub struct Point {
    pub x: String,
    pub y: String,
    pub week: String,
    pub label: String,
}

/// A date under the bars, at the week it starts.
pub struct Tick {
    pub x: String,
    pub label: String,
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
    pub ticks: Vec<Tick>,
    /// y of the date labels, below the bars.
    pub tick_y: String,
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

/// What the chart says in the reader's language.
pub struct Words<'a> {
    pub no_answers: &'a str,
    pub too_few: &'a str,
    /// strftime of a week's start on the axis.
    pub date_format: &'a str,
}

pub fn weekly(series: &[(NaiveDate, NaiveDate, NpsSummary)], words: &Words<'_>) -> Chart {
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
        match summary.nps {
            Some(value) => {
                let y = nps_y(value);
                line.push_str(&format!(
                    "{}{} {} ",
                    if pen_down { "L" } else { "M" },
                    fmt(x),
                    fmt(y)
                ));
                pen_down = true;
                let margin = match summary.margin_of_error {
                    Some(margin) => {
                        // The band is clamped to the scale by `nps_y`.
                        run.push((x, nps_y(value + margin), nps_y(value - margin)));
                        format!("± {margin:.1}")
                    }
                    None => {
                        close_run(&mut run, &mut band);
                        words.too_few.to_owned()
                    }
                };
                points.push(Point {
                    x: fmt(x),
                    y: fmt(y),
                    label: format!("{week}: NPS {value:.1} {margin}, n = {}", summary.responses),
                    week,
                });
            }
            None => {
                pen_down = false;
                close_run(&mut run, &mut band);
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
            label: match summary.responses {
                0 => format!("{}: {}", start.format("%Y-%m-%d"), words.no_answers),
                n => format!("{}: n = {n}", start.format("%Y-%m-%d")),
            },
        });
    }
    let every = series.len().div_ceil(MAX_TICKS).max(1);
    let ticks = series
        .iter()
        .enumerate()
        .filter(|(i, _)| i % every == 0)
        .map(|(i, (start, _, _))| Tick {
            x: fmt(x_of(i)),
            label: start.format(words.date_format).to_string(),
        })
        .collect();
    close_run(&mut run, &mut band);
    Chart {
        points,
        line: line.trim_end().to_owned(),
        band: band.trim_end().to_owned(),
        bars,
        ticks,
        tick_y: fmt(BARS_HEIGHT + AXIS_HEIGHT - 4.0),
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

    const WORDS: Words<'static> = Words {
        no_answers: "no answers",
        too_few: "too few answers",
        date_format: "%d.%m.",
    };

    #[test]
    fn weeks_without_answers_are_gaps_not_zero() {
        let series = vec![
            (week(2), week(8), nps(3, 0, 1)),
            (week(9), week(15), nps(0, 0, 0)),
            (week(16), week(22), nps(1, 1, 0)),
        ];
        let chart = weekly(&series, &WORDS);
        assert_eq!(chart.points.len(), 2, "no marker for the empty week");
        assert_eq!(chart.line.matches('M').count(), 2, "{}", chart.line);
        assert_eq!(chart.bars[1].height, "0.0");
        assert!(chart.bars[1].label.ends_with("no answers"));
        assert_eq!(chart.max_answers, 4);
        assert_eq!(
            chart
                .ticks
                .iter()
                .map(|t| t.label.as_str())
                .collect::<Vec<_>>(),
            ["02.11.", "09.11.", "16.11."]
        );
    }

    #[test]
    fn a_margin_is_drawn_only_from_ten_answers() {
        let series = vec![
            (week(2), week(8), nps(3, 0, 1)),
            (week(9), week(15), nps(6, 2, 2)),
        ];
        let chart = weekly(&series, &WORDS);
        assert!(
            chart.points[0].label.contains("too few answers"),
            "{}",
            chart.points[0].label
        );
        assert!(
            chart.points[1].label.contains("± "),
            "{}",
            chart.points[1].label
        );
        assert_eq!(chart.band.matches('Z').count(), 1, "{}", chart.band);
    }

    #[test]
    fn a_long_range_gets_at_most_six_dates() {
        let series: Vec<_> = (0..13)
            .map(|i| {
                let start =
                    NaiveDate::from_ymd_opt(2026, 1, 5).expect("date") + chrono::Days::new(7 * i);
                (start, start, nps(1, 0, 0))
            })
            .collect();
        assert!(weekly(&series, &WORDS).ticks.len() <= MAX_TICKS);
    }

    #[test]
    fn scores_map_top_to_bottom_within_the_plot() {
        assert_eq!(nps_y(100.0), PAD_Y);
        assert_eq!(nps_y(-100.0), NPS_HEIGHT - PAD_Y);
        assert_eq!(nps_y(250.0), PAD_Y, "margins beyond ±100 are clamped");
    }
}
