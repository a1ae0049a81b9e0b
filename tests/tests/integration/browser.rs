//! Headless Chromium for the browser tests: Debian's, installed by scripts/test.sh (`CHROME`
//! overrides the path), and a phone's screen where a window cannot be that narrow.

use std::path::PathBuf;

use headless_chrome::protocol::cdp::Emulation::SetDeviceMetricsOverride;
use headless_chrome::{Browser, LaunchOptions, Tab};

/// A headless browser with a window of `size`; drive it off the async executor
/// (headless_chrome's API is synchronous).
pub fn launch(size: (u32, u32)) -> Browser {
    let path = std::env::var_os("CHROME")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"));
    assert!(
        path.exists(),
        "Chromium not found at {}: run ./scripts/test.sh, which installs Debian's chromium, or set CHROME",
        path.display()
    );
    let options = LaunchOptions::default_builder()
        .path(Some(path))
        .headless(true)
        .sandbox(false)
        .window_size(Some(size))
        .build()
        .expect("launch options");
    Browser::new(options).expect("Chromium starts")
}

/// The tab's screen `width` × `height` CSS pixels, a phone's below 600: a headless window
/// cannot be narrower than 500 px, so the phone is emulated.
pub fn screen(tab: &Tab, width: u32, height: u32) {
    tab.call_method(SetDeviceMetricsOverride {
        width,
        height,
        device_scale_factor: 1.0,
        mobile: width < 600,
        scale: None,
        screen_width: None,
        screen_height: None,
        position_x: None,
        position_y: None,
        dont_set_visible_size: None,
        screen_orientation: None,
        viewport: None,
        display_feature: None,
        device_posture: None,
    })
    .expect("screen size");
}
