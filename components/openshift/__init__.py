"""OpenShift on AWS with user-provisioned infrastructure: what the six UPI CloudFormation templates
create, for one cluster, in the stack's network or an existing VPC (platform.py composes it; args.py
builds its components' Args from the config).

The section's config model (config.py) builds on components/config/base.py, and
components/stack_config/models.py holds it as a field of StackConfig.
"""
