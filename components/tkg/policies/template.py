"""One account's IAM set as data: which documents exist and which role gets which.

The counterpart of CAPA's `Template.RenderCloudFormation()`: components/tkg/iam.py creates exactly
what these functions describe, and the golden tests read the same functions.
TKG's "Prepare to Deploy Management Clusters to AWS": the control-plane policy goes to
the control-plane role, the nodes policy to the control-plane and nodes roles, the controllers
policy to the control-plane and controllers roles.
"""

from __future__ import annotations

from components.policies.grammar import Document, Profile
from components.tkg.policies import control_plane, controllers, nodes

ROLES = ("control-plane", "nodes", "controllers")
"""Base names of the roles, their instance profiles and their managed policies."""

ATTACHMENTS = {
    "control-plane": ("control-plane", "nodes", "controllers"),
    "nodes": ("nodes",),
    "controllers": ("controllers",),
}
"""Role base name -> base names of the managed policies attached to it."""


def managed_policies(profile: Profile, suffix: str, allow_assume_role: bool = True) -> dict[str, Document]:
    """Managed policy documents by base name."""
    return {
        "control-plane": control_plane.managed_policy(profile),
        "nodes": nodes.managed_policy(),
        "controllers": controllers.managed_policy(profile, suffix, allow_assume_role),
    }


def inline_policies(profile: Profile, tmc_permissions: bool) -> dict[str, Document]:
    """Inline policy documents by role base name, for the roles that have one."""
    documents = {
        "control-plane": control_plane.inline_policy(profile, tmc_permissions),
        "nodes": nodes.inline_policy(profile, tmc_permissions),
    }
    return {role: document for role, document in documents.items() if document is not None}
