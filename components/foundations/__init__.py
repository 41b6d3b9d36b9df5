"""Foundations: what every platform of the stack stands on.

One pinned AWS provider per account, configured from the stack's `aws:` settings (accounts.py); the
VPC with its subnets, gateways, routes and endpoints, shared by every platform (network.py), or an
existing VPC's subnets tagged (existing_vpc.py, the tags in network_tags.py); the EC2 key pair
(key_pairs.py, its Args from the config in args.py); and the provider of the management cluster
(management_cluster.py).
Foundations know no platform: platforms receive their providers and network outputs from stack.py.
"""
