"""Entry point of the policy pack: `pulumi preview --policy-pack policy`.

The PolicyPack constructor serves the policies to the CLI and never returns, so the policies
themselves live in policies.py, where the tests import them.
"""

from policies import POLICIES
from pulumi_policy import EnforcementLevel, PolicyPack

PolicyPack(name="tkg-aws-guardrails", enforcement_level=EnforcementLevel.MANDATORY, policies=POLICIES)
