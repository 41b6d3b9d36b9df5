"""IgnitionBucket: the private bucket the bootstrap machine reads its ignition config from.

No template creates it (the procedure says `aws s3 mb` and `aws s3 cp bootstrap.ign`). Here: the
bucket `<infraId>-ignition-<accountId>`, every public access blocked, ACLs disabled, encrypted at
rest (SSE-S3), a policy that refuses every request without TLS, and, when a file is given, the
object `bootstrap.ign`. That file holds the cluster's secrets: it travels as a file asset, so the
state and the plan keep its path and hash, never its content. The object goes with
bootstrap.enabled; the bucket is protected by default (openshift.protect) and, its name being
global, deleted before a replacement is created.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pulumi
import pulumi_aws as aws

from components.openshift.policies import tls_only_bucket_policy

BOOTSTRAP_KEY = "bootstrap.ign"


def bucket_name(infra_id: str, account_id: str) -> str:
    """Globally unique: the infrastructure id carries openshift-install's random suffix, the account id the rest."""
    return f"{infra_id}-ignition-{account_id}"


def bucket_arn(partition: str, name: str) -> str:
    return f"arn:{partition}:s3:::{name}"


@dataclass(frozen=True, kw_only=True)
class IgnitionBucketArgs:
    bucket_name: str
    partition: str
    bootstrap_ignition: Path | None = None
    """bootstrap.ign to upload. Default: none (upload it yourself)."""
    protect: bool = True

    @property
    def location(self) -> str:
        return f"s3://{self.bucket_name}/{BOOTSTRAP_KEY}"


class IgnitionBucket(pulumi.ComponentResource):
    outputs: dict[str, Any]

    def __init__(self, name: str, args: IgnitionBucketArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("tkg-aws:openshift:IgnitionBucket", name, None, opts)
        self._name, self._args = name, args
        child = pulumi.ResourceOptions(parent=self)
        self.bucket = aws.s3.Bucket(
            name,
            bucket=args.bucket_name,
            opts=pulumi.ResourceOptions(parent=self, protect=args.protect, delete_before_replace=True),
        )
        guards = self._guards(child)
        if args.bootstrap_ignition is not None:
            aws.s3.BucketObjectv2(
                f"{name}-bootstrap",
                bucket=self.bucket.id,
                key=BOOTSTRAP_KEY,
                source=pulumi.FileAsset(str(args.bootstrap_ignition)),
                content_type="application/json",
                server_side_encryption="AES256",
                # Never an object in a bucket that is not yet private and encrypted.
                opts=pulumi.ResourceOptions(parent=self, depends_on=guards),
            )
        self.outputs = {"bucketName": self.bucket.bucket, "bootstrapIgnitionLocation": args.location}
        self.register_outputs(self.outputs)

    def _guards(self, child: pulumi.ResourceOptions) -> list[pulumi.Resource]:
        bucket = self.bucket.id
        public_access = aws.s3.BucketPublicAccessBlock(
            f"{self._name}-public-access",
            bucket=bucket,
            block_public_acls=True,
            block_public_policy=True,
            ignore_public_acls=True,
            restrict_public_buckets=True,
            opts=child,
        )
        ownership = aws.s3.BucketOwnershipControls(
            f"{self._name}-ownership",
            bucket=bucket,
            rule=aws.s3.BucketOwnershipControlsRuleArgs(object_ownership="BucketOwnerEnforced"),
            opts=child,
        )
        default = aws.s3.BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultArgs(
            sse_algorithm="AES256"
        )
        encryption = aws.s3.BucketServerSideEncryptionConfiguration(
            f"{self._name}-encryption",
            bucket=bucket,
            rules=[
                aws.s3.BucketServerSideEncryptionConfigurationRuleArgs(apply_server_side_encryption_by_default=default)
            ],
            opts=child,
        )
        policy = aws.s3.BucketPolicy(
            f"{self._name}-tls-only",
            bucket=bucket,
            policy=json.dumps(tls_only_bucket_policy(bucket_arn(self._args.partition, self._args.bucket_name))),
            # S3 refuses a bucket policy while the public access block is being written.
            opts=pulumi.ResourceOptions(parent=self, depends_on=[public_access]),
        )
        return [public_access, ownership, encryption, policy]
