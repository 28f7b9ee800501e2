//! Diagnostic settings (`diagnosticSettings:`) on a cluster, key vault, registry or storage
//! account: which logs and metrics go to which Log Analytics workspace. A resource that declares
//! the key (even `[]`) owns its settings whole; one that does not is never read for them.

use serde::{Deserialize, Serialize};

use crate::spec::types::{EstateList, TrackedResource};

/// One diagnostic setting (`Microsoft.Insights/diagnosticSettings`) of the resource declaring it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DiagnosticSetting {
    /// The setting's name (unique on its resource).
    pub name: String,
    /// The destination: a workspace of `logAnalyticsWorkspaces` by name, or the ARM id of one
    /// outside the estate.
    pub workspace: String,
    /// Log categories, as ARM spells them for the resource's type (`kube-audit-admin`,
    /// `AuditEvent`, ...).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub logs: Vec<String>,
    /// Log category groups (`allLogs`, `audit`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub category_groups: Vec<String>,
    /// Metric categories (`AllMetrics`; `Transaction`, `Capacity` on storage).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub metrics: Vec<String>,
    /// Where the logs land in the workspace; defaults to `resourceSpecific` on clusters (the
    /// AKS docs' recommendation) and to ARM's default (`azureDiagnostics`) elsewhere.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub destination_table: Option<DestinationTable>,
    /// On a storage account: `blob` attaches the setting to its blob service
    /// (`blobServices/default`), where storage logs are; absent, to the account (metrics only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service: Option<StorageService>,
}

string_enum! {
    /// `logAnalyticsDestinationType`: resource-specific tables (`Dedicated`) or `AzureDiagnostics`.
    DestinationTable {
        ResourceSpecific => "resourceSpecific",
        AzureDiagnostics => "azureDiagnostics",
    }
}

string_enum! {
    /// The storage service a setting on a storage account attaches to.
    StorageService {
        Blob => "blob",
    }
}

/// A resource of the estate that declares `diagnosticSettings`, with where it is declared.
#[derive(Clone, Copy)]
pub struct DiagnosticTarget<'estate> {
    /// The estate list declaring it (`clusters`, `keyVaults`, ...).
    pub list: EstateList,
    /// Its index in that list.
    pub index: usize,
    pub resource: &'estate dyn TrackedResource,
    pub settings: &'estate [DiagnosticSetting],
}

impl crate::spec::types::Estate {
    /// Every resource that declares `diagnosticSettings` (even `[]`), in estate order.
    pub fn diagnostic_targets(&self) -> Vec<DiagnosticTarget<'_>> {
        fn of<'estate, T: TrackedResource>(
            items: &'estate [T],
            settings: impl Fn(&'estate T) -> Option<&'estate Vec<DiagnosticSetting>>,
        ) -> Vec<(
            usize,
            &'estate dyn TrackedResource,
            &'estate [DiagnosticSetting],
        )> {
            items
                .iter()
                .enumerate()
                .filter_map(|(index, item)| {
                    settings(item)
                        .map(|found| (index, item as &dyn TrackedResource, found.as_slice()))
                })
                .collect()
        }
        [
            of(&self.clusters, |c| c.diagnostic_settings.as_ref()),
            of(&self.key_vaults, |v| v.diagnostic_settings.as_ref()),
            of(&self.registries, |r| r.diagnostic_settings.as_ref()),
            of(&self.storage_accounts, |a| a.diagnostic_settings.as_ref()),
        ]
        .into_iter()
        .flatten()
        .filter_map(|(index, resource, settings)| {
            Some(DiagnosticTarget {
                list: EstateList::declaring(resource.kind())?,
                index,
                resource,
                settings,
            })
        })
        .collect()
    }
}
