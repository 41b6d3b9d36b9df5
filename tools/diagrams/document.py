"""Reading an offline plan (the resources.json document) for the diagrams.

A plan document is `{"stack", "resources": [...], "outputs": {...}}` as tools/plan/command.py writes it;
each resource holds its type, name, provider URN, id and inputs, where an input that refers to
another resource holds that resource's id. Accounts are read from the AWS providers (each pins its
account with allowedAccountIds, components/foundations/accounts.py). Secrets are "[secret]". Every accessor
tolerates data of the wrong shape (a plan from an older program, a hand-made one): what it cannot
read is left out of the drawing, never raised.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

SECRET = "[secret]"
AWS_PROVIDER = "pulumi:providers:aws"
KUBERNETES_PROVIDER = "pulumi:providers:kubernetes"


@dataclass(frozen=True)
class Account:
    id: str
    name: str
    """Its name in the config (`management`, or the workload account's), else its provider's name."""


@dataclass(frozen=True)
class Arn:
    partition: str
    service: str
    account: str
    resource: str

    @property
    def kind(self) -> str:
        """`role`, `user`, `policy`, `root`, ... (the resource type before the first `/`)."""
        return self.resource.split("/", 1)[0]

    @property
    def name(self) -> str:
        """The last segment after any path: IAM names are unique per account whatever the path."""
        return self.resource.rsplit("/", 1)[-1]

    @property
    def short(self) -> str:
        """`111111111111:role/name`: the partition and service are the same everywhere in a stack."""
        return f"{self.account}:{self.resource}"


def parse_arn(value: Any) -> Arn | None:
    if not isinstance(value, str) or not value.startswith("arn:"):
        return None
    parts = value.split(":", 5)
    if len(parts) != 6:
        return None
    return Arn(parts[1], parts[2], parts[4], parts[5])


def as_list(value: Any) -> list[Any]:
    """IAM's `"x"` or `["x", ...]` as a list."""
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def decoded(value: Any) -> Any:
    """A JSON-string input (providers' nested settings, policy documents) as data; SECRET stays."""
    if isinstance(value, str) and value[:1] in "[{" and value != SECRET:
        try:
            return json.loads(value)
        except ValueError:
            return None
    return value


def mapping(value: Any) -> dict[str, Any]:
    value = decoded(value)
    return value if isinstance(value, dict) else {}


def statements(document: Any) -> list[dict[str, Any]]:
    """The statements of a policy document; none for a secret or unreadable one."""
    return [s for s in as_list(mapping(document).get("Statement")) if isinstance(s, dict)]


def short_type(type_token: str) -> str:
    """`aws:ec2/natGateway:NatGateway` -> `NatGateway`."""
    return type_token.rsplit(":", 1)[-1]


class Plan:
    """One plan document, indexed for drawing."""

    def __init__(self, document: dict[str, Any]):
        resources = document.get("resources") if isinstance(document, dict) else None
        self.resources = [r for r in (resources or []) if isinstance(r, dict) and isinstance(r.get("type"), str)]
        self.stack = str(document.get("stack", "")) if isinstance(document, dict) else ""
        outputs = document.get("outputs") if isinstance(document, dict) else None
        self.outputs = outputs if isinstance(outputs, dict) else {}
        self.accounts = self._provider_accounts()

    def of_type(self, *type_tokens: str) -> list[dict[str, Any]]:
        return [r for r in self.resources if r["type"] in type_tokens]

    @property
    def has_ids(self) -> bool:
        """Plans written before resources carried their ids cannot join references."""
        return all("id" in r for r in self.resources if r["type"].startswith("aws:"))

    def by_id(self, *type_tokens: str) -> dict[str, dict[str, Any]]:
        return {r["id"]: r for r in self.of_type(*type_tokens) if isinstance(r.get("id"), str) and r["id"]}

    def account_of(self, resource: dict[str, Any]) -> Account:
        provider = resource.get("provider")
        return self.accounts.get(provider if isinstance(provider, str) else "", Account("unknown", "unknown account"))

    def provider_name(self, resource: dict[str, Any]) -> str:
        provider = resource.get("provider")
        return provider.rsplit("::", 1)[-1] if isinstance(provider, str) and provider else "default provider"

    def _provider_accounts(self) -> dict[str, Account]:
        accounts, names = {}, self._config_names()
        for provider in self.of_type(AWS_PROVIDER):
            allowed = as_list(decoded(inputs(provider).get("allowedAccountIds")))
            if allowed and isinstance(allowed[0], str) and isinstance(provider.get("urn"), str):
                name = names.get(allowed[0]) or str(provider.get("name", allowed[0]))
                accounts[provider["urn"]] = Account(allowed[0], name)
        return accounts

    def _config_names(self) -> dict[str, str]:
        """Account id -> its name in the config (`management`, a workload account's `name`): an
        account reached by several providers (the exact-tags one) is still one account."""
        names = {}
        for name, account in sorted((self.outputs.get("workloadAccounts") or {}).items()):
            if isinstance(account, dict) and isinstance(account.get("accountId"), str):
                names[account["accountId"]] = name
        management = self.outputs.get("managementAccountId")
        if isinstance(management, str):
            names[management] = "management"
        return names


def inputs(resource: dict[str, Any]) -> dict[str, Any]:
    value = resource.get("inputs")
    return value if isinstance(value, dict) else {}


def tags(resource: dict[str, Any]) -> dict[str, str]:
    value = inputs(resource).get("tags")
    return {str(k): str(v) for k, v in value.items()} if isinstance(value, dict) else {}


def name_tag(resource: dict[str, Any]) -> str:
    return tags(resource).get("Name") or str(resource.get("name", ""))
