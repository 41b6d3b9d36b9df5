"""Which input changes replace a resource: the providers' facts, shared by the offline diff
(tools/review/plan_diff.py) and the plan-to-plan transition harness (tests/transitions.py).

A replacement is what a reviewer must not miss: the old object is deleted (or refused, when it is
protected) and a new one created with a new id, and everything that referred to the old id follows.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# Inputs whose change makes the provider create a new resource (terraform-provider-aws `ForceNew`,
# pulumi-kubernetes' identity fields), for the types this program creates.
REPLACED_BY: dict[str, frozenset[str]] = {
    "aws:ec2/vpc:Vpc": frozenset({"cidrBlock", "instanceTenancy"}),
    "aws:ec2/subnet:Subnet": frozenset({"vpcId", "cidrBlock", "availabilityZone", "availabilityZoneId"}),
    "aws:ec2/routeTable:RouteTable": frozenset({"vpcId"}),
    "aws:ec2/route:Route": frozenset({"routeTableId", "destinationCidrBlock"}),
    "aws:ec2/routeTableAssociation:RouteTableAssociation": frozenset({"subnetId", "gatewayId"}),
    "aws:ec2/eip:Eip": frozenset({"domain", "address", "publicIpv4Pool"}),
    "aws:ec2/natGateway:NatGateway": frozenset({"subnetId", "allocationId", "connectivityType"}),
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": frozenset({"vpcId"}),
    "aws:ec2/securityGroup:SecurityGroup": frozenset({"vpcId", "name", "description"}),
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": frozenset({"securityGroupId"}),
    "aws:ec2/vpcEndpoint:VpcEndpoint": frozenset({"vpcId", "serviceName", "vpcEndpointType"}),
    "aws:ec2/vpcEndpointRouteTableAssociation:VpcEndpointRouteTableAssociation": frozenset(
        {"vpcEndpointId", "routeTableId"}
    ),
    "aws:ec2/vpcEndpointSubnetAssociation:VpcEndpointSubnetAssociation": frozenset({"vpcEndpointId", "subnetId"}),
    "aws:ec2/tag:Tag": frozenset({"resourceId", "key"}),
    "aws:ec2/keyPair:KeyPair": frozenset({"keyName", "publicKey"}),
    "aws:iam/role:Role": frozenset({"name", "path"}),
    "aws:iam/policy:Policy": frozenset({"name", "path", "description"}),
    "aws:iam/instanceProfile:InstanceProfile": frozenset({"name", "path"}),
    "aws:iam/rolePolicy:RolePolicy": frozenset({"name", "role"}),
    "aws:iam/userPolicy:UserPolicy": frozenset({"name", "user"}),
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": frozenset({"role", "policyArn"}),
    "aws:iam/userPolicyAttachment:UserPolicyAttachment": frozenset({"user", "policyArn"}),
    "tls:index/privateKey:PrivateKey": frozenset({"algorithm", "rsaBits", "ecdsaCurve"}),
    # pulumi-vsphere: every SupervisorV2 input is ForceNew; the namespace and the VM class are replaced
    # on a rename by the program's replace_on_changes (the provider would update a missing object).
    "vsphere:index/supervisorV2:SupervisorV2": frozenset({"name", "cluster", "zones", "controlPlane", "workloads"}),
    "vsphere:index/namespace:Namespace": frozenset({"name", "supervisor"}),
    "vsphere:index/virtualMachineClass:VirtualMachineClass": frozenset({"name"}),
    "aws:ec2/instance:Instance": frozenset(
        {"ami", "availabilityZone", "subnetId", "associatePublicIpAddress", "keyName"}
    ),
    "aws:s3/bucket:Bucket": frozenset({"bucket"}),
    "aws:lb/loadBalancer:LoadBalancer": frozenset({"name", "internal", "loadBalancerType"}),
    "aws:lb/targetGroup:TargetGroup": frozenset({"name", "port", "protocol", "targetType", "vpcId"}),
}
# Inputs that force a new resource only when another input says so.
REPLACED_WHEN: dict[tuple[str, str], str] = {("aws:ec2/instance:Instance", "userData"): "userDataReplaceOnChange"}
# Every Kubernetes object is identified by name and namespace (pulumi-kubernetes provider/diff.go).
KUBERNETES_REPLACED_BY = frozenset({"metadata.name", "metadata.namespace"})
# What replacing one of these costs beyond itself, for the types where it is the worst a diff can hide.
REPLACEMENT_COSTS: dict[str, str] = {
    "vsphere:index/namespace:Namespace": "replaces the namespace: deletes every TKG cluster in it",
    "vsphere:index/supervisorV2:SupervisorV2": "replaces the Supervisor: deletes every namespace and cluster on it",
    "aws:ec2/vpc:Vpc": "replaces the VPC: every subnet, route table and cluster machine in it goes with it",
    "aws:ec2/subnet:Subnet": "replaces the subnet: the machines and load balancers in it must leave it first",
}


def top_key(key: str) -> str:
    """The input a flattened path starts with: `tags` of `tags.Name`, `statement` of `statement[0]`."""
    return key.split(".", 1)[0].split("[", 1)[0]


def forces_new(type_token: str, inputs: Mapping[str, Any], key: str) -> bool:
    """Whether a change of input `key` (a flattened path) makes the provider create a new resource."""
    if type_token.startswith("kubernetes:"):
        return key in KUBERNETES_REPLACED_BY
    switch = REPLACED_WHEN.get((type_token, top_key(key)))
    if switch is not None:
        return bool(inputs.get(switch))
    return top_key(key) in REPLACED_BY.get(type_token, frozenset())
