"""tkg-aws: prepare AWS accounts for TKG / Cluster API Provider AWS, in one `pulumi up`."""

from pathlib import Path

import pulumi

from components.config.stack_files import stacks_sharing_iam
from components.stack import build
from components.stack_config.loading import load_config

# The stack files beside this program say which other stacks use this stack's IAM set.
shared_with = stacks_sharing_iam(pulumi.get_stack(), Path(__file__).resolve().parent)
for name, value in build(load_config(), iam_shared_with=shared_with).items():
    pulumi.export(name, value)
