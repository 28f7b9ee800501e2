//! Storage account migrations: an SKU change ARM makes only through its account migration
//! (`POST {account}/startAccountMigration`, long-running; `Standard_LRS` -> `Standard_ZRS` and
//! the other zone-redundant twins, `kind::storage_sku_change`) runs before the account's write,
//! so the write that follows finds the SKU already moved and the data never leaves the account.
//! Re-running after an interruption is safe: while ARM still migrates, the POST answers 409
//! `StorageAccountOperationInProgress` and is retried; once done, the live SKU matches and no
//! POST is sent.

use serde_json::{json, Value};

use crate::apply::context::StepContext;
use crate::apply::operations::ArmFailure;
use crate::apply::retry::Try;
use crate::id::ResourceId;
use crate::kind::descriptor::{ChangeClass, PairChange};
use crate::kind::Kind;

/// How `kind` classifies a change of its SKU by value pair, if it does (storage accounts:
/// `kind::storage_sku_change`, whose `Action` is the account migration).
fn sku_pair_rule(kind: Kind) -> Option<fn(&str, &str) -> PairChange> {
    kind.descriptor()
        .diff
        .fields
        .iter()
        .find_map(|rule| match rule.change {
            ChangeClass::ByValuePair { classify, .. } if rule.path == "sku.name" => Some(classify),
            _ => None,
        })
}

/// Migrates the account `id` to the SKU `desired` declares when only ARM's account migration
/// reaches it; a note for the report when it did.
pub(crate) async fn migrate_storage_sku(
    context: &StepContext,
    id: &ResourceId,
    desired: &Value,
) -> Result<Option<String>, ArmFailure> {
    let step = context.step();
    let kind = step.label.kind;
    let Some(classify) = sku_pair_rule(kind) else {
        return Ok(None);
    };
    let Some(target) = desired.pointer("/sku/name").and_then(Value::as_str) else {
        return Ok(None);
    };
    let Some(live) = context.state.arm.get(id, &step.api_version).await? else {
        return Ok(None);
    };
    let Some(current) = live.pointer("/sku/name").and_then(Value::as_str) else {
        return Ok(None);
    };
    let PairChange::Action(action) = classify(current, target) else {
        return Ok(None);
    };
    let path = format!("{}/{action}", id.as_str());
    let body = json!({"properties": {"targetSkuName": target}});
    let waiting = |reason: String| context.waiting(reason);
    let (path_ref, body_ref) = (&path, &body);
    context
        .settle_policy(context.state.options.deadline(kind))
        .run(&waiting, |_| async move {
            let request = context.write_request(None);
            match context
                .state
                .arm
                .post(path_ref, &step.api_version, Some(body_ref), &request)
                .await
            {
                Ok(_) => Ok(Try::Done(())),
                Err(failure) if is_operation_in_progress(&failure) => Ok(Try::retry_after(
                    format!("{} (another operation on the account)", failure.code),
                    failure,
                )),
                Err(failure) => Err(failure),
            }
        })
        .await?;
    Ok(Some(format!(
        "sku {current} -> {target} through ARM's account migration ({action})"
    )))
}

/// ARM's "another operation is running on this resource" answers: worth waiting for, never a
/// reason to fail while the step's deadline lasts.
pub(crate) fn is_operation_in_progress(failure: &ArmFailure) -> bool {
    [
        "StorageAccountOperationInProgress",
        "StorageAccountIsNotProvisioned",
        "AnotherOperationInProgress",
        "OperationNotAllowed",
        "RetryableErrorDueToAnotherOperation",
    ]
    .iter()
    .any(|code| failure.has_code(code))
        && failure.status.is_none_or(|status| status == 409)
}
