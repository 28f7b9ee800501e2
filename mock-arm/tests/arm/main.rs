//! mock-arm conformance tests: raw HTTP against an in-process `MockArm`, one module per area.

mod support;

mod authorization;
mod cassettes;
mod child_schedules;
mod clusters;
mod control;
mod day2;
mod diagnostics;
mod examples;
mod faults;
mod gitops;
mod identity;
mod keyvault;
mod lro;
mod network;
mod paging;
mod private_networking;
mod registry;
mod resource_groups;
mod storage;
mod subscriptions;
mod workspace;
