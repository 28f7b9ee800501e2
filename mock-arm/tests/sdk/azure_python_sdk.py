"""Checks that the official Azure Python management SDKs work unchanged against mock-arm.

Manual check (not run by cargo test): needs `pip install azure-mgmt-resource azure-mgmt-containerservice
azure-mgmt-msi`. Start `mock-arm --listen 127.0.0.1:0 --tls`, then run
`python3 azure_python_sdk.py https://127.0.0.1:PORT /tmp/mock-arm-PORT-ca.pem` (azure-core refuses bearer
tokens over plain http, hence --tls). Exits non-zero on the first failure.
"""
import sys
from azure.core.credentials import AccessToken
from azure.mgmt.resource.resources import ResourceManagementClient
from azure.mgmt.containerservice import ContainerServiceClient
from azure.mgmt.msi import ManagedServiceIdentityClient

class Static:
    def get_token(self, *scopes, **kw):
        return AccessToken("static-test-token", 4102444800)

url, ca = sys.argv[1], sys.argv[2]
sub = "00000000-0000-0000-0000-000000000001"
kw = dict(base_url=url, credential_scopes=[url + "/.default"], connection_verify=ca, polling_interval=0)
rm = ResourceManagementClient(Static(), sub, **kw)
print("rg", rm.resource_groups.create_or_update("rg-sdk", {"location": "eastus"}).properties.provisioning_state)
print("groups", [g.name for g in rm.resource_groups.list()])
msi = ManagedServiceIdentityClient(Static(), sub, **kw)
ident = msi.user_assigned_identities.create_or_update("rg-sdk", "id-sdk", {"location": "eastus"})
print("identity", ident.client_id is not None)
aks = ContainerServiceClient(Static(), sub, **kw)
poller = aks.managed_clusters.begin_create_or_update("rg-sdk", "aks-sdk", {
  "location": "eastus", "identity": {"type": "SystemAssigned"}, "properties": {"dnsPrefix": "aks-sdk",
  "agentPoolProfiles": [{"name": "system", "mode": "System", "count": 1, "vmSize": "Standard_D2s_v5"}]}})
cluster = poller.result()
assert cluster.provisioning_state == "Succeeded"
print("cluster", cluster.provisioning_state, cluster.current_kubernetes_version, cluster.fqdn)
pool = aks.agent_pools.begin_create_or_update("rg-sdk", "aks-sdk", "user", {"properties": {"count": 2, "vmSize": "Standard_D2s_v5", "mode": "User"}}).result()
print("pool", pool.provisioning_state, pool.max_pods)
aks.agent_pools.begin_delete("rg-sdk", "aks-sdk", "user").result()
print("pools", [p.name for p in aks.agent_pools.list("rg-sdk", "aks-sdk")])
aks.managed_clusters.begin_delete("rg-sdk", "aks-sdk").result()
rm.resource_groups.begin_delete("rg-sdk").result()
assert not rm.resource_groups.check_existence("rg-sdk")
print("exists after delete", rm.resource_groups.check_existence("rg-sdk"))
