//! Plan-time refusals of data-service changes: what ARM would refuse, or could only reach by
//! deleting data, is stopped before any write. Reads the change classes of the kinds'
//! descriptors (`RefusedByArmWhen`, `ByValuePair`) against each planned change's live body,
//! marks the changes made in place through a long-running ARM action (a storage account
//! migration), and turns a declared value ARM silently cannot honour (`purgeProtection: false`
//! on a protected vault) into a notice. Each refusal carries the estate `file:line` of the value.

use serde_json::Value;
use time::{Duration, OffsetDateTime};

use crate::check::locate::{FieldPath, Locator};
use crate::check::SourceLocation;
use crate::diff::format_value;
use crate::kind::descriptor::{ChangeClass, PairChange};
use crate::kind::Kind;
use crate::live::LiveState;
use crate::plan::{Action, Plan, ReasonCode, ResourceChange};
use crate::planner::pointer_rule_path;
use crate::spec::types::{DeclaredKind, Estate, EstateList, KeyVault};

/// One change ARM would refuse: where the value is, why, and what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub address: String,
    /// The changed field as ARM names it (`properties.softDeleteRetentionInDays`).
    pub field: String,
    /// `live -> declared`.
    pub change: String,
    /// The estate `file:line:col` of the declared value, when a file declares it.
    pub location: Option<SourceLocation>,
    pub reason: String,
    pub fix: String,
}

impl std::fmt::Display for Refusal {
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
            "{} {} {}: {}; {}",
            self.address, self.field, self.change, self.reason, self.fix
        )
    }
}

/// Reviews every planned update and replacement of `plan`: returns the refusals, adds notices
/// and marks the reasons of changes made through an ARM action.
pub fn review(
    plan: &mut Plan,
    live: &LiveState,
    estate: &Estate,
    locator: &Locator<'_>,
    today: OffsetDateTime,
) -> Vec<Refusal> {
    let mut refusals = Vec::new();
    let mut notices = Vec::new();
    for change in &mut plan.changes {
        if change.action == Action::Create {
            refusals.extend(held_by_deleted_vault(change, live, locator));
            continue;
        }
        if !matches!(change.action, Action::Update | Action::Replace) {
            continue;
        }
        let Some(before) = change.before.clone() else {
            continue;
        };
        review_change(change, &before, live, locator, today, &mut refusals);
    }
    notices.extend(purge_protection_notices(plan, estate, locator));
    plan.notices.extend(notices);
    refusals
}

fn review_change(
    change: &mut ResourceChange,
    before: &Value,
    live: &LiveState,
    locator: &Locator<'_>,
    today: OffsetDateTime,
    refusals: &mut Vec<Refusal>,
) {
    let kind = change.kind;
    for reason in &mut change.reasons {
        let Some(pointer) = reason.path.clone() else {
            continue;
        };
        let rule_path = pointer_rule_path(&pointer);
        let old = before.pointer(&pointer);
        let new = change
            .after
            .as_ref()
            .and_then(|after| after.pointer(&pointer));
        let describe = || format!("{} -> {}", format_value(old), format_value(new));
        for rule in kind.descriptor().diff.fields {
            if rule.path != rule_path {
                continue;
            }
            match rule.change {
                ChangeClass::RefusedByArmWhen {
                    refused,
                    estate_field,
                    explanation,
                    fix,
                } if refused(before) => {
                    refusals.push(Refusal {
                        address: change.address.clone(),
                        field: rule_path.clone(),
                        change: describe(),
                        location: estate_location(locator, kind, change.id.name(), estate_field),
                        reason: format!(
                            "{explanation} ({})",
                            name_held_until(kind, change.id.name(), before, live, today)
                        ),
                        fix: fix.to_owned(),
                    });
                    break;
                }
                ChangeClass::ByValuePair {
                    classify,
                    estate_field,
                } => {
                    let (Some(Value::String(old)), Some(Value::String(new))) = (old, new) else {
                        break;
                    };
                    match classify(old, new) {
                        PairChange::InPlace => {}
                        PairChange::Action(action) => {
                            reason.message = format!(
                                "{} (in place through ARM's account migration: POST {action}, long-running; the data stays)",
                                reason.message
                            );
                        }
                        PairChange::Refused(why) => refusals.push(Refusal {
                            address: change.address.clone(),
                            field: rule_path.clone(),
                            change: describe(),
                            location: estate_location(
                                locator,
                                kind,
                                change.id.name(),
                                estate_field,
                            ),
                            reason: "ARM cannot make this change without deleting the data"
                                .to_owned(),
                            fix: why.to_owned(),
                        }),
                    }
                    break;
                }
                _ => {}
            }
        }
    }
}

/// A vault to create (not recover: another location, group or estate) whose name a soft-deleted,
/// purge-protected vault holds: ARM answers 409 `ConflictError` until its scheduled purge date,
/// so the create is refused at plan time with that date, from ARM's `deletedVaults`.
fn held_by_deleted_vault(
    change: &ResourceChange,
    live: &LiveState,
    locator: &Locator<'_>,
) -> Option<Refusal> {
    if !change.kind.descriptor().recovers_soft_deleted
        || change
            .reasons
            .iter()
            .any(|reason| reason.code == ReasonCode::RecoverSoftDeleted)
    {
        return None;
    }
    let vault = live
        .deleted_vault(change.id.name())
        .filter(|vault| vault.purge_protection_enabled)?;
    let purge = vault
        .scheduled_purge_date
        .clone()
        .unwrap_or_else(|| "its scheduled purge date".to_owned());
    Some(Refusal {
        address: change.address.clone(),
        field: "name".to_owned(),
        change: format!("(none) -> {:?}", change.id.name()),
        location: locator.locate(&FieldPath::resource("keyVaults", change.id.name()).key("name")),
        reason: format!(
            "a purge-protected vault soft-deleted in {} ({}) holds the name until {purge} and cannot be recovered as declared; ARM refuses the create (ConflictError)",
            vault.location,
            vault
                .vault_id
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_else(|| "id unknown".to_owned())
        ),
        fix: "declare the vault where it was deleted (its location and resource group) so apply recovers it, or choose a new vault name".to_owned(),
    })
}

/// Until when a vault's name would stay reserved: ARM's scheduled purge date of a soft-deleted
/// vault of that name where there is one, else the rule (deletion today + the live retention).
fn name_held_until(
    kind: Kind,
    name: &str,
    before: &Value,
    live: &LiveState,
    today: OffsetDateTime,
) -> String {
    if !kind.descriptor().recovers_soft_deleted {
        return "the name stays held".to_owned();
    }
    if let Some(purge) = live
        .deleted_vault(name)
        .and_then(|vault| vault.scheduled_purge_date.clone())
    {
        return format!("a soft-deleted vault holds the name {name} until {purge}");
    }
    let days = before
        .pointer("/properties/softDeleteRetentionInDays")
        .and_then(Value::as_i64)
        .unwrap_or(90);
    let until = today + Duration::days(days);
    format!(
        "deleted today, the vault would hold the name {name} until {} ({days} days of soft delete) and no vault of that name could be created before",
        until.date()
    )
}

/// Where the estate declares `estate_field` of the resource `name` of `kind`.
fn estate_location(
    locator: &Locator<'_>,
    kind: Kind,
    name: &str,
    estate_field: &'static str,
) -> Option<SourceLocation> {
    let list = EstateList::declaring(kind)?;
    locator.locate(&FieldPath::resource(list.key, name).key(estate_field))
}

/// `purgeProtection: false` on a vault whose live purge protection is on: ARM cannot turn it
/// off, and lowering never sends `false` (ARM refuses it even on create), so without this the
/// declaration would be silently ignored.
fn purge_protection_notices(plan: &Plan, estate: &Estate, locator: &Locator<'_>) -> Vec<String> {
    estate
        .key_vaults
        .iter()
        .filter(|vault| vault.purge_protection == Some(false))
        .filter_map(|vault| {
            let change = plan.changes.iter().find(|change| {
                change.kind == KeyVault::KIND && change.id.name().eq_ignore_ascii_case(&vault.name)
            })?;
            let protected = change
                .before
                .as_ref()
                .is_some_and(crate::kind::vault_purge_protected);
            if !protected {
                return None;
            }
            let at = locator
                .locate(&FieldPath::resource("keyVaults", &vault.name).key("purgeProtection"))
                .map(|location| {
                    format!("{}:{}:{}: ", location.file, location.line, location.column)
                })
                .unwrap_or_default();
            Some(format!(
                "{at}{} declares purgeProtection: false, but purge protection is on in ARM and ARM cannot turn it off: the vault keeps it. Set purgeProtection: true (or remove the line) to match.",
                change.address
            ))
        })
        .collect()
}
