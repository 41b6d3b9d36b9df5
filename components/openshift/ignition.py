"""IgnitionBucket: the private bucket the bootstrap machine reads its ignition config from.

No template creates it (the procedure says `aws s3 mb` and `aws s3 cp bootstrap.ign`). Here: the
bucket `<infraId>-ignition-<accountId>`, every public access blocked, ACLs disabled, and, when a
file is given, the object `bootstrap.ign`. That file holds the cluster's admin credentials, so:
- it is encrypted with a KMS key of its own, whose policy admits the deployer and, through S3, the
  bootstrap role, and nobody else: an account principal with `s3:Get*` (ReadOnlyAccess) cannot
  decrypt it;
- the bucket policy refuses every request without TLS, and every read of the object to anyone but
  the bootstrap role and the deployer;
- a lifecycle rule expires it a day after upload: its certificates are good for the bootstrap
  window only, and it should not outlive the bootstrap machine by much if nobody removes it;
- it travels as a file asset, so the state and the plan keep its path and hash, never its content.
The object goes with bootstrap.enabled; the bucket and key stay. The bucket is protected by default
(openshift.protect) and, its name being global, deleted before a replacement is created.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pulumi
import pulumi_aws as aws

from components.openshift.policies import ignition_bucket_policy, ignition_key_policy

BOOTSTRAP_KEY = "bootstrap.ign"
EXPIRATION_DAYS = 1  # S3 expires objects at day granularity: gone 24 to 48 hours after upload
KEY_DELETION_WINDOW_DAYS = 7


def bucket_name(infra_id: str, account_id: str) -> str:
    """Globally unique: the infrastructure id carries openshift-install's random suffix, the account id the rest."""
    return f"{infra_id}-ignition-{account_id}"


def bucket_arn(partition: str, name: str) -> str:
    return f"arn:{partition}:s3:::{name}"


@dataclass(frozen=True, kw_only=True)
class IgnitionBucketArgs:
    bucket_name: str
    partition: str
    account_id: str
    s3_service: str
    """`s3.<region>.amazonaws.com`: the only service through which the bootstrap role may decrypt."""
    bootstrap_role_arn: str
    """The bootstrap role's ARN, whether or not it exists now: the policies name it by ARN only."""
    deployer_arn: pulumi.Input[str]
    """The role or user that runs `pulumi up`: the key's administrator and the other reader."""
    bootstrap_ignition: Path | None = None
    """bootstrap.ign to upload. Default: none (no object)."""
    protect: bool = True

    @property
    def location(self) -> str:
        return f"s3://{self.bucket_name}/{BOOTSTRAP_KEY}"

    @property
    def object_arn(self) -> str:
        return f"{bucket_arn(self.partition, self.bucket_name)}/{BOOTSTRAP_KEY}"


class IgnitionBucket(pulumi.ComponentResource):
    TYPE_TOKEN = "tkg-aws:openshift:IgnitionBucket"

    outputs: dict[str, Any]
    key: aws.kms.Key
    guards: list[pulumi.Resource]
    """What must exist before the bootstrap machine boots: the object, its key and the bucket policy."""

    def __init__(self, name: str, args: IgnitionBucketArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(self.TYPE_TOKEN, name, None, opts)
        self._name, self._args = name, args
        self.bucket = aws.s3.Bucket(
            name,
            bucket=args.bucket_name,
            opts=pulumi.ResourceOptions(parent=self, protect=args.protect, delete_before_replace=True),
        )
        self.key = self._key()
        self.guards = self._guards()
        if args.bootstrap_ignition is not None:
            self.guards.append(
                aws.s3.BucketObjectv2(
                    f"{name}-bootstrap",
                    bucket=self.bucket.id,
                    key=BOOTSTRAP_KEY,
                    source=pulumi.FileAsset(str(args.bootstrap_ignition)),
                    content_type="application/json",
                    server_side_encryption="aws:kms",
                    kms_key_id=self.key.arn,
                    # Never an object in a bucket that is not yet private, encrypted and guarded.
                    opts=pulumi.ResourceOptions(parent=self, depends_on=list(self.guards)),
                )
            )
        self.outputs = {
            "bucketName": self.bucket.bucket,
            "bootstrapIgnitionLocation": args.location,
            "ignitionKeyArn": self.key.arn,
        }
        self.register_outputs(self.outputs)

    def _key(self) -> aws.kms.Key:
        args = self._args
        account_root = f"arn:{args.partition}:iam::{args.account_id}:root"
        policy = pulumi.Output.json_dumps(
            ignition_key_policy(args.deployer_arn, args.bootstrap_role_arn, account_root, args.s3_service)
        )
        return aws.kms.Key(
            f"{self._name}-key",
            description=f"{args.bucket_name}: the bootstrap ignition config",
            enable_key_rotation=True,
            deletion_window_in_days=KEY_DELETION_WINDOW_DAYS,
            policy=policy,
            opts=pulumi.ResourceOptions(parent=self),
        )

    def _guards(self) -> list[pulumi.Resource]:
        args, bucket, child = self._args, self.bucket.id, pulumi.ResourceOptions(parent=self)
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
            sse_algorithm="aws:kms", kms_master_key_id=self.key.arn
        )
        encryption = aws.s3.BucketServerSideEncryptionConfiguration(
            f"{self._name}-encryption",
            bucket=bucket,
            rules=[
                aws.s3.BucketServerSideEncryptionConfigurationRuleArgs(
                    apply_server_side_encryption_by_default=default, bucket_key_enabled=True
                )
            ],
            opts=child,
        )
        expiry = aws.s3.BucketLifecycleConfiguration(
            f"{self._name}-expiry",
            bucket=bucket,
            rules=[
                aws.s3.BucketLifecycleConfigurationRuleArgs(
                    id="expire-bootstrap-ignition",
                    status="Enabled",
                    filter=aws.s3.BucketLifecycleConfigurationRuleFilterArgs(prefix=BOOTSTRAP_KEY),
                    expiration=aws.s3.BucketLifecycleConfigurationRuleExpirationArgs(days=EXPIRATION_DAYS),
                )
            ],
            opts=child,
        )
        document = ignition_bucket_policy(
            bucket_arn(args.partition, args.bucket_name), args.object_arn, [args.bootstrap_role_arn, args.deployer_arn]
        )
        policy = aws.s3.BucketPolicy(
            f"{self._name}-tls-only",
            bucket=bucket,
            policy=pulumi.Output.json_dumps(document),
            # S3 refuses a bucket policy while the public access block is being written.
            opts=pulumi.ResourceOptions(parent=self, depends_on=[public_access]),
        )
        return [public_access, ownership, encryption, expiry, policy]
