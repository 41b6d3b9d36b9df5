"""What every config model builds on: the base model, the error every problem becomes, and the
field types shared by the sections (the platforms' sections included).

Platform sections (components/<platform>/config.py) import from here; components/stack_config assembles
them into StackConfig, so no module of the config package imports a platform.
"""

from __future__ import annotations

import ipaddress
from typing import Annotated, Any

import pulumi
from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, ValidationInfo, field_validator
from pydantic.alias_generators import to_camel

from components.config import validators as check


class ConfigError(pulumi.RunError):
    """Every problem of the stack config, one `tkg-aws:<path>: <problem> (got <value>)` per line."""

    def __init__(self, problems: list[str]):
        # Each line is cut once more: a rule may repeat a long value that passed its pattern.
        self.problems = [check.cut(problem, check.SHOWN_LINE_CHARACTERS) for problem in problems]
        problems = self.problems
        count = f"{len(problems)} problem{'s' if len(problems) != 1 else ''}"
        super().__init__(f"invalid stack config ({count}):\n" + "\n".join(problems))


class Model(BaseModel):
    """Base of every config model: camelCase keys, unknown keys rejected, immutable."""

    model_config = ConfigDict(
        alias_generator=to_camel, extra="forbid", frozen=True, populate_by_name=False, use_attribute_docstrings=True
    )

    @field_validator("*", mode="before")
    @classmethod
    def _flags_are_booleans(cls, value: Any, info: ValidationInfo) -> Any:
        """pydantic would read "yes", "off" or 1 as a boolean; a flag of the stack file is true or false."""
        if info.field_name and cls.model_fields[info.field_name].annotation in FLAG_TYPES and value is not None:
            return check.strict_bool(value)
        return value


FLAG_TYPES = (bool, bool | None)


DnsLabel = Annotated[str, AfterValidator(check.dns1123_label)]
DnsSubdomain = Annotated[str, AfterValidator(check.dns1123_subdomain)]
AccountId = Annotated[str, BeforeValidator(check.account_id)]
RoleArn = Annotated[str, AfterValidator(check.role_arn)]
PolicyArn = Annotated[str, AfterValidator(check.policy_arn)]
PrincipalArn = Annotated[str, AfterValidator(check.principal_arn)]
ExternalId = Annotated[str, AfterValidator(check.external_id)]
SessionName = Annotated[str, AfterValidator(check.session_name)]
LabelMap = Annotated[dict[str, str], AfterValidator(check.label_map)]
# A CIDR is written as text: ipaddress would also take YAML's false or 0 as 0.0.0.0/32.
Cidr = Annotated[ipaddress.IPv4Network, BeforeValidator(check.cidr_text)]
