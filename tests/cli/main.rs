//! entente's integration tests: one binary, one module per command, one harness.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    unreachable_pub
)]

mod check;
mod diff;
mod diff_cache;
mod drafts;
mod hardening;
mod harness;
mod import;
mod init;
mod log;
mod new;
mod noninterference;
mod publish;
mod render;
mod status;
