"""Pulumi mocks shared by the tests and the offline plan tool.

`TkgMocks` plays the AWS, TLS and Kubernetes providers: it returns deterministic ids and ARNs
shaped like AWS's (`vpc-0…`, `arn:aws:iam::<account>:role/<name>`), answers the invokes the
program uses, and JSON-encodes the dict inputs the real provider would receive as strings.
Resources created through an explicit aws.Provider land in that provider's account, so ARNs
name the account a resource really lives in.

`RecordingMonitor` is a MockMonitor that also keeps what the engine would see of each resource:
parent, provider, dependencies and options, which the plain mocks do not expose. Aliases are
recorded as the URNs they stand for, resolved the way the engine resolves them (defaults from the
resource itself, and the aliases a resource inherits from its parent's), in the monitor's own URN
form, so a URN of an earlier run can be looked up among them.

`TkgMocks(preview=True)` answers as the engine does during `pulumi preview` of a new stack (run it
with `install(..., preview=True)`, which also puts the SDK in preview mode): every resource and
provider comes back without an id, its inputs as given, and every value only AWS can tell (ARNs,
ids, addresses, fingerprints, a generated key) as `rpc.UNKNOWN`, secret where it would be secret.
What the program derives from those stays unknown too: `.apply` callbacks on them do not run.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

import pulumi
from pulumi.runtime import rpc
from pulumi.runtime.mocks import MockCallArgs, MockMonitor, MockResourceArgs, Mocks
from pulumi.runtime.proto.alias_pb2 import Alias
from pulumi.runtime.proto.resource_pb2 import RegisterResourceRequest, RegisterResourceResponse

MANAGEMENT_ACCOUNT_ID = "111111111111"

# Ids EC2 gives its resources: prefix + 17 hex digits.
_EC2_ID_PREFIXES = {
    "aws:ec2/vpc:Vpc": "vpc",
    "aws:ec2/instance:Instance": "i",
    "aws:ec2/subnet:Subnet": "subnet",
    "aws:ec2/internetGateway:InternetGateway": "igw",
    "aws:ec2/natGateway:NatGateway": "nat",
    "aws:ec2/eip:Eip": "eipalloc",
    "aws:ec2/routeTable:RouteTable": "rtb",
    "aws:ec2/routeTableAssociation:RouteTableAssociation": "rtbassoc",
    "aws:ec2/securityGroup:SecurityGroup": "sg",
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": "sg",
    "aws:ec2/vpcEndpoint:VpcEndpoint": "vpce",
    "aws:ec2/keyPair:KeyPair": "key",
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": "sgr",
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": "sgr",
}
# IAM resources: ARN resource type, and whether the path belongs in the ARN.
_IAM_ARN_KINDS = {
    "aws:iam/role:Role": "role",
    "aws:iam/policy:Policy": "policy",
    "aws:iam/instanceProfile:InstanceProfile": "instance-profile",
}
# Inputs the provider takes as JSON strings but our code may pass as typed documents.
_JSON_STRING_INPUTS = {"assumeRolePolicy", "policy"}


def _digest(*parts: str, length: int = 17) -> str:
    return hashlib.sha256("::".join(parts).encode()).hexdigest()[:length]


@dataclass
class TkgMocks(Mocks):
    """Deterministic stand-in for the providers; the same program always gets the same values."""

    region: str = "us-west-2"
    management_account_id: str = MANAGEMENT_ACCOUNT_ID
    calls: list[str] = field(default_factory=list)
    preview: bool = False
    """Answer as during `pulumi preview`: computed outputs unknown (see the module docstring)."""
    _provider_ids: dict[tuple[str, str], str] = field(default_factory=dict, init=False, repr=False)
    """(type, name) -> the id a provider gets outside a preview: what routes its resources to an account."""

    @property
    def partition(self) -> str:
        if self.region.startswith("us-gov-"):
            return "aws-us-gov"
        return "aws-cn" if self.region.startswith("cn-") else "aws"

    def account_of_provider(self, provider_ref: str | None) -> str:
        """Provider ids are `provider-<account>` (see new_resource), so refs carry the account."""
        if not provider_ref:
            return self.management_account_id
        provider_id = provider_ref.rsplit("::", 1)[-1]
        if provider_id == rpc.UNKNOWN:
            # A preview's new provider has no id yet, but the engine has configured it: its account is known.
            qualified_type, name = provider_ref.split("::")[2:4]
            provider_id = self._provider_ids.get((qualified_type.split("$")[-1], name), "")
        if provider_id.startswith("provider-"):
            return provider_id.removeprefix("provider-")
        return self.management_account_id

    def new_resource(self, args: MockResourceArgs) -> tuple[str, dict[str, Any]]:
        state = {k: self._as_state(k, v) for k, v in args.inputs.items()}
        if args.typ.startswith("pulumi:providers:"):
            provider_id = self._provider_ids[(args.typ, args.name)] = self._provider(args)
            return ("" if self.preview else provider_id), state
        account = self.account_of_provider(args.provider)
        resource_id = self._id(args)
        computed = self._computed(args, account, resource_id)
        if self.preview:
            # Inputs are what the program sent; the rest only exists once AWS has created the resource.
            return "", _preview_state(state, computed)
        state.update(computed)
        return resource_id, state

    def call(self, args: MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]]]:
        """An invoke's result, and no check failures (the SDK's mock monitor reads both)."""
        self.calls.append(args.token)
        return self._answer(args), []

    def _answer(self, args: MockCallArgs) -> dict[str, Any]:
        account = self.account_of_provider(args.provider)
        if args.token == "aws:index/getCallerIdentity:getCallerIdentity":
            return {
                "accountId": account,
                "arn": f"arn:{self.partition}:iam::{account}:user/plan",
                "userId": "AIDAPLAN",
                "id": account,
            }
        if args.token == "aws:iam/getSessionContext:getSessionContext":
            # The plan's caller is a user: its own ARN is the issuer's.
            return {"arn": args.args["arn"], "issuerArn": args.args["arn"], "id": args.args["arn"]}
        if args.token == "aws:index/getPartition:getPartition":
            return {"partition": self.partition, "dnsSuffix": "amazonaws.com", "id": self.partition}
        if args.token == "aws:index/getRegion:getRegion":
            return {"region": self.region, "name": self.region, "id": self.region}
        if args.token == "aws:ec2/getInstances:getInstances":
            return _control_plane_instances(args.args)
        if args.token == "aws:ec2/getVpc:getVpc":
            return {"id": args.args.get("id"), "cidrBlock": "10.0.0.0/16", "enableDnsSupport": True}
        raise NotImplementedError(f"the mocks do not answer {args.token}; add it to tools/plan/mocks.py")

    # --- helpers -----------------------------------------------------------------------------
    def _provider(self, args: MockResourceArgs) -> str:
        allowed = args.inputs.get("allowedAccountIds")
        accounts = json.loads(allowed) if isinstance(allowed, str) else allowed
        if args.typ == "pulumi:providers:aws" and accounts:
            return f"provider-{accounts[0]}"
        return f"{args.name}-provider"  # the management account's, or a non-AWS provider

    def _id(self, args: MockResourceArgs) -> str:
        if args.typ in _EC2_ID_PREFIXES:
            return f"{_EC2_ID_PREFIXES[args.typ]}-0{_digest(args.typ, args.name, length=16)}"
        if args.typ in _IAM_ARN_KINDS:
            return str(args.inputs.get("name", args.name))
        if args.typ == "aws:s3/bucket:Bucket" and args.inputs.get("bucket"):
            return str(args.inputs["bucket"])  # a bucket's id is its name
        return f"{args.name}-{_digest(args.typ, args.name, length=8)}"

    def _computed(self, args: MockResourceArgs, account: str, resource_id: str) -> dict[str, Any]:
        inputs, typ = args.inputs, args.typ
        if typ in _IAM_ARN_KINDS:
            path = inputs.get("path", "/")
            name = inputs.get("name", args.name)
            arn = f"arn:{self.partition}:iam::{account}:{_IAM_ARN_KINDS[typ]}{path}{name}"
            return {"arn": arn, "name": name, "uniqueId": "AROA" + _digest(arn, length=17).upper()}
        if typ == "aws:ec2/eip:Eip":
            octets = hashlib.sha256(args.name.encode()).digest()
            return {"publicIp": f"198.51.100.{octets[0] % 250 + 1}", "allocationId": resource_id}
        if typ == "aws:ec2/keyPair:KeyPair":
            return {
                "arn": f"arn:{self.partition}:ec2:{self.region}:{account}:key-pair/{inputs.get('keyName')}",
                "keyPairId": resource_id,
                "fingerprint": ":".join(_digest("fp", args.name, length=32)[i : i + 2] for i in range(0, 32, 2)),
            }
        if typ == "aws:eks/cluster:Cluster":
            return _local_cluster_state(self.partition, self.region, account, inputs, resource_id)
        if typ == "aws:ec2/launchTemplate:LaunchTemplate":
            return {
                "arn": f"arn:{self.partition}:ec2:{self.region}:{account}:launch-template/{resource_id}",
                "latestVersion": 1,
            }
        if typ == "tls:index/privateKey:PrivateKey":
            return _fake_private_key(args.name)
        if typ in _OPENSHIFT_COMPUTED:
            return _OPENSHIFT_COMPUTED[typ](self, args, account)
        if typ.startswith("aws:"):
            return {"arn": f"arn:{self.partition}:ec2:{self.region}:{account}:{resource_id}"}
        return {}

    @staticmethod
    def _as_state(key: str, value: Any) -> Any:
        if key in _JSON_STRING_INPUTS and rpc.contains_unknowns(value):
            return rpc.UNKNOWN  # a preview's document with an unknown inside is one unknown string
        if key in _JSON_STRING_INPUTS and isinstance(value, dict) and not rpc.is_rpc_secret(value):
            return json.dumps(value)
        return value


def _load_balancer(mocks: TkgMocks, args: MockResourceArgs, account: str) -> dict[str, Any]:
    name = args.inputs.get("name", args.name)
    kind = "net" if args.inputs.get("loadBalancerType") == "network" else "app"
    scheme = "internal-" if args.inputs.get("internal") else ""
    suffix = _digest(args.typ, args.name, length=16)
    where = f"{mocks.partition}:elasticloadbalancing:{mocks.region}:{account}"
    arn = f"arn:{where}:loadbalancer/{kind}/{name}/{suffix}"
    return {
        "arn": arn,
        "arnSuffix": f"{kind}/{name}/{suffix}",
        "name": name,
        "dnsName": f"{scheme}{name}-{suffix}.elb.{mocks.region}.amazonaws.com",
        "zoneId": "Z" + _digest("lb-zone", mocks.region, length=13).upper(),
    }


def _target_group(mocks: TkgMocks, args: MockResourceArgs, account: str) -> dict[str, Any]:
    name = args.inputs.get("name", args.name)
    suffix = _digest(args.typ, args.name, length=16)
    return {"arn": f"arn:{mocks.partition}:elasticloadbalancing:{mocks.region}:{account}:targetgroup/{name}/{suffix}"}


def _hosted_zone(mocks: TkgMocks, args: MockResourceArgs, account: str) -> dict[str, Any]:
    zone_id = "Z" + _digest(args.typ, args.name, length=20).upper()
    return {"zoneId": zone_id, "arn": f"arn:{mocks.partition}:route53:::hostedzone/{zone_id}"}


def _instance(mocks: TkgMocks, args: MockResourceArgs, account: str) -> dict[str, Any]:
    octets = hashlib.sha256(args.name.encode()).digest()
    return {
        "arn": f"arn:{mocks.partition}:ec2:{mocks.region}:{account}:instance/{args.name}",
        "privateIp": f"10.255.{octets[0]}.{octets[1] % 250 + 1}",
    }


def _bucket(mocks: TkgMocks, args: MockResourceArgs, account: str) -> dict[str, Any]:
    name = args.inputs.get("bucket", args.name)
    return {"arn": f"arn:{mocks.partition}:s3:::{name}", "bucket": name}


# Attributes the OpenShift platform reads (records alias load balancers, targets are private IPs).
def _kms_key(mocks: TkgMocks, args: MockResourceArgs, account: str) -> dict[str, Any]:
    digest = _digest(args.typ, args.name, length=32)
    key_id = f"{digest[:8]}-{digest[8:12]}-{digest[12:16]}-{digest[16:20]}-{digest[20:32]}"
    return {"arn": f"arn:{mocks.partition}:kms:{mocks.region}:{account}:key/{key_id}", "keyId": key_id}


_OPENSHIFT_COMPUTED = {
    "aws:kms/key:Key": _kms_key,
    "aws:lb/loadBalancer:LoadBalancer": _load_balancer,
    "aws:lb/targetGroup:TargetGroup": _target_group,
    "aws:route53/zone:Zone": _hosted_zone,
    "aws:ec2/instance:Instance": _instance,
    "aws:s3/bucket:Bucket": _bucket,
}


def _preview_state(state: dict[str, Any], computed: dict[str, Any]) -> dict[str, Any]:
    """`state` and an unknown for each computed value it does not hold, inside nested objects too."""
    merged = dict(state)
    for key, value in computed.items():
        if key not in state:
            merged[key] = _unknown_like(value)
        elif isinstance(value, dict) and isinstance(state[key], dict):
            merged[key] = _preview_state(state[key], value)
    return merged


def _unknown_like(value: Any) -> Any:
    """An unknown in place of `value`, secret if `value` is: a preview never reveals a secret's shape."""
    return rpc.wrap_rpc_secret(rpc.UNKNOWN) if rpc.is_rpc_secret(value) else rpc.UNKNOWN


def _local_cluster_state(
    partition: str, region: str, account: str, inputs: dict[str, Any], resource_id: str
) -> dict[str, Any]:
    """What EKS reports of a cluster: a private endpoint, a CA, the id local clusters have, the
    security group EKS creates, and the default service CIDR."""
    name = inputs.get("name", resource_id)
    digest = _digest("eks", name, length=32)
    return {
        "arn": f"arn:{partition}:eks:{region}:{account}:cluster/{name}",
        "endpoint": f"https://{digest.upper()}.gr7.{region}.eks.amazonaws.com",
        "certificateAuthority": {
            "data": "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCnBsYW4KLS0tLS1FTkQgQ0VSVElGSUNBVEUtLS0tLQo="
        },
        "clusterId": f"{digest[:8]}-{digest[8:12]}-{digest[12:16]}-{digest[16:20]}-{digest[20:32]}",
        "vpcConfig": {
            **inputs.get("vpcConfig", {}),
            "clusterSecurityGroupId": f"sg-0{_digest('eks-sg', name, length=16)}",
        },
        "kubernetesNetworkConfig": {"ipFamily": "ipv4", "serviceIpv4Cidr": "10.100.0.0/16"},
    }


def _control_plane_instances(query: dict[str, Any]) -> dict[str, Any]:
    """The three control-plane instances of a local cluster, found by their Name tag, with fixed
    private addresses (documentation range: the real ones are known only once EKS made them)."""
    pattern = next((f["values"][0] for f in query.get("filters", []) if f.get("name") == "tag:Name"), "")
    digest = hashlib.sha256(pattern.encode()).digest()
    ips = [f"192.0.2.{(digest[i] % 80) + 10 + 80 * i}" for i in range(3)]
    return {"ids": [f"i-0{_digest(pattern, str(i), length=16)}" for i in range(3)], "privateIps": ips, "id": pattern}


def _fake_private_key(name: str) -> dict[str, Any]:
    """A well-formed but fake OpenSSH RSA public key; the private parts are secret placeholders."""
    import base64
    import struct

    modulus = b"\x00\xc0" + hashlib.sha256(name.encode()).digest() * 16  # 4096 bits, deterministic
    blob = b"".join(struct.pack(">I", len(p)) + p for p in (b"ssh-rsa", b"\x01\x00\x01", modulus))
    public = "ssh-rsa " + base64.b64encode(blob).decode()
    secret = rpc.wrap_rpc_secret("-----BEGIN RSA PRIVATE KEY-----\nplan\n-----END RSA PRIVATE KEY-----\n")
    return {
        "publicKeyOpenssh": public + "\n",
        "publicKeyFingerprintSha256": "SHA256:" + _digest("sha", name, length=43),
        "publicKeyFingerprintMd5": ":".join(_digest("md5", name, length=32)[i : i + 2] for i in range(0, 32, 2)),
        "privateKeyPem": secret,
        "privateKeyOpenssh": secret,
    }


@dataclass
class Registration:
    """What the engine would know of one resource (beyond what Mocks.new_resource sees)."""

    urn: str
    type: str
    name: str
    custom: bool
    parent: str
    provider: str
    depends_on: list[str]
    options: dict[str, Any]
    inputs: dict[str, Any]
    id: str = ""
    """The id the mocks gave the resource (what other resources' inputs refer to)."""


class RecordingMonitor(MockMonitor):
    """A MockMonitor that records parent, provider, dependencies and options of every resource."""

    def __init__(self, mocks: Mocks):
        super().__init__(mocks)
        self.registrations: dict[str, Registration] = {}
        self._aliases: dict[str, list[str]] = {}
        """Every resource's alias URNs, its own and inherited: what its children inherit in turn."""

    def RegisterResource(self, request: RegisterResourceRequest) -> RegisterResourceResponse:
        response: RegisterResourceResponse = super().RegisterResource(request)  # type: ignore[no-untyped-call]
        if request.type == "pulumi:pulumi:Stack":
            return response
        # The real engine refuses two resources with one URN; the plain mocks let the second win.
        if response.urn in self.registrations:
            raise ValueError(f"duplicate resource URN {response.urn}")
        aliases = self._alias_urns(request)
        self._aliases[response.urn] = aliases
        options = _options(request)
        if aliases:
            options["aliases"] = sorted(aliases)
        self.registrations[response.urn] = Registration(
            urn=response.urn,
            type=request.type,
            name=request.name,
            custom=request.custom,
            parent=request.parent,
            provider=request.provider.rsplit("::", 1)[0] if request.provider else "",
            depends_on=sorted(set(request.dependencies)),
            options=options,
            inputs=rpc.deserialize_properties(request.object),
            id=response.id,
        )
        return response

    # --- aliases, as the engine resolves them (pulumi/pulumi pkg/resource/deploy/step_generator.go) ---
    def _alias_urns(self, request: RegisterResourceRequest) -> list[str]:
        own = [self._collapse(request, alias) for alias in request.aliases]
        own += list(request.aliasURNs)
        found = list(own)
        parent_name = _urn_name(request.parent) if request.parent else ""
        for parent_alias in self._aliases.get(request.parent, []):
            # A child named after its parent (`<parent>-vpc`) is aliased with the parent's old name.
            name = request.name
            if parent_name and name.startswith(parent_name):
                name = _urn_name(parent_alias) + name[len(parent_name) :]
            found.append(self.make_urn(parent_alias, request.type, name))
            found += [self.make_urn(parent_alias, _urn_type(urn), _urn_name(urn)) for urn in own]
        return list(
            dict.fromkeys(urn for urn in found if urn != self.make_urn(request.parent, request.type, request.name))
        )

    def _collapse(self, request: RegisterResourceRequest, alias: Alias) -> str:
        """The URN one alias stands for: unset fields default to the resource's own."""
        if alias.urn:
            return alias.urn
        spec = alias.spec
        parent = "" if spec.noParent else (spec.parentUrn or request.parent)
        urn = self.make_urn(parent, spec.type or request.type, spec.name or request.name)
        if not (spec.stack or spec.project):
            return urn
        head, project, qualified_type, name = urn.split("::", 3)
        stack = spec.stack or head.removeprefix("urn:pulumi:")
        return "::".join([f"urn:pulumi:{stack}", spec.project or project, qualified_type, name])


def _urn_name(urn: str) -> str:
    return urn.split("::", 3)[3]


def _urn_type(urn: str) -> str:
    """The resource's own type: the last of the qualified type's `$`-joined parts."""
    return urn.split("::")[2].split("$")[-1]


def _options(request: RegisterResourceRequest) -> dict[str, Any]:
    options: dict[str, Any] = {}
    if request.HasField("protect") and request.protect:
        options["protect"] = True
    if request.deleteBeforeReplace:
        options["deleteBeforeReplace"] = True
    if request.HasField("retainOnDelete") and request.retainOnDelete:
        options["retainOnDelete"] = True
    if request.ignoreChanges:
        options["ignoreChanges"] = sorted(request.ignoreChanges)
    if request.replaceOnChanges:
        options["replaceOnChanges"] = sorted(request.replaceOnChanges)
    if request.additionalSecretOutputs:
        options["additionalSecretOutputs"] = sorted(request.additionalSecretOutputs)
    return options


def install(
    region: str,
    project: str,
    stack: str,
    monitor_class: type[RecordingMonitor] = RecordingMonitor,
    mocks: TkgMocks | None = None,
    preview: bool = False,
) -> RecordingMonitor:
    """Set up mocks (TkgMocks for `region` unless given) and a recording monitor for one program run.

    `preview` runs it as `pulumi preview` would: the SDK in preview mode and mocks that answer so.
    """
    mocks = mocks if mocks is not None else TkgMocks(region=region, preview=preview)
    if mocks.preview != preview:
        # Half a preview (the SDK in one mode, the mocks in the other) shows what no engine would.
        raise ValueError(f"install(preview={preview}) with mocks of preview={mocks.preview}")
    monitor = monitor_class(mocks)
    pulumi.runtime.set_mocks(mocks, project=project, stack=stack, preview=preview, monitor=monitor)
    return monitor
