"""EKS local clusters on AWS Outposts: the Outpost subnet, the endpoints a disconnected cluster
needs, the cluster and node roles, the cluster, and self-managed nodes (platform.py composes them).

The section's config model builds on components.config.models.Model, and models.py holds it as a
field of StackConfig: loading models first lets either module be imported first.
"""

import components.config.models  # noqa: F401
