//! Unit tests of export's reads (against a fake reader), its conversion of raw ARM bodies to an
//! estate (references, defaults, what is skipped), the YAML it writes, and adoption planning.
//! `mod.rs` holds the fixture: a resource group as AKS and `az` leave it.

mod conversion;
mod gitops;
mod reads_and_adoption;
mod schedules;

use serde_json::{json, Value};

use super::Inventory;

pub(super) const SUB: &str = "00000000-0000-0000-0000-000000000001";
pub(super) const TENANT: &str = "00000000-0000-0000-0000-00000000a0a0";
pub(super) const GROUP: &str = "rg-app";
pub(super) const ISSUER: &str = "https://eastus.oic.prod-aks.azure.com/tenant/guid/";
pub(super) const KUBELET_OBJECT: &str = "11111111-1111-1111-1111-111111111111";
pub(super) const SYSTEM_PRINCIPAL: &str = "22222222-2222-2222-2222-222222222222";
pub(super) const IDENTITY_PRINCIPAL: &str = "33333333-3333-3333-3333-333333333333";
pub(super) const ADDON_OBJECT: &str = "44444444-4444-4444-4444-444444444444";
pub(super) const GROUP_OBJECT: &str = "55555555-5555-5555-5555-555555555555";

pub(super) fn id(provider_type: &str, name: &str) -> String {
    format!("/subscriptions/{SUB}/resourceGroups/{GROUP}/providers/{provider_type}/{name}")
}

pub(super) fn cluster_id() -> String {
    id("Microsoft.ContainerService/managedClusters", "aks-app")
}

pub(super) fn identity_id() -> String {
    id("Microsoft.ManagedIdentity/userAssignedIdentities", "id-api")
}

pub(super) fn registry_id() -> String {
    id("Microsoft.ContainerRegistry/registries", "acrapp")
}

pub(super) fn account_id() -> String {
    id("Microsoft.Storage/storageAccounts", "stapp")
}

pub(super) fn assignment(
    scope: &str,
    name: &str,
    role_guid: &str,
    principal: &str,
    kind: &str,
) -> Value {
    json!({"id": format!("{scope}/providers/Microsoft.Authorization/roleAssignments/{name}"),
           "type": "Microsoft.Authorization/roleAssignments",
           "properties": {"scope": scope, "principalId": principal, "principalType": kind,
                          "roleDefinitionId": format!("/subscriptions/{SUB}/providers/Microsoft.Authorization/roleDefinitions/{role_guid}")}})
}

/// A group as AKS and `az` leave it: defaults filled in, extra tags, random assignment names.
pub(super) fn inventory() -> Inventory {
    let tags = json!({"createdBy": "az", "env": "prod"});
    let node_group = format!("/subscriptions/{SUB}/resourceGroups/MC_rg-app_aks-app_eastus");
    Inventory {
        subscription: SUB.to_owned(),
        groups: vec![json!({"id": format!("/subscriptions/{SUB}/resourceGroups/{GROUP}"),
                            "type": "Microsoft.Resources/resourceGroups", "location": "East US",
                            "tags": tags})],
        resources: vec![
            json!({"id": registry_id(), "type": "Microsoft.ContainerRegistry/registries", "location": "eastus",
                   "tags": tags, "sku": {"name": "Premium", "tier": "Premium"},
                   "properties": {"adminUserEnabled": false, "publicNetworkAccess": "Enabled",
                                  "zoneRedundancy": "Disabled", "provisioningState": "Succeeded",
                                  "loginServer": "acrapp.azurecr.io"}}),
            json!({"id": id("Microsoft.KeyVault/vaults", "kv-app"), "type": "Microsoft.KeyVault/vaults",
                   "location": "eastus", "tags": tags,
                   "properties": {"tenantId": TENANT, "sku": {"family": "A", "name": "standard"},
                                  "enableRbacAuthorization": true, "softDeleteRetentionInDays": 90,
                                  "enablePurgeProtection": true, "publicNetworkAccess": "Disabled",
                                  "vaultUri": "https://kv-app.vault.azure.net/"}}),
            json!({"id": account_id(), "type": "Microsoft.Storage/storageAccounts", "location": "westus",
                   "tags": {"createdBy": "az", "env": "prod", "data": "backups"},
                   "kind": "StorageV2", "sku": {"name": "Standard_LRS"},
                   "properties": {"minimumTlsVersion": "TLS1_2", "allowBlobPublicAccess": false,
                                  "allowSharedKeyAccess": false, "accessTier": "Hot"}}),
            json!({"id": identity_id(), "type": "Microsoft.ManagedIdentity/userAssignedIdentities",
                   "location": "eastus", "tags": tags,
                   "properties": {"tenantId": TENANT, "principalId": IDENTITY_PRINCIPAL, "clientId": "c"}}),
            json!({"id": cluster_id(), "type": "Microsoft.ContainerService/managedClusters",
                   "location": "eastus", "tags": tags, "sku": {"name": "Base", "tier": "Free"},
                   "identity": {"type": "SystemAssigned", "principalId": SYSTEM_PRINCIPAL, "tenantId": TENANT},
                   "properties": {
                       "kubernetesVersion": "1.33", "currentKubernetesVersion": "1.33.2",
                       "dnsPrefix": "aks-app", "fqdn": "aks-app-1234.hcp.eastus.azmk8s.io",
                       "nodeResourceGroup": "MC_rg-app_aks-app_eastus", "enableRBAC": true,
                       "disableLocalAccounts": false, "supportPlan": "KubernetesOfficial",
                       "networkProfile": {"networkPlugin": "azure", "networkPluginMode": "overlay",
                                          "networkDataplane": "azure", "podCidr": "10.244.0.0/16",
                                          "serviceCidr": "10.0.0.0/16", "dnsServiceIP": "10.0.0.10",
                                          "outboundType": "loadBalancer", "loadBalancerSku": "standard"},
                       "oidcIssuerProfile": {"enabled": true, "issuerURL": ISSUER},
                       "securityProfile": {"workloadIdentity": {"enabled": true}},
                       "autoUpgradeProfile": {"upgradeChannel": "none", "nodeOSUpgradeChannel": "NodeImage"},
                       "identityProfile": {"kubeletidentity": {
                           "resourceId": format!("{node_group}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/aks-app-agentpool"),
                           "objectId": KUBELET_OBJECT, "clientId": "k"}},
                       "addonProfiles": {
                           "omsagent": {"enabled": true, "config": {"logAnalyticsWorkspaceResourceID": "/subscriptions/x/resourceGroups/y/providers/Microsoft.OperationalInsights/workspaces/w"},
                                        "identity": {"objectId": ADDON_OBJECT}},
                           "httpApplicationRouting": {"enabled": true},
                           "azurepolicy": {"enabled": false}}
                   }}),
        ],
        children: vec![
            json!({"id": format!("{}/agentPools/system", cluster_id()),
                   "type": "Microsoft.ContainerService/managedClusters/agentPools",
                   "properties": {"mode": "System", "vmSize": "Standard_D4s_v5", "count": 3,
                                  "enableAutoScaling": false, "osType": "Linux", "osSKU": "Ubuntu",
                                  "osDiskSizeGB": 128, "osDiskType": "Managed", "maxPods": 250,
                                  "orchestratorVersion": "1.33.2", "availabilityZones": ["1", "2", "3"],
                                  "nodeTaints": ["CriticalAddonsOnly=true:NoSchedule"],
                                  "upgradeSettings": {"maxSurge": "10%"}, "nodeImageVersion": "x"}}),
            json!({"id": format!("{}/agentPools/spot", cluster_id()),
                   "type": "Microsoft.ContainerService/managedClusters/agentPools",
                   "properties": {"mode": "User", "vmSize": "Standard_D8s_v5", "count": 2,
                                  "enableAutoScaling": true, "minCount": 0, "maxCount": 9,
                                  "osType": "Linux", "maxPods": 60, "scaleSetPriority": "Spot",
                                  "scaleSetEvictionPolicy": "Delete", "spotMaxPrice": -1,
                                  "orchestratorVersion": "1.32",
                                  "nodeTaints": ["kubernetes.azure.com/scalesetpriority=spot:NoSchedule"],
                                  "nodeLabels": {"kubernetes.azure.com/scalesetpriority": "spot", "tier": "batch"},
                                  "upgradeSettings": {"maxSurge": "33%"}}}),
            json!({"id": format!("{}/federatedIdentityCredentials/api", identity_id()),
                   "type": "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials",
                   "properties": {"issuer": ISSUER.trim_end_matches('/'), "subject": "system:serviceaccount:shop:api",
                                  "audiences": ["api://AzureADTokenExchange"]}}),
            json!({"id": format!("{}/federatedIdentityCredentials/github", identity_id()),
                   "type": "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials",
                   "properties": {"issuer": "https://token.actions.githubusercontent.com",
                                  "subject": "repo:org/app:ref:refs/heads/main", "audiences": ["api://AzureADTokenExchange"]}}),
            json!({"id": format!("{}/blobServices/default", account_id()),
                   "type": "Microsoft.Storage/storageAccounts/blobServices",
                   "properties": {"isVersioningEnabled": true,
                                  "deleteRetentionPolicy": {"enabled": true, "days": 14},
                                  "containerDeleteRetentionPolicy": {"enabled": false}}}),
            json!({"id": format!("{}/blobServices/default/containers/backups", account_id()),
                   "type": "Microsoft.Storage/storageAccounts/blobServices/containers",
                   "properties": {"publicAccess": "None", "leaseState": "Available"}}),
            json!({"id": format!("{}/managementPolicies/default", account_id()),
                   "type": "Microsoft.Storage/storageAccounts/managementPolicies",
                   "properties": {"policy": {"rules": [{"enabled": true, "name": "tiering", "type": "Lifecycle",
                       "definition": {"actions": {"baseBlob": {"tierToCool": {"daysAfterModificationGreaterThan": 30},
                                                               "delete": {"daysAfterModificationGreaterThan": 365}}},
                                      "filters": {"blobTypes": ["blockBlob"], "prefixMatch": ["backups/"]}}}]}}}),
        ],
        role_assignments: vec![
            assignment(&registry_id(), "random-1", "7f951dda-4ed3-4680-a7ca-43fe172d538d", KUBELET_OBJECT, "ServicePrincipal"),
            assignment(&id("Microsoft.KeyVault/vaults", "kv-app"), "random-2", "4633458b-17de-408a-b874-0445c86b69e6", IDENTITY_PRINCIPAL, "ServicePrincipal"),
            assignment(&format!("{}/blobServices/default/containers/backups", account_id()), "random-3", "ba92f5b4-2d11-453d-a403-e96b0029c9fe", IDENTITY_PRINCIPAL, "ServicePrincipal"),
            assignment(&cluster_id(), "random-4", "b1ff04bb-8a4e-4dc4-8eb5-8693973ce19b", GROUP_OBJECT, "Group"),
            assignment(&format!("/subscriptions/{SUB}/resourceGroups/rg-network"), "random-5", "4d97b98b-1d4f-4787-a291-c67834d212e7", SYSTEM_PRINCIPAL, "ServicePrincipal"),
            assignment(&format!("/subscriptions/{SUB}/resourceGroups/{GROUP}"), "random-6", "acdd72a7-3385-48ef-bd42-f606fba81ae7", GROUP_OBJECT, "Group"),
            // AKS's own: inside the node resource group, and an add-on identity's grant.
            assignment(&node_group, "random-7", "b24988ac-6180-42a0-ab88-20f7382dd24c", KUBELET_OBJECT, "ServicePrincipal"),
            assignment(&format!("/subscriptions/{SUB}/resourceGroups/{GROUP}"), "random-8", "3913510d-42f4-4e42-8a64-420c390055eb", ADDON_OBJECT, "ServicePrincipal"),
            // Someone else's grant elsewhere: not this estate's business.
            assignment(&format!("/subscriptions/{SUB}/resourceGroups/rg-other"), "random-9", "b24988ac-6180-42a0-ab88-20f7382dd24c", GROUP_OBJECT, "Group"),
        ],
        others: vec![(
            "Microsoft.Network/virtualNetworks".to_owned(),
            format!("/subscriptions/{SUB}/resourceGroups/{GROUP}/providers/Microsoft.Network/virtualNetworks/vnet-app"),
        )],
        unlisted_groups: Vec::new(),
        role_assignments_unreadable: None,
        collections_read: 0,
    }
}
