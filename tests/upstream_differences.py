"""Where our IAM set deliberately differs from the upstream template it stands for, and why.

tests/tkg/test_upstream_templates.py compares each golden under tests/golden/policies/<variant>/ with
the vendored upstream templates (tests/data/upstream-iam/), and the IAM set the program deploys
(names, paths, attachments, instance profiles, inline policy names) with the same templates. Every
difference it finds must be listed here, and every entry here must still be found: a golden that
drifts from upstream, or a reason that no longer applies, fails the suite.

Keys are (variant, document, what): the golden folder (`tkg`, `tkg-without-tmc`, `capa`), the
golden file's name without `.json` or one of the set's facts (`roles`, `managed policies`,
`instance profiles`, `attachments`, `inline policies`, `AWS-managed attachments`, `paths`), and
the difference as the comparison words it. Documents compare with the name suffix as `{suffix}`,
and with statements, actions, resources, principals and condition values in any order (IAM reads
each as a set), but not with an action listed a different number of times.
"""

from __future__ import annotations

DIFFERENCES: dict[tuple[str, str, str], str] = {
    ("capa", "controllers", "ec2:DescribeInstanceTypes on *: 1 here, 2 upstream"): (
        "CAPA v2.11.1 lists it twice in the controllers policy's first statement (with_eks_disable.yaml "
        "lines 187 and 190). A repeat grants nothing more, and our statements list each action once: "
        "components/policies/grammar.py refuses a repeated action, so that no list of ours hides one."
    ),
}
