"""The stack's `aws:` and `kubernetes:` settings: passed on to our explicit providers, or refused.

Every resource of this program goes through an explicit provider (one per AWS account, one for the
management cluster), and an explicit provider reads no stack config by itself: without this module
`pulumi config set aws:profile prod` would change nothing and the run would use whatever
credentials the environment holds. So each setting that decides how an account is reached (the
credentials chain, the network path to the AWS APIs, retries) is read here and handed to the
management provider; the workload-account providers get the same base credentials and network path
and then assume their deploy role from that identity.

Settings the program decides itself (default tags, the account pins, the ignored tag keys) are
refused by name with the tkg-aws key to use instead; any other `aws:`/`kubernetes:` key is refused
too, so a typo never silently falls back to a default. `aws:region` is the stack's region and is
read by components/stack_config/loading.py.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Sequence
from typing import Annotated, Any, Literal, TypeVar

import pulumi
import pulumi_aws as aws
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, PrivateAttr, ValidationError
from pydantic.alias_generators import to_camel
from pydantic_core import ErrorDetails

from components.config import validators as check
from components.config.validators import SECRET_PLACEHOLDER

# A settings model, as `_validated` returns it.
M = TypeVar("M", bound=BaseModel)

# Settings this program sets on every provider itself, and where the user says what they mean.
REFUSED_AWS_KEYS = {
    "defaultTags": "the program sets default tags on every provider; use tkg-aws:tags",
    "allowedAccountIds": "the program pins every provider to its account; use tkg-aws:managementCluster.accountId "
    "(and tkg-aws:workloadAccounts[].accountId)",
    "forbiddenAccountIds": "the program pins every provider to its account; use tkg-aws:managementCluster.accountId",
    "ignoreTags": "the program decides which tag keys other controllers own",
    "skipRequestingAccountId": "the account pin needs the caller's account id",
    "skipCredentialsValidation": "the account pin needs the caller's account id",
}
# Credentials that must never sit in a stack file in plaintext.
SECRET_AWS_KEYS = ("secretKey", "token")
# Every service pulumi-aws accepts in `aws:endpoints`, by its config name.
ENDPOINT_SERVICES = frozenset(
    name.rstrip("_") for name in inspect.signature(aws.ProviderEndpointArgs.__init__).parameters if name != "self"
)


class _Settings(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, extra="forbid", frozen=True, populate_by_name=False)


RoleArn = Annotated[str, AfterValidator(check.role_arn)]
SessionName = Annotated[str, AfterValidator(check.session_name)]
Duration = Annotated[str, AfterValidator(check.go_duration)]


class AssumeRoleSettings(_Settings):
    """One hop of `aws:assumeRoles` (the provider assumes them in order)."""

    role_arn: RoleArn
    external_id: Annotated[str, AfterValidator(check.external_id)] | None = None
    session_name: SessionName | None = None
    duration: Duration | None = None
    source_identity: Annotated[str, AfterValidator(check.session_name)] | None = None
    policy: str | None = None
    policy_arns: list[Annotated[str, AfterValidator(check.policy_arn)]] = []
    tags: dict[str, str] = {}
    transitive_tag_keys: list[str] = []


class WebIdentitySettings(_Settings):
    """`aws:assumeRoleWithWebIdentity`: CI's OIDC token exchanged for a role session."""

    role_arn: RoleArn
    session_name: SessionName | None = None
    web_identity_token_file: str | None = None
    web_identity_token: str | None = None
    duration: Duration | None = None
    policy: str | None = None
    policy_arns: list[Annotated[str, AfterValidator(check.policy_arn)]] = []


class AwsSettings(_Settings):
    """How the stack's AWS providers reach their accounts; absent settings keep the provider's defaults."""

    profile: str | None = None
    shared_credentials_files: list[str] = []
    shared_config_files: list[str] = []
    access_key: str | None = None
    secret_key: str | None = None
    token: str | None = None
    assume_roles: list[AssumeRoleSettings] = []
    assume_role_with_web_identity: WebIdentitySettings | None = None
    ec2_metadata_service_endpoint: str | None = None
    ec2_metadata_service_endpoint_mode: Literal["IPv4", "IPv6"] | None = None
    skip_metadata_api_check: bool | None = None
    http_proxy: str | None = None
    https_proxy: str | None = None
    no_proxy: str | None = None
    custom_ca_bundle: str | None = None
    insecure: bool | None = None
    endpoints: dict[str, str] = {}
    """Service config name (ec2, iam, sts, ...) -> URL; `aws:endpoints` is a list of such maps."""
    use_fips_endpoint: bool | None = None
    use_dualstack_endpoint: bool | None = None
    sts_region: Annotated[str, AfterValidator(check.region_name)] | None = None
    s3_use_path_style: bool | None = None
    max_retries: Annotated[int, Field(ge=0)] | None = None
    retry_mode: Literal["standard", "adaptive"] | None = None
    token_bucket_rate_limiter_capacity: Annotated[int, Field(ge=0)] | None = None
    _secret: frozenset[str] = PrivateAttr(default=frozenset())
    """Settings given with `pulumi config set --secret`, by Python name: they reach the provider as secrets."""

    def provider_args(self, extra_assume_roles: Sequence[aws.ProviderAssumeRoleArgs] = ()) -> dict[str, Any]:
        """Keyword arguments of aws.Provider for these settings; `extra_assume_roles` are assumed after
        the stack's own chain (a workload account's deploy role). Secrets travel as secrets."""
        args = {
            name: value
            for name, value in self
            if name not in ("assume_roles", "assume_role_with_web_identity", "endpoints")
            and value not in (None, [], {})
        }
        roles = [aws.ProviderAssumeRoleArgs(**_present(role)) for role in self.assume_roles]
        roles += list(extra_assume_roles)
        if roles:
            args["assume_roles"] = roles
        if self.assume_role_with_web_identity is not None:
            identity = _present(self.assume_role_with_web_identity)
            if "web_identity_token" in identity:
                identity["web_identity_token"] = pulumi.Output.secret(identity["web_identity_token"])
            args["assume_role_with_web_identity"] = aws.ProviderAssumeRoleWithWebIdentityArgs(**identity)
        if self.endpoints:
            args["endpoints"] = [aws.ProviderEndpointArgs(**{_python_name(k): v for k, v in self.endpoints.items()})]
        return {name: pulumi.Output.secret(v) if name in self._secret else v for name, v in args.items()}


# The vSphere provider's settings this program refuses: debug logs hold vCenter's API traffic.
REFUSED_VSPHERE_KEYS = {
    "clientDebug": "govmomi's debug log records vCenter's API traffic, session tokens included",
    "clientDebugPath": "govmomi's debug log records vCenter's API traffic, session tokens included",
    "clientDebugPathRun": "govmomi's debug log records vCenter's API traffic, session tokens included",
    "vcenterServer": "deprecated by the provider; use vsphere:vsphereServer",
}


VSPHERE_UNKNOWN = (
    "not a setting this program passes to the vSphere provider (it takes the vCenter address, credentials, "
    "session and timeout settings)"
)


class VsphereSettings(_Settings):
    """How the vSphere provider reaches vCenter (tkg-aws:vsphere); absent settings keep the provider's
    defaults, which read VSPHERE_USER, VSPHERE_PASSWORD and VSPHERE_SERVER from the environment."""

    user: str | None = None
    password: str | None = None
    vsphere_server: str | None = None
    allow_unverified_ssl: bool | None = None
    api_timeout: Annotated[int, Field(ge=1)] | None = None
    """Minutes."""
    persist_session: bool | None = None
    rest_session_path: str | None = None
    vim_session_path: str | None = None
    vim_keep_alive: Annotated[int, Field(ge=1)] | None = None

    def provider_args(self) -> dict[str, Any]:
        """Keyword arguments of vsphere.Provider; the password travels as a secret."""
        args = {name: value for name, value in self if value is not None}
        if "password" in args:
            args["password"] = pulumi.Output.secret(args["password"])
        return args


class KubernetesSettings(_Settings):
    """`kubernetes:kubeconfig` and `kubernetes:context`, the only ones the management-cluster provider takes."""

    kubeconfig: str | None = None
    context: str | None = None


def _present(model: BaseModel) -> dict[str, Any]:
    return {name: value for name, value in model if value not in (None, [], {})}


def _python_name(service: str) -> str:
    return "lambda_" if service == "lambda" else service


def parse_provider_settings(
    values: dict[str, Any], secret_keys: set[str] | frozenset[str] = frozenset()
) -> tuple[AwsSettings, KubernetesSettings, list[str]]:
    """Settings from the stack's `aws:*` (except aws:region) and `kubernetes:*` keys, and the problems
    found, one line each: `aws:<key>: <problem> (got <value>)`."""
    by_namespace: dict[str, dict[str, Any]] = {"aws": {}, "kubernetes": {}}
    for key, value in values.items():
        namespace, _, name = key.partition(":")
        by_namespace.setdefault(namespace, {})[name] = value
    aws_values, problems = _accepted_aws_keys(by_namespace["aws"], secret_keys)
    aws_settings = _validated("aws", AwsSettings, aws_values, secret_keys, problems)
    if aws_settings is not None:
        aws_settings._secret = frozenset(
            name for name, field in AwsSettings.model_fields.items() if f"aws:{field.alias}" in secret_keys
        )
    k8s_values = by_namespace["kubernetes"]
    problems += _kubernetes_problems(k8s_values, secret_keys)
    k8s_values = {k: v for k, v in k8s_values.items() if k in KubernetesSettings.model_fields}
    k8s_settings = _validated("kubernetes", KubernetesSettings, k8s_values, secret_keys, problems)
    return aws_settings or AwsSettings(), k8s_settings or KubernetesSettings(), problems


def parse_vsphere_settings(
    values: dict[str, Any], secret_keys: set[str] | frozenset[str] = frozenset()
) -> tuple[VsphereSettings, list[str]]:
    """Settings from the stack's `vsphere:*` keys (others are ignored here), and the problems found."""
    settings = {k.partition(":")[2]: v for k, v in values.items() if k.startswith("vsphere:")}
    problems = []
    for name in sorted(set(settings) & set(REFUSED_VSPHERE_KEYS)):
        shown = _show(settings.pop(name), f"vsphere:{name}" in secret_keys)
        problems.append(f"vsphere:{name}: not settable here: {REFUSED_VSPHERE_KEYS[name]} (got {shown})")
    if "password" in settings and "vsphere:password" not in secret_keys:
        problems.append(
            "vsphere:password: a credential must be a secret; set it with "
            "`pulumi config set --secret vsphere:password` (got a plaintext value)"
        )
    parsed = _validated("vsphere", VsphereSettings, settings, secret_keys, problems)
    return parsed or VsphereSettings(), problems


def _accepted_aws_keys(
    values: dict[str, Any], secret_keys: set[str] | frozenset[str]
) -> tuple[dict[str, Any], list[str]]:
    accepted: dict[str, Any] = {}
    problems: list[str] = []
    for name, value in sorted(values.items()):
        shown = _show(value, f"aws:{name}" in secret_keys)
        if name in REFUSED_AWS_KEYS:
            problems.append(f"aws:{name}: not settable here: {REFUSED_AWS_KEYS[name]} (got {shown})")
        elif name in SECRET_AWS_KEYS and f"aws:{name}" not in secret_keys:
            problems.append(
                f"aws:{name}: a credential must be a secret; set it with `pulumi config set --secret aws:{name}` "
                "(got a plaintext value)"
            )
        elif name == "endpoints":
            endpoints, endpoint_problems = _endpoints(value)
            accepted[name] = endpoints
            problems += endpoint_problems
        else:
            accepted[name] = value
    return accepted, problems


def _endpoints(value: Any) -> tuple[dict[str, str], list[str]]:
    """`aws:endpoints` is a list of {service: url} maps, as pulumi-aws reads it; one map is accepted too."""
    maps = value if isinstance(value, list) else [value]
    merged: dict[str, str] = {}
    problems = []
    for entry in maps:
        if not isinstance(entry, dict):
            problems.append(f"aws:endpoints: must be a list of maps like [{{sts: https://...}}] (got {_show(value)})")
            continue
        for service, url in entry.items():
            if service not in ENDPOINT_SERVICES:
                problems.append(f"aws:endpoints: {service!r} is not a service of pulumi-aws (got {_show(entry)})")
            elif not isinstance(url, str) or not url.startswith(("https://", "http://")):
                problems.append(f"aws:endpoints: the {service} endpoint must be an http(s) URL (got {_show(url)})")
            else:
                merged[service] = url
    return merged, problems


def _kubernetes_problems(values: dict[str, Any], secret_keys: set[str] | frozenset[str]) -> list[str]:
    problems = []
    for name in sorted(set(values) - {"kubeconfig", "context"}):
        problems.append(
            f"kubernetes:{name}: not used by this program; the management cluster is reached with "
            f"kubernetes:kubeconfig/context or tkg-aws:managementCluster (got {_show(values[name])})"
        )
    kubeconfig = values.get("kubeconfig")
    if isinstance(kubeconfig, str) and "kubernetes:kubeconfig" not in secret_keys and _is_kubeconfig_text(kubeconfig):
        problems.append(
            "kubernetes:kubeconfig: a kubeconfig's contents must be a secret; set it with "
            "`pulumi config set --secret kubernetes:kubeconfig < kubeconfig.yaml` (got a plaintext kubeconfig)"
        )
    for name in ("kubeconfig", "context"):
        if isinstance(values.get(name), str) and not values[name].strip():
            problems.append(f'kubernetes:{name}: must not be empty (got "")')
    return problems


def _is_kubeconfig_text(value: str) -> bool:
    """A path names a file; the contents are YAML (or JSON) with clusters in it."""
    return "\n" in value or "clusters" in value or value.lstrip().startswith("{")


def _validated(
    namespace: str, model: type[M], values: dict[str, Any], secret_keys: set[str] | frozenset[str], problems: list[str]
) -> M | None:
    try:
        return model.model_validate(values)
    except ValidationError as err:
        for e in err.errors():
            key, *rest = [str(p) for p in e["loc"]]
            path = key + "".join(f"[{p}]" if p.isdigit() else f".{p}" for p in rest)
            value = SECRET_PLACEHOLDER if f"{namespace}:{key}" in secret_keys else e.get("input")
            message = VSPHERE_UNKNOWN if namespace == "vsphere" and e["type"] == "extra_forbidden" else _message(e)
            problems.append(f"{namespace}:{path}: {message} (got {_show(value)})")
        return None


def _message(e: ErrorDetails) -> str:
    if e["type"] == "extra_forbidden":
        return (
            "not a setting this program passes to its providers (it honours the credentials chain, the network "
            "path to the AWS APIs and retries)"
        )
    if e["type"] == "literal_error":
        return "must be one of " + e["msg"].removeprefix("Input should be ")
    msg = e["msg"].removeprefix("Value error, ")
    return msg[0].lower() + msg[1:]


def _show(value: Any, secret: bool = False) -> str:
    if secret:
        return json.dumps(SECRET_PLACEHOLDER)
    return check.shown(value)
