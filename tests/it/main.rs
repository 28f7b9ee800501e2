//! aksctl's integration tests: one binary, modules by area. Each test runs the built `aksctl`
//! binary (and, where it needs ARM, an in-process mock-arm on loopback).

mod apply;
mod arm;
mod bench_smoke;
mod check;
mod cli;
mod common;
mod credentials;
mod day2;
mod day2_data;
mod desired;
mod diagnostics;
mod dr;
mod export;
mod layout;
mod pipeline;
mod plan;
mod reliability;
mod spec;
