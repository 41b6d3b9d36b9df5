"""What the package's platform components share: the foundations' outputs, and how outputs are published."""

from typing import Any

import pulumi
from pydantic.alias_generators import to_snake

from components.package.outputs import KeyPairOutputs, NetworkOutputs


class PlatformComponent(pulumi.ComponentResource):
    """A platform built as the stack program builds it, its stack outputs as the component's outputs.

    The annotations are the outputs every platform has (the foundations'); each platform adds its own.
    Optional ones are `X | None`; the schema analyzer reads these annotations at runtime (no string annotations).
    """

    region: pulumi.Output[str]
    environment: pulumi.Output[str]
    management_account_id: pulumi.Output[str]
    network: pulumi.Output[NetworkOutputs]
    key_pair: pulumi.Output[KeyPairOutputs] | None
    """Only where a platform launches machines with it (TKG)."""
    key_pair_private_key: pulumi.Output[str] | None

    def publish(self, outputs: dict[str, Any]) -> None:
        """Set each stack output (camelCase name) as the declared output of the same name, then register them."""
        declared = pulumi.ComponentResource.__annotations__.keys() | _annotations(type(self))
        for name, value in outputs.items():
            attribute = to_snake(name)
            if attribute not in declared:
                raise TypeError(f"{type(self).__name__} declares no output {name!r} (the stack program exports it)")
            setattr(self, attribute, pulumi.Output.from_input(value))
        self.register_outputs(outputs)


def _annotations(cls: type) -> set[str]:
    return {name for klass in cls.__mro__ for name in getattr(klass, "__annotations__", {})}
