"""The orders app's AWS resources, placed on the TKG platform (the tkg-aws stack) through its outputs.

The platform team owns the VPC, the nodes' IAM role and the TKG cluster-config variables; this
program reads them from the platform's stack with a StackReference and adds what the orders app
needs: a database subnet group in the platform's private subnets, a bucket, access to that bucket
for the app's pods, and the cluster config of the app's workload cluster.
"""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_aws as aws

# The platform outputs this program builds on; tkg-aws documents them as its contract.
PLATFORM_OUTPUTS = ("network", "iam", "tkgClusterConfig")
# All the app does with its bucket: read and write objects.
BUCKET_ACTIONS = ["s3:GetObject", "s3:PutObject"]
TAGS = {"app": "orders"}


class PlatformOutputError(Exception):
    """The platform stack has no output this program needs."""


def build(platform_stack: str, cluster_name: str) -> dict[str, pulumi.Output[Any]]:
    """Create the app's resources on the platform stack `platform_stack` (`org/tkg-aws/stack`)."""
    platform = pulumi.StackReference("platform", stack_name=platform_stack)
    network, iam, tkg_cluster_config = (
        require_platform_output(platform, platform_stack, name) for name in PLATFORM_OUTPUTS
    )
    subnet_group = database_subnet_group(network)
    bucket = aws.s3.Bucket("orders-data", tags=TAGS)
    grant_bucket_access_to_nodes(bucket, iam)
    return {
        "dbSubnetGroupName": subnet_group.name,
        "bucketName": bucket.bucket,
        "tkgClusterConfig": tkg_cluster_config.apply(lambda variables: {**variables, "CLUSTER_NAME": cluster_name}),
    }


def require_platform_output(platform: pulumi.StackReference, stack: str, name: str) -> pulumi.Output[Any]:
    """The platform's output `name`; fails naming the stack and the output when it is missing.

    StackReference.require_output fails with a bare `KeyError: 'network'`, which names neither
    the stack nor the fix. get_output keeps each output's own secretness, like require_output.
    """

    def present(value: Any) -> Any:
        if value is None:
            raise PlatformOutputError(
                f"platform stack {stack!r} has no output {name!r}: set orders-app:platformStack "
                "to a tkg-aws stack that has been deployed (e.g. acme/tkg-aws/prod)"
            )
        return value

    return platform.get_output(name).apply(present)


def database_subnet_group(network: pulumi.Output[dict[str, Any]]) -> aws.rds.SubnetGroup:
    """The app's database subnets: the platform's private subnets, one per AZ."""
    # In AZ order, so the list stays the same from one run to the next.
    subnet_ids = network["privateSubnetIds"].apply(lambda by_az: [by_az[az] for az in sorted(by_az)])
    return aws.rds.SubnetGroup(
        "orders-db",
        subnet_ids=subnet_ids,
        description="orders database, in the TKG platform's private subnets",
        tags=TAGS,
    )


def grant_bucket_access_to_nodes(bucket: aws.s3.Bucket, iam: pulumi.Output[dict[str, Any]]) -> aws.iam.RolePolicy:
    """Let the app's pods read and write the bucket's objects, and nothing else.

    Pods on TKG's AWS nodes get their credentials from the nodes' instance profile, so the grant
    goes on the platform's nodes role, as an inline policy this stack owns and deletes with it.
    """
    policy = pulumi.Output.json_dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": BUCKET_ACTIONS,
                    # Object actions apply to the objects' ARNs, not to the bucket's own.
                    "Resource": pulumi.Output.concat(bucket.arn, "/*"),
                }
            ],
        }
    )
    return aws.iam.RolePolicy("orders-bucket-access", role=iam["roleNames"]["nodes"], policy=policy)
