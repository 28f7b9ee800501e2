//! Export of resource groups, container registries, key vaults and storage accounts (with their
//! blob service settings, containers and lifecycle rules). Only what the estate format has, and
//! only where the live value differs from what ARM (or aksctl's defaulting) assumes.

use serde_json::Value;

use crate::export::context::{
    bool_at, canonical_location, group_of, name_of, pick, str_at, strings_at, tags_of, u32_at,
    Exporting,
};
use crate::export::inventory::id_of;
use crate::export::schedules::geo_replications;
use crate::kind::fields::exported_field;
use crate::kind::Kind;
use crate::spec::types::{
    BlobContainer, ContainerPublicAccess, KeyVault, KeyVaultSku, LifecycleRule,
    PublicNetworkAccess, Registry, RegistrySku, ResourceGroup, StorageAccount, StorageKind,
    StorageSku, Switch, TlsVersion,
};

/// Key Vault's soft-delete retention when none is given.
const DEFAULT_RETENTION_DAYS: u32 = 90;

/// The requested groups.
pub fn export_groups(exporting: &mut Exporting<'_>) -> Vec<ResourceGroup> {
    let mut groups = Vec::new();
    for body in &exporting.inventory.groups {
        let name = name_of(body);
        let location = str_at(body, "/location")
            .map(canonical_location)
            .unwrap_or_else(|| exporting.location.clone());
        exporting
            .group_locations
            .insert(name.to_ascii_lowercase(), location.clone());
        if let Some(id) = id_of(body) {
            exporting.add_scope(&id, Kind::ResourceGroup);
        }
        groups.push(ResourceGroup {
            location: (location != exporting.location).then_some(location),
            tags: tags_of(body),
            name,
        });
    }
    groups
}

fn public_access_disabled(body: &Value) -> Option<PublicNetworkAccess> {
    str_at(body, "/properties/publicNetworkAccess")
        .and_then(|text| pick(PublicNetworkAccess::ALL, PublicNetworkAccess::as_str, text))
        .filter(|access| *access == PublicNetworkAccess::Disabled)
}

pub fn export_registries(exporting: &mut Exporting<'_>) -> Vec<Registry> {
    let mut registries = Vec::new();
    let bodies: Vec<&Value> = exporting
        .inventory
        .of_kind(Kind::ContainerRegistry)
        .collect();
    for body in bodies {
        let name = name_of(body);
        let Some(id) = id_of(body) else { continue };
        let kind = Kind::ContainerRegistry;
        let field = |key: &str| exported_field(kind, key, body);
        let text = |key: &str| field(key).and_then(Value::as_str);
        let Some(sku) =
            text("sku").and_then(|text| pick(RegistrySku::ALL, RegistrySku::as_str, text))
        else {
            exporting.skip(
                kind.arm_type(),
                id.as_str(),
                "its SKU is not one the estate format knows",
            );
            continue;
        };
        let group = group_of(body);
        exporting.add_scope(&id, kind);
        let diagnostic_settings = crate::export::diagnostics::settings(exporting, &id, kind);
        registries.push(Registry {
            diagnostic_settings,
            location: exporting.own_location(body, &group),
            tags: tags_of(body),
            sku,
            admin_user_enabled: field("adminUserEnabled").and_then(Value::as_bool),
            public_network_access: text("publicNetworkAccess")
                .and_then(|text| pick(PublicNetworkAccess::ALL, PublicNetworkAccess::as_str, text)),
            zone_redundancy: text("zoneRedundancy")
                .and_then(|text| pick(Switch::ALL, Switch::as_str, text)),
            geo_replications: geo_replications(exporting, &id, body),
            private_endpoint: None,
            resource_group: group,
            name,
        });
    }
    registries
}

pub fn export_key_vaults(exporting: &mut Exporting<'_>) -> Vec<KeyVault> {
    let mut vaults = Vec::new();
    let bodies: Vec<&Value> = exporting.inventory.of_kind(Kind::KeyVault).collect();
    for body in bodies {
        let name = name_of(body);
        let Some(id) = id_of(body) else { continue };
        let group = group_of(body);
        let tenant = str_at(body, "/properties/tenantId").map(str::to_owned);
        let sku = str_at(body, "/properties/sku/name")
            .and_then(|text| pick(KeyVaultSku::ALL, KeyVaultSku::as_str, text))
            .filter(|sku| *sku != KeyVaultSku::Standard);
        if bool_at(body, "/properties/enableRbacAuthorization") != Some(true) {
            exporting.notes.push(format!(
                "keyVault/{name} uses access policies, which the estate format does not model \
                 (it grants data-plane access with role assignments only): review `rbacAuthorization: false`"
            ));
        }
        exporting.add_scope(&id, Kind::KeyVault);
        let diagnostic_settings =
            crate::export::diagnostics::settings(exporting, &id, Kind::KeyVault);
        vaults.push(KeyVault {
            diagnostic_settings,
            location: exporting.own_location(body, &group),
            tags: tags_of(body),
            sku,
            tenant_id: tenant.filter(|tenant| exporting.tenant.as_ref() != Some(tenant)),
            // Absent means access policies (ARM's model default): aksctl's default is RBAC.
            rbac_authorization: (bool_at(body, "/properties/enableRbacAuthorization")
                != Some(true))
            .then_some(false),
            soft_delete_retention_days: u32_at(body, "/properties/softDeleteRetentionInDays")
                .filter(|days| *days != DEFAULT_RETENTION_DAYS),
            purge_protection: bool_at(body, "/properties/enablePurgeProtection")
                .filter(|enabled| *enabled),
            public_network_access: public_access_disabled(body),
            private_endpoint: None,
            resource_group: group,
            name,
        });
    }
    vaults
}

pub fn export_storage_accounts(exporting: &mut Exporting<'_>) -> Vec<StorageAccount> {
    let mut accounts = Vec::new();
    let bodies: Vec<&Value> = exporting.inventory.of_kind(Kind::StorageAccount).collect();
    for body in bodies {
        let name = name_of(body);
        let Some(id) = id_of(body) else { continue };
        let Some(sku) = str_at(body, "/sku/name")
            .and_then(|text| pick(StorageSku::ALL, StorageSku::as_str, text))
        else {
            exporting.skip(
                Kind::StorageAccount.arm_type(),
                id.as_str(),
                "its SKU is not one the estate format knows",
            );
            continue;
        };
        let Some(kind) = str_at(body, "/kind")
            .and_then(|text| pick(StorageKind::ALL, StorageKind::as_str, text))
        else {
            exporting.skip(
                Kind::StorageAccount.arm_type(),
                id.as_str(),
                "its kind is not one the estate format knows",
            );
            continue;
        };
        let group = group_of(body);
        exporting.add_scope(&id, Kind::StorageAccount);
        let diagnostic_settings =
            crate::export::diagnostics::settings(exporting, &id, Kind::StorageAccount);
        let mut account = StorageAccount {
            diagnostic_settings,
            location: exporting.own_location(body, &group),
            tags: tags_of(body),
            sku,
            kind: (kind != StorageKind::StorageV2).then_some(kind),
            // aksctl's default is TLS1_2 (ARM's implicit one is TLS1_0): anything else is kept.
            minimum_tls_version: Some(
                str_at(body, "/properties/minimumTlsVersion")
                    .and_then(|text| pick(TlsVersion::ALL, TlsVersion::as_str, text))
                    .unwrap_or(TlsVersion::Tls1_0),
            )
            .filter(|version| *version != TlsVersion::Tls1_2),
            allow_blob_public_access: bool_at(body, "/properties/allowBlobPublicAccess")
                .filter(|allowed| *allowed),
            allow_shared_key_access: bool_at(body, "/properties/allowSharedKeyAccess")
                .filter(|allowed| !allowed),
            public_network_access: public_access_disabled(body),
            blob_versioning: None,
            blob_soft_delete_days: None,
            container_soft_delete_days: None,
            containers: Vec::new(),
            lifecycle_rules: Vec::new(),
            private_endpoint: None,
            resource_group: group,
            name,
        };
        blob_settings(exporting, &id, &mut account);
        lifecycle(exporting, &id, &mut account);
        accounts.push(account);
    }
    accounts
}

/// Versioning, soft delete and containers from `blobServices/default` and its containers.
fn blob_settings(
    exporting: &mut Exporting<'_>,
    account_id: &crate::id::ResourceId,
    account: &mut StorageAccount,
) {
    let inventory = exporting.inventory;
    if let Some(service) = inventory.children_of(account_id, Kind::BlobService).next() {
        account.blob_versioning =
            bool_at(service, "/properties/isVersioningEnabled").filter(|enabled| *enabled);
        let retention = |policy: &str| {
            (bool_at(service, &format!("/properties/{policy}/enabled")) == Some(true))
                .then(|| u32_at(service, &format!("/properties/{policy}/days")))
                .flatten()
        };
        account.blob_soft_delete_days = retention("deleteRetentionPolicy");
        account.container_soft_delete_days = retention("containerDeleteRetentionPolicy");
    }
    let service_id = account_id.child(Kind::BlobService, "default");
    let containers: Vec<&Value> = inventory
        .children_of(&service_id, Kind::BlobContainer)
        .collect();
    for body in containers {
        let name = name_of(body);
        if let Some(id) = id_of(body) {
            exporting.add_scope(&id, Kind::BlobContainer);
        }
        account.containers.push(BlobContainer {
            public_access: str_at(body, "/properties/publicAccess")
                .and_then(|text| {
                    pick(
                        ContainerPublicAccess::ALL,
                        ContainerPublicAccess::as_str,
                        text,
                    )
                })
                .filter(|access| *access != ContainerPublicAccess::None),
            metadata: body
                .pointer("/properties/metadata")
                .and_then(Value::as_object)
                .map(|metadata| {
                    metadata
                        .iter()
                        .filter_map(|(key, value)| Some((key.clone(), value.as_str()?.to_owned())))
                        .collect()
                })
                .unwrap_or_default(),
            name,
        });
    }
}

/// Lifecycle rules from `managementPolicies/default`, when every rule has the shape the estate
/// format models (block-blob base-blob tiering/deletion by days since modification, prefix
/// filters); otherwise the policy is listed as not exported.
fn lifecycle(
    exporting: &mut Exporting<'_>,
    account_id: &crate::id::ResourceId,
    account: &mut StorageAccount,
) {
    let Some(policy) = exporting
        .inventory
        .children_of(account_id, Kind::StorageManagementPolicy)
        .next()
    else {
        return;
    };
    let rules = policy
        .pointer("/properties/policy/rules")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let mut converted = Vec::new();
    for rule in &rules {
        match lifecycle_rule(rule) {
            Some(rule) => converted.push(rule),
            None => {
                let id = id_of(policy).map(|id| id.to_string()).unwrap_or_default();
                exporting.skip(
                    Kind::StorageManagementPolicy.arm_type(),
                    id.as_str(),
                    format!(
                        "rule `{}` uses lifecycle features the estate format does not model; \
                         after adoption `aksctl plan` would not manage this policy",
                        str_at(rule, "/name").unwrap_or("?")
                    ),
                );
                return;
            }
        }
    }
    account.lifecycle_rules = converted;
}

fn lifecycle_rule(rule: &Value) -> Option<LifecycleRule> {
    if !str_at(rule, "/type").is_some_and(|kind| kind.eq_ignore_ascii_case("Lifecycle")) {
        return None;
    }
    let definition = rule.get("definition")?;
    let actions = definition.get("actions")?.as_object()?;
    if actions.keys().any(|key| key != "baseBlob") {
        return None;
    }
    let base_blob = actions.get("baseBlob")?.as_object()?;
    let mut days = std::collections::BTreeMap::new();
    for (action, condition) in base_blob {
        let condition = condition.as_object()?;
        if condition.len() != 1 {
            return None;
        }
        let value = condition.get("daysAfterModificationGreaterThan")?;
        days.insert(action.as_str(), u32_at(value, "")?);
    }
    if days
        .keys()
        .any(|action| !matches!(*action, "tierToCool" | "tierToArchive" | "delete"))
    {
        return None;
    }
    let filters = definition.get("filters");
    if let Some(filters) = filters.and_then(Value::as_object) {
        if filters
            .keys()
            .any(|key| key != "blobTypes" && key != "prefixMatch")
        {
            return None;
        }
    }
    let blob_types = filters
        .map(|filters| strings_at(filters, "/blobTypes"))
        .unwrap_or_default();
    if blob_types != ["blockBlob"] {
        return None;
    }
    Some(LifecycleRule {
        name: str_at(rule, "/name")?.to_owned(),
        enabled: bool_at(rule, "/enabled").filter(|enabled| !enabled),
        prefixes: filters
            .map(|filters| strings_at(filters, "/prefixMatch"))
            .unwrap_or_default(),
        tier_to_cool_after_days: days.get("tierToCool").copied(),
        tier_to_archive_after_days: days.get("tierToArchive").copied(),
        delete_after_days: days.get("delete").copied(),
    })
}
