"""EKS local clusters on AWS Outposts: the Outpost subnet, the endpoints a disconnected cluster
needs, the cluster and node roles, the cluster, and self-managed nodes (platform.py composes them).

The section's config model (config.py) builds on components/config/base.py, and
components/stack_config/models.py holds it as a field of StackConfig.
"""
