//! Lowering of resource groups, container registries and key vaults.

use serde_json::{json, Map, Value};

use crate::desired::context::{
    address_of, address_of_resource, estate_value, insert_some, Lowering,
};
use crate::desired::lower::LowerError;
use crate::desired::DesiredResource;
use crate::kind::fields::lower_fields;
use crate::kind::Kind;
use crate::spec::types::{KeyVaultSku, TrackedResource};

/// `resourceGroup/<name>`: `{location, tags}`.
pub fn lower_resource_groups(lowering: &mut Lowering<'_>) {
    for group in &lowering.estate.resource_groups {
        let mut body = Map::new();
        let location = group
            .location
            .as_deref()
            .unwrap_or(lowering.estate.location.as_str());
        body.insert(
            "location".to_string(),
            Value::String(crate::desired::context::canonical_location(location)),
        );
        body.insert("tags".to_string(), lowering.tags(&group.tags));
        let resource = DesiredResource {
            address: address_of(Kind::ResourceGroup, &[&group.name]),
            kind: Kind::ResourceGroup,
            id: lowering.group_id(&group.name),
            body: Value::Object(body),
            deferred: Vec::new(),
            depends_on: Vec::new(),
        };
        lowering.push(resource);
    }
}

/// `registry/<name>`: sku and the declared switches. Geo-replicas are their own resources
/// (`replication.rs`).
pub fn lower_registries(lowering: &mut Lowering<'_>) -> Result<(), LowerError> {
    for registry in &lowering.estate.registries {
        let address = address_of_resource(registry);
        let mut body = lowering.tracked_body(
            registry.location.as_deref(),
            &registry.resource_group,
            &registry.tags,
        );
        lower_fields(registry.kind(), &estate_value(registry), &mut body);
        let resource = DesiredResource {
            address: address.clone(),
            kind: registry.kind(),
            id: lowering.id_of(registry),
            body: Value::Object(body),
            deferred: Vec::new(),
            depends_on: vec![lowering.group_address(
                &registry.resource_group,
                &address,
                "resourceGroup",
            )?],
        };
        lowering.push(resource);
    }
    Ok(())
}

/// `keyVault/<name>`: tenant, sku, RBAC, soft delete and purge protection, network access.
///
/// `accessPolicies: []` is always sent: ARM requires the list when it creates a vault, and the
/// estate models data-plane access with Azure RBAC role assignments only (it has no access
/// policies). `enablePurgeProtection` is sent only when true: false is ARM's default and ARM
/// rejects `false` once protection is on.
pub fn lower_key_vaults(lowering: &mut Lowering<'_>) -> Result<(), LowerError> {
    for vault in &lowering.estate.key_vaults {
        let address = address_of(Kind::KeyVault, &[&vault.name]);
        let tenant = vault
            .tenant_id
            .as_ref()
            .or(lowering.estate.tenant_id.as_ref())
            .or(lowering.context.tenant_id.as_ref())
            .filter(|tenant| !tenant.trim().is_empty())
            .ok_or_else(|| LowerError::MissingTenant {
                vault: vault.name.clone(),
            })?;
        let mut body = lowering.tracked_body(
            vault.location.as_deref(),
            &vault.resource_group,
            &vault.tags,
        );
        let sku = vault.sku.unwrap_or(KeyVaultSku::Standard);
        let mut properties = Map::new();
        properties.insert("tenantId".to_string(), Value::String(tenant.clone()));
        properties.insert(
            "sku".to_string(),
            json!({"family": "A", "name": sku.as_str()}),
        );
        properties.insert(
            "enableRbacAuthorization".to_string(),
            Value::Bool(vault.rbac_authorization.unwrap_or(true)),
        );
        properties.insert("accessPolicies".to_string(), json!([]));
        insert_some(
            &mut properties,
            "softDeleteRetentionInDays",
            vault.soft_delete_retention_days,
        );
        if vault.purge_protection == Some(true) {
            properties.insert("enablePurgeProtection".to_string(), Value::Bool(true));
        }
        insert_some(
            &mut properties,
            "publicNetworkAccess",
            vault.public_network_access.map(|access| access.as_str()),
        );
        body.insert("properties".to_string(), Value::Object(properties));
        let resource = DesiredResource {
            address: address.clone(),
            kind: Kind::KeyVault,
            id: lowering.id_of(vault),
            body: Value::Object(body),
            deferred: Vec::new(),
            depends_on: vec![lowering.group_address(
                &vault.resource_group,
                &address,
                "resourceGroup",
            )?],
        };
        lowering.push(resource);
    }
    Ok(())
}
