"""The TKG / CAPA platform: what `tanzu mc permissions aws set`, the cross-account runbook and the
GPU add-on guide do by hand, as components.

platform.py composes it and args.py builds every component's Args from the config; iam.py is one
account's IAM set, workload_accounts.py a secondary account, assume_grants.py the management side's
sts:AssumeRole grants, identities.py the AWSClusterRoleIdentity objects, gpu_operator.py the GPU
operator delivery, cluster_config.py the `tanzu cluster create` variables.

Its config sections are config.py, their rules across keys rules.py; its pure builders are policies/ (the
IAM documents), identity_objects.py, gpu_objects.py and cluster_resource_set.py (the Kubernetes objects).
"""
