"""orders-app: the orders team's AWS resources on the TKG platform stack (see docs/outputs.md)."""

import pulumi
from app import build

outputs = build(
    platform_stack=pulumi.Config().require("platformStack"),
    # One workload cluster per stack of this project: orders-dev, orders-prod, ...
    cluster_name=f"orders-{pulumi.get_stack()}",
)
for name, value in outputs.items():
    pulumi.export(name, value)
