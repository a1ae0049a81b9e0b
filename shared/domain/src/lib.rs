//! The core: domain types and pure rules (`model`), what the domain needs from the outside world
//! (`ports`), and the services that make the business decisions above those ports. Nothing here
//! knows AWS, SQL or HTTP; the adapters and the web glue depend on this crate, never the reverse.

pub mod model;
pub mod ports;
pub mod services;
pub mod texts;
