"""The TKG / CAPA platform: what `tanzu mc permissions aws set`, the cross-account runbook and the
GPU add-on guide do by hand, as components.

platform.py composes it; iam.py is one account's IAM set, workload_accounts.py a secondary account,
assume_grants.py the management side's sts:AssumeRole grants, identities.py the AWSClusterRoleIdentity
objects, gpu_operator.py the GPU operator delivery, cluster_config.py the `tanzu cluster create` variables.
"""
