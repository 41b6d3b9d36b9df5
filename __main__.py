"""tkg-aws: prepare AWS accounts for TKG / Cluster API Provider AWS, in one `pulumi up`."""

import pulumi

from components.config import load_config
from components.stack import build

for name, value in build(load_config()).items():
    pulumi.export(name, value)
