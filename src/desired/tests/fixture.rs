//! Fixture estates: one that uses every feature lowering knows, one with a bring-your-own
//! kubelet identity.

pub(super) const FIXTURE: &str = r#"
apiVersion: aksctl.dev/v1alpha1
kind: Estate
metadata: {name: northwind}
subscription: 00000000-0000-0000-0000-000000000001
location: eastus
tags: {env: prod, costCenter: "42"}
resourceGroups:
  - name: rg-platform
  - name: rg-dr
    location: centralus
    tags: {env: dr}
registries:
  - name: acrnorthwind
    resourceGroup: rg-platform
    sku: Premium
    adminUserEnabled: false
    zoneRedundancy: Enabled
    geoReplications: [centralus]
keyVaults:
  - name: kv-northwind
    resourceGroup: rg-platform
    softDeleteRetentionDays: 90
    purgeProtection: true
    publicNetworkAccess: Disabled
  - name: kv-scratch
    resourceGroup: rg-platform
    purgeProtection: false
storageAccounts:
  - name: stnorthwindbackups
    resourceGroup: rg-platform
    sku: Standard_ZRS
    allowBlobPublicAccess: false
    allowSharedKeyAccess: false
    blobVersioning: true
    blobSoftDeleteDays: 14
    containerSoftDeleteDays: 7
    containers:
      - name: velero
      - name: exports
        metadata: {owner: data}
    lifecycleRules:
      - name: ageout
        prefixes: [velero/]
        tierToCoolAfterDays: 30
        tierToArchiveAfterDays: 90
        deleteAfterDays: 365
identities:
  - name: id-aks-control
    resourceGroup: rg-platform
  - name: id-orders
    resourceGroup: rg-platform
    federatedCredentials:
      - name: orders
        clusters: [aks-east, aks-central]
        serviceAccount: orders/orders-api
      - name: github
        issuer: https://token.actions.githubusercontent.com
        subject: repo:northwind/orders:ref:refs/heads/main
clusters:
  - name: aks-east
    resourceGroup: rg-platform
    kubernetesVersion: "1.33"
    tier: Standard
    identity: {type: UserAssigned, userAssigned: id-aks-control}
    apiServer: {authorizedIpRanges: [203.0.113.0/24]}
    workloadIdentity: true
    network:
      plugin: azure
      pluginMode: overlay
      policy: cilium
      dataplane: cilium
      podCidr: 10.244.0.0/16
      serviceCidr: 10.0.0.0/16
      dnsServiceIp: 10.0.0.10
      outboundType: loadBalancer
    entra: {azureRbac: true, adminGroupObjectIds: [22222222-2222-2222-2222-222222222222]}
    localAccounts: false
    autoUpgrade: {channel: patch, nodeOsChannel: NodeImage}
    maintenanceWindow: {day: Sunday, startTime: "02:00", durationHours: 4}
    addons:
      monitoring: {logAnalyticsWorkspaceId: /subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-platform/providers/Microsoft.OperationalInsights/workspaces/law-northwind}
      keyVaultSecretsProvider: {rotation: true, rotationInterval: 2m}
      azurePolicy: {}
      istio: {revisions: [asm-1-25], internalIngressGateway: true}
    acrPull: [acrnorthwind]
    pools:
      - name: system
        mode: System
        vmSize: Standard_D4ds_v5
        count: 3
        zones: [1, 2, 3]
        criticalAddonsOnly: true
        maxSurge: 33%
      - name: apps
        vmSize: Standard_D8ds_v5
        autoscale: {min: 2, max: 10}
        zones: [1, 2, 3]
        osSku: AzureLinux
        maxPods: 50
      - name: spot
        vmSize: Standard_D8ds_v5
        autoscale: {min: 0, max: 20}
        spot: {evictionPolicy: Delete, maxPrice: -1}
        taints: ["workload=batch:NoSchedule"]
        labels: {workload: batch}
  - name: aks-central
    resourceGroup: rg-dr
    kubernetesVersion: "1.33"
    workloadIdentity: true
    pools:
      - {name: system, mode: System, vmSize: Standard_D4ds_v5, count: 2}
roleAssignments:
  - principal: {identity: id-orders}
    role: Key Vault Secrets User
    scope: keyVault/kv-northwind
  - name: control-plane-network
    principal: {clusterIdentity: aks-east}
    role: Network Contributor
    scope: resourceGroup/rg-platform
  - principal: {clusterIdentity: aks-central}
    role: Azure Kubernetes Service RBAC Reader
    scope: cluster/aks-central
  - principal: {objectId: 33333333-3333-3333-3333-333333333333, principalType: Group}
    role: Storage Blob Data Reader
    scope: storageContainer/stnorthwindbackups/exports
"#;

pub(super) const KUBELET_ESTATE: &str = r#"
apiVersion: aksctl.dev/v1alpha1
kind: Estate
metadata: {name: byo}
subscription: 00000000-0000-0000-0000-000000000001
location: westeurope
resourceGroups: [{name: rg-a}]
registries: [{name: acrbyo, resourceGroup: rg-a, sku: Standard}]
identities:
  - {name: id-control, resourceGroup: rg-a}
  - {name: id-kubelet, resourceGroup: rg-a}
clusters:
  - name: aks-a
    resourceGroup: rg-a
    identity: {type: UserAssigned, userAssigned: id-control}
    kubeletIdentity: id-kubelet
    acrPull: [acrbyo]
    pools: [{name: system, mode: System, vmSize: Standard_D4ds_v5, count: 1}]
roleAssignments:
  - principal: {clusterKubelet: aks-a}
    role: AcrPull
    scope: registry/acrbyo
  - principal: {clusterIdentity: aks-a}
    role: Managed Identity Operator
    scope: identity/id-kubelet
"#;
