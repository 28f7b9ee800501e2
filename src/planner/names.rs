//! Global names at plan time: storage accounts, registries and vaults have names unique across
//! all of Azure, so a create can fail after half the estate is written (`StorageAccountAlreadyTaken`,
//! `AlreadyInUse`, `VaultAlreadyExists`). Before any write, the plan asks ARM's
//! `checkNameAvailability` once per such resource it will *create* (never for ones that exist:
//! a no-op plan sends nothing), all at once, and fails naming each taken name and where the
//! estate declares it. A `--subscription` pointed at the wrong subscription shows up here too:
//! every name is held by the estate's real subscription.

use serde_json::{json, Value};
use tokio::task::JoinSet;

use crate::arm::{ArmClient, WriteOptions};
use crate::check::locate::{FieldPath, Locator};
use crate::check::SourceLocation;
use crate::kind::Kind;
use crate::plan::{Action, Plan, ReasonCode};
use crate::spec::types::EstateList;

/// A name ARM says is taken, with where the estate declares it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TakenName {
    pub address: String,
    pub name: String,
    /// ARM's `reason` (`AlreadyExists`, `AccountNameInvalid`) and `message`.
    pub reason: String,
    pub message: String,
    pub location: Option<SourceLocation>,
}

impl std::fmt::Display for TakenName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if let Some(location) = &self.location {
            write!(
                f,
                "{}:{}:{}: ",
                location.file, location.line, location.column
            )?;
        }
        write!(
            f,
            "{} name {:?} is not available ({}: {})",
            self.address, self.name, self.reason, self.message
        )
    }
}

/// What the name checks found.
#[derive(Debug, Default)]
pub struct NameCheck {
    pub taken: Vec<TakenName>,
    /// Checks ARM did not answer (the plan goes on; apply would meet the same error later).
    pub notices: Vec<String>,
    /// Requests sent.
    pub requests: usize,
}

/// The resource-provider namespace to ask about `kind`'s names and the estate list declaring
/// them, if its names are global.
fn global_namespace(kind: Kind) -> Option<(&'static str, &'static str)> {
    if !kind.descriptor().global_name {
        return None;
    }
    let (namespace, _) = kind.arm_type().split_once('/')?;
    Some((namespace, EstateList::declaring(kind)?.key))
}

/// Checks the global name of every resource `plan` creates (recovered vaults excluded: their
/// name is theirs), one request each, in parallel.
pub async fn check(client: &ArmClient, plan: &Plan, locator: &Locator<'_>) -> NameCheck {
    let mut tasks = JoinSet::new();
    for change in &plan.changes {
        if change.action != Action::Create
            || change
                .reasons
                .iter()
                .any(|reason| reason.code == ReasonCode::RecoverSoftDeleted)
        {
            continue;
        }
        let Some((namespace, list)) = global_namespace(change.kind) else {
            continue;
        };
        let Some(subscription) = change.id.subscription_id() else {
            continue;
        };
        let path =
            format!("/subscriptions/{subscription}/providers/{namespace}/checkNameAvailability");
        let body = json!({"name": change.id.name(), "type": change.kind.arm_type()});
        let client = client.clone();
        let api_version = change.kind.api_version().to_owned();
        let address = change.address.clone();
        let name = change.id.name().to_owned();
        tasks.spawn(async move {
            let answer = client
                .post(&path, &api_version, Some(&body), &WriteOptions::default())
                .await;
            (address, name, list, answer)
        });
    }
    let mut result = NameCheck::default();
    while let Some(joined) = tasks.join_next().await {
        let Ok((address, name, list, answer)) = joined else {
            continue;
        };
        result.requests += 1;
        match answer {
            Ok(Some(body)) if body.get("nameAvailable") == Some(&Value::Bool(false)) => {
                let text = |key: &str| {
                    body.get(key)
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_owned()
                };
                result.taken.push(TakenName {
                    location: locator.locate(&FieldPath::resource(list, &name).key("name")),
                    address,
                    name,
                    reason: text("reason"),
                    message: text("message"),
                });
            }
            Ok(_) => {}
            Err(error) => result.notices.push(format!(
                "{address}: could not check whether the name {name} is free ({error}); apply fails if another subscription holds it"
            )),
        }
    }
    result.taken.sort_by(|a, b| a.address.cmp(&b.address));
    result.notices.sort();
    result
}
