"""The component package's output types: the stack outputs' groups, name for name.

The outputs table of docs/outputs.md is the contract (tests/test_outputs_contract.py); the package's
components return the same groups under the same names, typed here so that every language's SDK
knows them (tests/package/test_package.py checks them against it).
"""

from typing import Any, NotRequired, TypedDict


class NetworkOutputs(TypedDict):
    """The VPC and its subnets, as the stack output `network`."""

    vpcId: str
    availabilityZones: list[str]
    """In the order of network.availabilityZones."""
    publicSubnetIds: dict[str, str]
    """Keyed by AZ name."""
    privateSubnetIds: dict[str, str]
    """Keyed by AZ name."""
    natGatewayPublicIps: dict[str, str]
    """Keyed by AZ name; empty with natGateways none or an existing VPC."""
    outpostSubnetIds: NotRequired[dict[str, str]]
    """Keyed by AZ name; only with an EKS local cluster."""
    publicRouteTableId: NotRequired[str]
    """The public subnets' route table; only when the stack creates the VPC."""
    privateRouteTableIds: NotRequired[dict[str, str]]
    """Keyed by AZ name; only when the stack creates the VPC."""


class KeyPairOutputs(TypedDict):
    """The EC2 key pair, as the stack output `keyPair`."""

    name: str
    """AWS_SSH_KEY_NAME."""
    fingerprint: str
    keyPairId: str


class IamOutputs(TypedDict):
    """The management account's TKG / CAPA IAM set, as the stack output `iam`; maps keyed by role
    (controlPlane, nodes, controllers)."""

    roleArns: dict[str, str]
    roleNames: dict[str, str]
    instanceProfileArns: dict[str, str]
    instanceProfileNames: dict[str, str]
    policyArns: dict[str, str]


class WorkloadAccountOutputs(TypedDict):
    """One workload account, as an entry of the stack output `workloadAccounts`."""

    accountId: str
    controllersRoleArn: str
    identityName: str
    """AWS_IDENTITY_REF_NAME."""
    identityKind: str
    keyPairName: NotRequired[str]
    """Absent with keyPair false."""
    tkgClusterConfig: dict[str, str]
    """TKG variables for a cluster in that account."""


class GpuOutputs(TypedDict):
    """The GPU operator add-on, as the stack output `gpu`."""

    delivery: str
    managementNamespace: str
    clusterSelector: dict[str, Any]
    clusterLabels: dict[str, str]
    """The labels a workload Cluster needs."""
    labelCommand: str
    tkgClusterConfig: dict[str, str]
    helmChartProxy: NotRequired[str]
    chartVersion: NotRequired[str]
    operatorNamespace: NotRequired[str]
    clusterResourceSet: NotRequired[str]
    configMaps: NotRequired[list[str]]
    manifests: NotRequired[list[dict[str, str]]]


class OpenShiftMachinesOutputs(TypedDict):
    """The machines, keyed by name (bootstrap, master-0, worker-us-east-1a-0, ...)."""

    instanceIds: dict[str, str]
    privateIps: dict[str, str]
    bootstrapAddress: NotRequired[str]
    """For openshift-install gather bootstrap; only while the bootstrap exists."""


class OpenShiftOutputs(TypedDict):
    """The cluster's infrastructure, as the stack output `openshift`; all but the install-config
    values only once openshift.infraId is set."""

    installConfig: dict[str, Any]
    """install-config.yaml without pullSecret and sshKey, from the config alone."""
    privateHostedZoneId: NotRequired[str]
    apiServerDnsName: NotRequired[str]
    apiDnsName: NotRequired[str]
    loadBalancerNames: NotRequired[dict[str, str]]
    loadBalancerDnsNames: NotRequired[dict[str, str]]
    loadBalancerFullNames: NotRequired[dict[str, str]]
    """CloudWatch's LoadBalancer dimension (net/<name>/<id>)."""
    targetGroupArns: NotRequired[dict[str, str]]
    securityGroupIds: NotRequired[dict[str, str]]
    roleArns: NotRequired[dict[str, str]]
    instanceProfileNames: NotRequired[dict[str, str]]
    bucketName: NotRequired[str]
    bootstrapIgnitionLocation: NotRequired[str]
    ignitionKeyArn: NotRequired[str]
    """The KMS key of the ignition object."""
    machineNetwork: str
    controlPlaneAvailabilityZones: list[str]
    public: bool
    machines: NotRequired[OpenShiftMachinesOutputs]
    """Only with openshift.rhcosAmi."""


class EksLocalClusterOutputs(TypedDict):
    """The local cluster, as the stack output `eksLocalCluster`."""

    clusterName: str
    clusterId: str
    """The id a local cluster's tokens name (aws eks get-token --cluster-id)."""
    endpoint: str
    certificateAuthority: str
    outpostSubnetIds: dict[str, str]
    clusterRoleArn: str
    nodeRoleArn: str
    securityGroupId: str
    """The cluster security group EKS created, which nodes use and the API rules open."""
    autoScalingGroupName: str
    """The `nodes` group's."""
    autoScalingGroupNames: dict[str, str]
    """Every node group's, keyed by its name."""
    kubeconfig: str
    """Authenticates as the stack's creator (aws eks get-token with --role-arn or AWS_PROFILE)."""
    disconnectedKubeconfig: str
    """The x.509 client certificate and key read from files beside it."""
    controlPlaneHosts: str
    """/etc/hosts lines: the control plane's fixed private addresses."""


class VsphereOutputs(TypedDict):
    """The vSphere TKG Service, as the stack output `vsphere`."""

    supervisorId: str
    vmClasses: dict[str, dict[str, Any]]
    """Keyed by class name: cpus, memoryMiB, reservations, vgpuProfiles."""
    namespaces: dict[str, dict[str, Any]]
    """Keyed by namespace: the VM classes and StorageClasses bound to it."""
    clusters: dict[str, dict[str, Any]]
    """Keyed by cluster name: namespace, kind, class, version, node pools, kubeconfig Secret, login, status."""
    steps: list[str]
    """What pulumi-vsphere cannot do and the stack does not assume (permissions, limits, the TKR library...)."""
