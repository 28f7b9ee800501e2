//! The apply lease: one apply of an estate at a time, coordinated through ARM itself (aksctl is
//! stateless, so two pipeline runs share nothing else). The lease is the tag
//! `aksctl-apply-lease = <holder>|<expiry RFC 3339>` on the estate's first resource group (by
//! plan address). Acquiring reads the group: a lease held by another run and not yet expired is
//! waited for (`--lease-wait`) or reported with its holder; otherwise the tag is written (the
//! group is created with its declared body if it does not exist yet) and read back after a short
//! pause, and only a run that reads its own value back holds it (the last writer wins; the other
//! backs off as if it had found the lease held). The holder renews it at half its duration while
//! it runs and removes the tag at the end, whatever the outcome (success, failure, Ctrl-C); a
//! killed run's lease expires and the next run takes it over. The tag is not declared, so a
//! plan never compares it, and the group's own writes (read-modify-write) keep it.

use std::time::Duration;

use serde_json::{json, Map, Value};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;
use tokio::task::JoinHandle;

use crate::arm::{ArmClient, ArmError, WriteOptions};
use crate::id::ResourceId;
use crate::plan::{Action, Plan, ResourceChange};

/// The tag holding the lease.
pub const LEASE_TAG: &str = "aksctl-apply-lease";

/// How a run takes the lease.
#[derive(Debug, Clone, Copy)]
pub struct LeaseOptions {
    /// How long to wait for another run's lease before giving up (zero: do not wait).
    pub wait: Duration,
    /// How long a lease lasts unless renewed.
    pub duration: Duration,
    /// The pause between polls of a held lease, and before reading a written lease back.
    pub poll: Duration,
}

impl Default for LeaseOptions {
    fn default() -> Self {
        LeaseOptions {
            wait: Duration::ZERO,
            duration: Duration::from_secs(3 * 60),
            poll: Duration::from_secs(2),
        }
    }
}

/// Why the lease was not taken.
#[derive(Debug, thiserror::Error)]
pub enum LeaseError {
    #[error("another apply or destroy of this estate holds the lease: {holder}, until {until} (tag {LEASE_TAG} on resource group {group}); nothing was changed. Wait for it to finish, or pass --lease-wait SECONDS to wait")]
    Held {
        holder: String,
        until: String,
        group: String,
    },
    #[error("cannot take the apply lease on resource group {group}: {source}")]
    Arm {
        group: String,
        #[source]
        source: ArmError,
    },
}

/// A lease this run holds (renewed in the background until released).
pub struct Lease {
    client: ArmClient,
    group: ResourceId,
    api_version: String,
    holder: String,
    renewal: JoinHandle<()>,
    /// Whether another run held it first and this one waited.
    pub waited_for: Option<String>,
}

/// Who this run is, for the other run's message: user, host, process, CI run.
pub fn this_holder() -> String {
    let variable = |names: &[&str]| {
        names
            .iter()
            .find_map(|name| std::env::var(name).ok().filter(|value| !value.is_empty()))
    };
    let user = variable(&["USER", "USERNAME"]).unwrap_or_else(|| "unknown".to_owned());
    let host = variable(&["HOSTNAME", "COMPUTERNAME"]).unwrap_or_else(|| "unknown-host".to_owned());
    let run = variable(&["GITHUB_RUN_ID", "BUILD_BUILDID", "CI_PIPELINE_ID"])
        .map(|id| format!(" run {id}"))
        .unwrap_or_default();
    let started = OffsetDateTime::now_utc().unix_timestamp_nanos();
    format!("{user}@{host} pid {}{run} ({started})", std::process::id())
}

/// The resource group holding the lease of `plan`: its first resource group (by address) that
/// the plan keeps; in a destroy plan, where every group is deleted, its first group (the same
/// group as apply's while the estate's groups exist).
fn lease_group(plan: &mut Plan) -> Option<&mut ResourceChange> {
    let groups = || {
        plan.changes
            .iter()
            .filter(|change| change.kind.is_resource_group())
    };
    let destroying = groups().all(|change| change.action == Action::Delete);
    plan.changes
        .iter_mut()
        .filter(|change| {
            change.kind.is_resource_group() && (destroying || change.action != Action::Delete)
        })
        .min_by(|a, b| a.address.cmp(&b.address))
}

/// Takes the lease on the first resource group of `plan` (none when the plan has no resource
/// group, e.g. a `--target` plan of a child). When the group does not exist, it is created with
/// the plan's body for it; the plan's body of the group then carries the lease tag too, so the
/// group's own write keeps it. A destroy plan takes it on a group it deletes: the group's
/// deletion ends the lease with it.
pub async fn acquire(
    client: &ArmClient,
    plan: &mut Plan,
    holder: &str,
    options: LeaseOptions,
) -> Result<Option<Lease>, LeaseError> {
    let Some(change) = lease_group(plan) else {
        return Ok(None);
    };
    let group = change.id.clone();
    let api_version = change.api_version.clone();
    let failure = |source| LeaseError::Arm {
        group: group.name().to_owned(),
        source,
    };
    let started = std::time::Instant::now();
    let mut waited_for = None;
    loop {
        let live = client.get(&group, &api_version).await.map_err(failure)?;
        if let Some((other, until)) = live.as_ref().and_then(|body| held_by_other(body, holder)) {
            if started.elapsed() >= options.wait {
                return Err(LeaseError::Held {
                    holder: other,
                    until,
                    group: group.name().to_owned(),
                });
            }
            waited_for = Some(other);
            tokio::time::sleep(options.poll).await;
            continue;
        }
        let value = lease_value(holder, options.duration);
        let base = live
            .or_else(|| change.after.clone())
            .unwrap_or_else(|| json!({}));
        client
            .put(
                &group,
                &api_version,
                &with_lease(&base, Some(&value)),
                &WriteOptions::default(),
            )
            .await
            .map_err(failure)?;
        tokio::time::sleep(options.poll.min(Duration::from_millis(500))).await;
        let confirmed = client.get(&group, &api_version).await.map_err(failure)?;
        if confirmed
            .as_ref()
            .and_then(lease_of)
            .is_some_and(|(who, _)| who == holder)
        {
            if let Some(after) = change.after.as_mut() {
                *after = with_lease(after, Some(&value));
            }
            let renewal = tokio::spawn(renew(
                client.clone(),
                group.clone(),
                api_version.clone(),
                holder.to_owned(),
                options.duration,
            ));
            return Ok(Some(Lease {
                client: client.clone(),
                group,
                api_version,
                holder: holder.to_owned(),
                renewal,
                waited_for,
            }));
        }
        // Another run wrote after this one: it holds the lease; go round and treat it as held.
    }
}

impl Lease {
    /// The resource group holding the lease.
    pub fn group(&self) -> &ResourceId {
        &self.group
    }

    /// Stops renewing and removes the tag if it is still this run's.
    pub async fn release(self) -> Result<(), ArmError> {
        self.renewal.abort();
        let Some(live) = self.client.get(&self.group, &self.api_version).await? else {
            return Ok(());
        };
        if lease_of(&live).is_some_and(|(who, _)| who == self.holder) {
            self.client
                .put(
                    &self.group,
                    &self.api_version,
                    &with_lease(&live, None),
                    &WriteOptions::default(),
                )
                .await?;
        }
        Ok(())
    }
}

/// Rewrites the lease with a new expiry every half duration while it is still this run's.
async fn renew(
    client: ArmClient,
    group: ResourceId,
    api_version: String,
    holder: String,
    duration: Duration,
) {
    loop {
        tokio::time::sleep(duration / 2).await;
        let live = match client.get(&group, &api_version).await {
            Ok(Some(live)) => live,
            // Gone (a destroy deleted it): a renewal must not create it again.
            Ok(None) => return,
            Err(_) => continue,
        };
        if lease_of(&live).is_none_or(|(who, _)| who != holder) || being_deleted(&live) {
            return;
        }
        let value = lease_value(&holder, duration);
        // A failed renewal is tried again at the next half period; the lease lasts until then.
        let _ = client
            .put(
                &group,
                &api_version,
                &with_lease(&live, Some(&value)),
                &WriteOptions::default(),
            )
            .await;
    }
}

/// Whether ARM is deleting the group (a destroy holding the lease reached it).
fn being_deleted(body: &Value) -> bool {
    body.pointer("/properties/provisioningState")
        .and_then(Value::as_str)
        .is_some_and(|state| state.eq_ignore_ascii_case("Deleting"))
}

fn lease_value(holder: &str, duration: Duration) -> String {
    let expiry = OffsetDateTime::now_utc() + duration;
    let expiry = expiry
        .replace_nanosecond(0)
        .unwrap_or(expiry)
        .format(&Rfc3339)
        .unwrap_or_default();
    format!("{holder}|{expiry}")
}

/// The lease on a group body: its holder and expiry text.
fn lease_of(body: &Value) -> Option<(String, String)> {
    let tags = body.get("tags")?.as_object()?;
    let value = tags
        .iter()
        .find(|(key, _)| key.eq_ignore_ascii_case(LEASE_TAG))?
        .1
        .as_str()?;
    let (holder, expiry) = value.rsplit_once('|')?;
    Some((holder.to_owned(), expiry.to_owned()))
}

/// Another run's unexpired lease on `body`: its holder and expiry. An unreadable expiry counts
/// as expired (taken over).
fn held_by_other(body: &Value, holder: &str) -> Option<(String, String)> {
    let (other, expiry) = lease_of(body)?;
    if other == holder || holder_is_gone(&other, holder) {
        return None;
    }
    let until = OffsetDateTime::parse(&expiry, &Rfc3339).ok()?;
    (until > OffsetDateTime::now_utc()).then_some((other, expiry))
}

/// Whether `other` is a run of the same user on this host whose process no longer exists (a
/// killed run re-run on the same machine takes its lease over at once; elsewhere the lease's
/// expiry decides). Only where the process table is readable (`/proc`).
fn holder_is_gone(other: &str, holder: &str) -> bool {
    let machine = |who: &str| who.split(" pid ").next().map(str::to_owned);
    let pid = |who: &str| {
        who.split(" pid ")
            .nth(1)
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|pid| pid.parse::<u32>().ok())
    };
    let proc_table = std::path::Path::new("/proc/self");
    match (machine(other), machine(holder), pid(other)) {
        (Some(theirs), Some(ours), Some(pid)) if theirs == ours && proc_table.exists() => {
            !std::path::Path::new(&format!("/proc/{pid}")).exists()
        }
        _ => false,
    }
}

/// The group body to PUT: location, tags (with the lease set or removed), `managedBy`.
fn with_lease(body: &Value, lease: Option<&str>) -> Value {
    let mut tags: Map<String, Value> = body
        .get("tags")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    tags.retain(|key, _| !key.eq_ignore_ascii_case(LEASE_TAG));
    if let Some(lease) = lease {
        tags.insert(LEASE_TAG.to_owned(), Value::String(lease.to_owned()));
    }
    let mut written = Map::new();
    for key in ["location", "managedBy"] {
        if let Some(value) = body.get(key).filter(|value| !value.is_null()) {
            written.insert(key.to_owned(), value.clone());
        }
    }
    written.insert("tags".to_owned(), Value::Object(tags));
    Value::Object(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lease_is_held_by_another_only_until_it_expires() {
        let mine = "me@host pid 1";
        let live = json!({"location": "eastus", "tags": {
            "team": "x", LEASE_TAG: lease_value("other@ci pid 2", Duration::from_secs(60))}});
        let (holder, _) = held_by_other(&live, mine).expect("held");
        assert_eq!(holder, "other@ci pid 2");
        assert!(
            held_by_other(&live, "other@ci pid 2").is_none(),
            "own lease"
        );
        let expired = json!({"tags": {LEASE_TAG: "other@ci pid 2|2020-01-01T00:00:00Z"}});
        let here = this_holder();
        let machine = here.split(" pid ").next().expect("holder");
        let dead = json!({"tags": {
            LEASE_TAG: format!("{machine} pid 4000000000 (1)|2999-01-01T00:00:00Z")}});
        let alive = json!({"tags": {
            LEASE_TAG: format!("{machine} pid {} (1)|2999-01-01T00:00:00Z", std::process::id())}});
        if std::path::Path::new("/proc/self").exists() {
            assert!(
                held_by_other(&dead, &here).is_none(),
                "a dead run on this host"
            );
        }
        assert!(
            held_by_other(&alive, &here).is_some(),
            "a live run on this host"
        );
        assert!(
            held_by_other(&expired, mine).is_none(),
            "expired: taken over"
        );
        let released = with_lease(&live, None);
        assert_eq!(
            released,
            json!({"location": "eastus", "tags": {"team": "x"}})
        );
    }
}
