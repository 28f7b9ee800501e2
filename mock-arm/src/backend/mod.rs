//! The backend: the simulated world and ARM's rules, one module per provider, no HTTP.
//!
//! Entry points: [`dispatch::handle`] for an ARM request, [`snapshot`] for `/_mock/state`.

pub mod agent_pool;
pub mod authorization;
pub mod cluster;
pub mod cluster_defaults;
pub mod cluster_plan;
pub mod common;
pub mod context;
pub mod credentials;
pub mod diagnostics;
pub mod dispatch;
pub mod durations;
pub mod error;
pub mod gitops;
pub mod identity;
pub mod json;
pub mod keyvault;
pub mod kubernetes;
pub mod listing;
pub mod lro;
pub mod maintenance;
pub mod network;
pub mod parents;
pub mod path;
pub mod pool_properties;
pub mod private_dns;
pub mod private_endpoint;
pub mod provider;
pub mod registry;
pub mod removal;
pub mod render;
pub mod replication;
pub mod resources;
pub mod server_side;
pub mod snapshot;
pub mod soft_deleted;
pub mod storage;
pub mod storage_children;
pub mod storage_migration;
pub mod subscriptions;
pub mod types;
pub mod workspace;
pub mod world;
pub mod writes;
