"""The trust diagram: who may enter which account as which IAM role, drawn from an offline plan.

One box per account of the stack (its AWS providers), holding its roles, instance profiles and the
principals its roles trust; one box per Kubernetes cluster, holding the CAPA identity objects the
stack applies there. Arrows, each labelled with what allows it:
- solid: a role's trust policy allows the principal (actions, then every condition: ExternalId,
  PrincipalArn, SourceIdentity...). An account root means "whoever that account's policies allow".
- dashed: the principal's own IAM policy grants sts:AssumeRole on the role (or on a pattern).
- thick: the stack's own providers assume the role to deploy (aws:assumeRoles, deployRoleArn).
- to a role from an instance profile (EC2 instances get the role) and from an
  AWSClusterRoleIdentity (`roleARN`), and between identities (`sourceIdentityRef`).
Principals and roles outside the plan (an IRSA role, a deploy role) are drawn in their account,
marked as not managed here. Beyond MAX_WORKLOAD_ACCOUNTS workload accounts, accounts drawn alike
are drawn once, standing for the others (listed below the diagram).
"""

from __future__ import annotations

import fnmatch
import functools
import re
from collections import defaultdict
from typing import Any

from tools.diagrams.document import (
    AWS_PROVIDER,
    SECRET,
    Account,
    Plan,
    as_list,
    decoded,
    inputs,
    mapping,
    parse_arn,
    short_type,
    statements,
)
from tools.diagrams.graph import Edge, Graph, Node, Shape, Style

MANAGEMENT_PROVIDER = "management"  # components/config/rules.py MANAGEMENT_PROVIDER_NAME (stdlib-only here)
MAX_WORKLOAD_ACCOUNTS = 10
ASSUME_ACTIONS = ("sts:AssumeRole", "sts:AssumeRoleWithWebIdentity", "sts:AssumeRoleWithSAML")
IDENTITY_API_GROUP = "kubernetes:infrastructure.cluster.x-k8s.io/"
IDENTITY_KINDS = ("AWSClusterRoleIdentity", "AWSClusterStaticIdentity", "AWSClusterControllerIdentity")
ANYONE = "anyone"
CREDENTIALS = "credentials"

ROLE = "aws:iam/role:Role"
INSTANCE_PROFILE = "aws:iam/instanceProfile:InstanceProfile"
MANAGED_POLICY = "aws:iam/policy:Policy"
# Identity policies: (type, input naming the principal, principal kind), inline and attached.
INLINE_POLICIES: tuple[tuple[str, str, str], ...] = (
    ("aws:iam/rolePolicy:RolePolicy", "role", "role"),
    ("aws:iam/userPolicy:UserPolicy", "user", "user"),
)
INLINE_POLICIES += (("aws:iam/groupPolicy:GroupPolicy", "group", "group"),)
ATTACHMENTS = (
    ("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "role", "role"),
    ("aws:iam/userPolicyAttachment:UserPolicyAttachment", "user", "user"),
    ("aws:iam/groupPolicyAttachment:GroupPolicyAttachment", "group", "group"),
    ("aws:iam/policyAttachment:PolicyAttachment", "roles", "role"),
    ("aws:iam/policyAttachment:PolicyAttachment", "users", "user"),
    ("aws:iam/policyAttachment:PolicyAttachment", "groups", "group"),
)
PRINCIPAL_WORDS = {"role": "role", "user": "IAM user", "group": "IAM group"}


def trust_graph(plan: Plan) -> tuple[Graph, list[str]]:
    """The graph, and one line per account drawn on behalf of others."""
    drawing = TrustDrawing(plan)
    drawing.draw()
    return drawing.graph, drawing.collapse_alike_accounts()


class TrustDrawing:
    def __init__(self, plan: Plan):
        self.plan = plan
        self.graph = Graph()
        self.names = {account.id: account.name for account in sorted(plan.accounts.values(), key=lambda a: a.name)}
        types = {ROLE: "role", "aws:iam/user:User": "user", "aws:iam/group:Group": "group"}
        self.created = {(types[r["type"]], plan.account_of(r).id, _iam_name(r)) for r in plan.of_type(*types)}

    def draw(self) -> None:
        for account in sorted(set(self.plan.accounts.values()), key=lambda a: a.id):
            self._account_group(account.id)
        self._roles()
        self._instance_profiles()
        self._grants()
        self._identities()
        self._provider_chains()

    # --- nodes -------------------------------------------------------------------------------------
    def _account_group(self, account_id: str) -> str:
        name = self.names.get(account_id)
        title = f"{name} {account_id}" if name else f"account {account_id} (outside this stack)"
        return self.graph.add_group(f"account:{account_id}", title)

    def _principal(self, kind: str, account_id: str, name: str) -> str:
        """A role, user or group node; one the plan does not create says so."""
        key = f"{kind}:{account_id}:{name}"
        if key not in self.graph.nodes:
            line = () if self._created(kind, account_id, name) else ("not managed by this stack",)
            shape: Shape = "box" if kind == "role" else "trapezoid"
            self.graph.add_node(
                key, (PRINCIPAL_WORDS.get(kind, kind), name, *line), shape, self._account_group(account_id)
            )
        return key

    def _created(self, kind: str, account_id: str, name: str) -> bool:
        return (kind, account_id, name) in self.created

    def _root(self, account_id: str) -> str:
        group = self._account_group(account_id)
        return self.graph.add_node(
            f"root:{account_id}", ("account root", "whoever its IAM policies allow"), "parallelogram", group
        )

    def _aws_principal(self, value: Any) -> str:
        if value == "*":
            return self.graph.add_node(ANYONE, ("anyone (*)",), "hexagon")
        if isinstance(value, str) and re.fullmatch(r"\d{12}", value):
            return self._root(value)
        arn = parse_arn(value)
        if arn is None:
            return self.graph.add_node(f"principal:{value}", ("principal", str(value)), "hexagon")
        if arn.kind == "root":
            return self._root(arn.account)
        if arn.kind in ("role", "user"):
            return self._principal(arn.kind, arn.account, arn.name)
        if arn.kind == "assumed-role" and arn.resource.count("/") >= 2:
            return self._principal("role", arn.account, arn.resource.split("/")[1])
        group = self._account_group(arn.account)
        return self.graph.add_node(f"principal:{value}", ("principal", arn.resource), "hexagon", group)

    def _role_target(self, value: Any) -> str | None:
        """What an `sts:AssumeRole` resource names: a role, or every role matching a pattern."""
        if not isinstance(value, str):
            return None
        if any(c in value for c in "*?"):
            return self.graph.add_node(f"pattern:{value}", ("any role matching", value), "flag")
        arn = parse_arn(value)
        return self._principal("role", arn.account, arn.name) if arn and arn.kind == "role" else None

    # --- trust policies ----------------------------------------------------------------------------
    def _roles(self) -> None:
        for role in self.plan.of_type(ROLE):
            account = self.plan.account_of(role).id
            key = self._principal("role", account, _iam_name(role))
            policy = decoded(inputs(role).get("assumeRolePolicy"))
            if policy == SECRET:
                self.graph.note(key, "trust policy is secret: not drawn")
            for statement in statements(policy):
                self._trust_statement(key, account, statement)

    def _trust_statement(self, role: str, account: str, statement: dict[str, Any]) -> None:
        # Every allowed action is drawn, not only the AssumeRole ones: sts:TagSession or
        # sts:SetSourceIdentity decide whether an AssumeRole with tags or a source identity succeeds.
        actions = [a for a in as_list(statement.get("Action")) if isinstance(a, str)]
        if statement.get("Effect") != "Allow" or not actions:
            return
        label = (", ".join(actions), *condition_lines(statement.get("Condition")))
        for principal in self._statement_principals(account, statement):
            self.graph.add_edge(principal, role, label)

    def _statement_principals(self, account: str, statement: dict[str, Any]) -> list[str]:
        if "NotPrincipal" in statement:
            shown = ", ".join(str(v) for values in mapping(statement["NotPrincipal"]).values() for v in as_list(values))
            return [self.graph.add_node(f"not:{shown}", ("anyone except", shown), "hexagon")]
        principal = statement.get("Principal")
        if principal == "*":
            return [self._aws_principal("*")]
        found = []
        for kind, values in sorted(mapping(principal).items()):
            for value in as_list(values):
                if kind == "AWS":
                    found.append(self._aws_principal(value))
                elif kind == "Service":
                    group = self._account_group(account)
                    found.append(self.graph.add_node(f"service:{account}:{value}", (str(value),), "hexagon", group))
                else:  # Federated (an OIDC or SAML provider), CanonicalUser
                    arn = parse_arn(value)
                    group = self._account_group(arn.account) if arn else ""
                    shown = arn.resource if arn else str(value)
                    found.append(self.graph.add_node(f"{kind}:{value}", (kind.lower(), shown), "hexagon", group))
        return found

    def _instance_profiles(self) -> None:
        for profile in self.plan.of_type(INSTANCE_PROFILE):
            account = self.plan.account_of(profile).id
            role = inputs(profile).get("role")
            if not isinstance(role, str):
                continue
            name = _iam_name(profile)
            key = self.graph.add_node(
                f"profile:{account}:{name}", ("instance profile", name), "stadium", self._account_group(account)
            )
            self.graph.add_edge(key, self._principal("role", account, role), ("EC2 instances get",))

    # --- identity policies: the caller's side of sts:AssumeRole ------------------------------------------
    def _grants(self) -> None:
        managed = {(self.plan.account_of(p).id, _iam_name(p)): p for p in self.plan.of_type(MANAGED_POLICY)}
        for type_token, field, kind in INLINE_POLICIES:
            for policy in self.plan.of_type(type_token):
                self._grant(policy, kind, inputs(policy).get(field), inputs(policy).get("policy"))
        for role in self.plan.of_type(ROLE):
            for inline in as_list(inputs(role).get("inlinePolicies")):
                if isinstance(inline, dict):
                    self._grant(role, "role", _iam_name(role), inline.get("policy"), inline.get("name"))
        for type_token, field, kind in ATTACHMENTS:
            for attachment in self.plan.of_type(type_token):
                arn = parse_arn(inputs(attachment).get("policyArn"))
                attached = managed.get((arn.account, arn.name)) if arn else None
                for principal in as_list(inputs(attachment).get(field)):
                    if attached is not None:
                        self._grant(attachment, kind, principal, inputs(attached).get("policy"), _iam_name(attached))

    def _grant(self, holder: dict[str, Any], kind: str, principal: Any, document: Any, policy_name: Any = None) -> None:
        if not isinstance(principal, str):
            return
        key = self._principal(kind, self.plan.account_of(holder).id, principal)
        name = str(policy_name or inputs(holder).get("name") or holder.get("name"))
        if decoded(document) == SECRET:
            self.graph.note(key, f"policy {name} is secret: not drawn")
        for statement in statements(decoded(document)):
            actions = [a for a in as_list(statement.get("Action")) if isinstance(a, str)]
            if statement.get("Effect") != "Allow" or not _allows_assume(actions):
                continue
            label = (f"policy {name}", *condition_lines(statement.get("Condition")))
            for resource in as_list(statement.get("Resource")):
                target = self._role_target(resource)
                if target is not None:
                    self.graph.add_edge(key, target, label, "dashed")

    # --- Kubernetes: CAPA's identities -------------------------------------------------------------
    def _identities(self) -> None:
        for obj in self.plan.resources:
            kind = short_type(obj["type"])
            if obj["type"].startswith(IDENTITY_API_GROUP) and kind in IDENTITY_KINDS:
                self._identity(obj, kind)

    def _identity(self, obj: dict[str, Any], kind: str) -> None:
        cluster = self.plan.provider_name(obj)
        group = self.graph.add_group(f"cluster:{cluster}", f"Kubernetes cluster {cluster}")
        name = str(mapping(inputs(obj).get("metadata")).get("name", obj.get("name")))
        spec = inputs(obj).get("spec")
        if spec == SECRET:
            key = self.graph.add_node(f"identity:{cluster}:{kind}:{name}", (kind, name), "subroutine", group)
            self.graph.note(key, "spec is secret: not drawn")
            return
        spec = mapping(spec)
        extra = (f"secretRef: {spec.get('secretRef')}",) if kind == "AWSClusterStaticIdentity" else ()
        key = self.graph.add_node(
            f"identity:{cluster}:{kind}:{name}", (kind, name, namespaces_line(spec), *extra), "subroutine", group
        )
        role = self._role_target(spec.get("roleARN"))
        if role is not None:
            external_id = (f"externalID: {spec['externalID']}",) if spec.get("externalID") else ()
            self.graph.add_edge(key, role, ("roleARN", *external_id))
        source = mapping(spec.get("sourceIdentityRef"))
        if source.get("kind") and source.get("name"):
            source_key = f"identity:{cluster}:{source['kind']}:{source['name']}"
            own = ("the CAPA controller's own credentials",) if source["kind"] == "AWSClusterControllerIdentity" else ()
            self.graph.add_node(source_key, (str(source["kind"]), str(source["name"]), *own), "subroutine", group)
            self.graph.add_edge(source_key, key, ("sourceIdentityRef",))

    # --- the stack's own way in --------------------------------------------------------------------
    def _provider_chains(self) -> None:
        for provider in sorted(self.plan.of_type(AWS_PROVIDER), key=lambda p: str(p.get("urn"))):
            hops = decoded(inputs(provider).get("assumeRoles"))
            web = mapping(inputs(provider).get("assumeRoleWithWebIdentity"))
            if hops == SECRET:
                self._credentials()
                self.graph.note(CREDENTIALS, f"provider {provider.get('name')}: assumed roles are secret")
                continue
            previous = self._credentials() if hops or web else None
            chain = ([{**web, "_web": True}] if web else []) + [h for h in as_list(hops) if isinstance(h, dict)]
            for hop in chain:
                role = self._role_target(hop.get("roleArn"))
                if role is None or previous is None:
                    continue
                label: tuple[str, ...] = ("web identity" if hop.get("_web") else "the stack's provider assumes",)
                if hop.get("externalId"):
                    label += (f"externalId: {hop['externalId']}",)
                self.graph.add_edge(previous, role, label, "thick")
                previous = role

    def _credentials(self) -> str:
        return self.graph.add_node(CREDENTIALS, ("the stack's AWS credentials", "pulumi up"), "parallelogram")

    # --- accounts beyond MAX_WORKLOAD_ACCOUNTS -------------------------------------------------------
    def collapse_alike_accounts(self) -> list[str]:
        """Draw accounts beyond the first MAX_WORKLOAD_ACCOUNTS (by name) once per shape."""
        workload = sorted(
            (a for a in set(self.plan.accounts.values()) if a.name != MANAGEMENT_PROVIDER), key=lambda a: a.name
        )
        beyond = workload[MAX_WORKLOAD_ACCOUNTS:]
        parts = self._account_parts(beyond)
        alike: dict[frozenset[tuple[str, ...]], list[Account]] = defaultdict(list)
        for account in beyond:
            alike[self._shape(account, *parts[account.id])].append(account)
        listed = []
        for accounts in alike.values():
            if len(accounts) > 1:
                self._draw_once(accounts)
                names = ", ".join(f"{a.name} ({a.id})" for a in accounts[1:])
                listed.append(f"{accounts[0].name} ({accounts[0].id}) is drawn for: {names}")
        return listed

    def _account_parts(self, accounts: list[Account]) -> dict[str, tuple[set[str], list[Edge]]]:
        """Each account's nodes (with the identity objects that point into it) and the edges touching
        them, in edge order: one pass over the graph for all the accounts, so that collapsing
        thousands of accounts grows with their number, not with its square."""
        group_account = {f"account:{a.id}": a.id for a in accounts}
        in_group = {key: group_account[n.group] for key, n in self.graph.nodes.items() if n.group in group_account}
        owners: dict[str, set[str]] = defaultdict(set)
        for key, account_id in in_group.items():
            owners[key].add(account_id)
        for e in self.graph.edges:
            if e.source.startswith("identity:") and e.target in in_group:
                owners[e.source].add(in_group[e.target])
        parts: dict[str, tuple[set[str], list[Edge]]] = {a.id: (set(), []) for a in accounts}
        for key, account_ids in owners.items():
            for account_id in account_ids:
                parts[account_id][0].add(key)
        for e in sorted(self.graph.edges):
            for account_id in sorted(owners.get(e.source, set()) | owners.get(e.target, set())):
                parts[account_id][1].append(e)
        return parts

    def _normal(self, key: str, account: Account, members: set[str]) -> str:
        if key not in members:
            return key
        if key.startswith("identity:"):
            return key.rsplit(":", 1)[0] + ":*"
        return key.replace(account.id, "{account}")

    def _shape(self, account: Account, members: set[str], edges: list[Edge]) -> frozenset[tuple[str, ...]]:
        shaped = {
            (self._normal(e.source, account, members), self._normal(e.target, account, members), e.style) for e in edges
        }
        return frozenset(shaped | {(self._normal(k, account, members),) for k in members})

    def _draw_once(self, accounts: list[Account]) -> None:
        first, others = accounts[0], accounts[1:]
        parts = self._account_parts(accounts)
        node_labels: dict[str, list[tuple[str, ...]]] = defaultdict(list)
        edge_labels: dict[tuple[str, str, Style], list[tuple[str, ...]]] = defaultdict(list)
        for account in accounts:
            members, edges = parts[account.id]
            for key in sorted(members):
                node_labels[self._normal(key, account, members)].append(self.graph.label_of(key))
            for e in edges:
                shape = (self._normal(e.source, account, members), self._normal(e.target, account, members), e.style)
                edge_labels[shape].append(e.label)
        members, first_edges = parts[first.id]
        self.graph.remove_nodes(set().union(*(parts[account.id][0] for account in others)))
        for account in others:
            self.graph.groups.pop(f"account:{account.id}", None)
        for key in members:
            node = self.graph.nodes[key]
            merged = merge_lines(node_labels[self._normal(key, first, members)])
            self.graph.nodes[key] = Node(key, merged, node.shape, node.group)
            self.graph.notes.pop(key, None)
        for e in first_edges:
            if e not in self.graph.edges:
                continue  # it also touched an account drawn by this one, and went with it
            shape = (self._normal(e.source, first, members), self._normal(e.target, first, members), e.style)
            self.graph.edges.discard(e)
            self.graph.edges.add(Edge(e.source, e.target, merge_lines(edge_labels[shape]), e.style))
        group = self.graph.groups[f"account:{first.id}"]
        title = f"{group.label} and {len(others)} more account{'s' if len(others) > 1 else ''} like it"
        self.graph.groups[group.key] = type(group)(group.key, title, group.parent)


# --- labels ----------------------------------------------------------------------------------------
def condition_lines(condition: Any) -> list[str]:
    """`ArnEquals aws:PrincipalArn: 111111111111:role/x`, one line per operator and key."""
    lines = []
    for operator, tests in sorted(mapping(condition).items()):
        for key, values in sorted(mapping(tests).items()):
            shown = ", ".join(_short(v) for v in as_list(values))
            lines.append(f"{operator} {key}: {shown}")
    return lines


def namespaces_line(spec: dict[str, Any]) -> str:
    """Which namespaces may use a CAPA identity, as CAPA reads allowedNamespaces."""
    allowed = spec.get("allowedNamespaces")
    if allowed == {}:
        return "namespaces: all"
    allowed = mapping(allowed)
    parts = []
    names = [str(n) for n in as_list(allowed.get("list"))]
    if names:
        parts.append(", ".join(names))
    selector = mapping(allowed.get("selector"))
    labels = [f"{k}={v}" for k, v in sorted(mapping(selector.get("matchLabels")).items())]
    expressions = [
        f"{e.get('key')} {e.get('operator')} {', '.join(str(v) for v in as_list(e.get('values')))}".rstrip()
        for e in as_list(selector.get("matchExpressions"))
        if isinstance(e, dict)
    ]
    if labels or expressions:
        parts.append("labelled " + " and ".join(labels + expressions))
    return "namespaces: " + (" or ".join(parts) if parts else "none")


def merge_lines(variants: list[tuple[str, ...]]) -> tuple[str, ...]:
    """One label for several accounts' labels: lines they share, and what differs marked as such."""
    if not variants:
        return ()
    if all(v == variants[0] for v in variants):
        return variants[0]
    merged: list[str] = []
    for index in range(max(len(v) for v in variants)):
        column = {v[index] if index < len(v) else "" for v in variants}
        prefixes = {line.split(": ", 1)[0] for line in column}
        if len(column) == 1:
            line = column.pop()
        elif len(prefixes) == 1 and all(": " in line for line in column):
            line = f"{prefixes.pop()}: (one per account)"
        else:
            line = "(differs per account)"
        if line and not (merged and merged[-1] == line):
            merged.append(line)
    return tuple(merged)


def _allows_assume(actions: list[str]) -> bool:
    return _allows_assume_of(tuple(actions))


@functools.lru_cache(maxsize=1024)
def _allows_assume_of(actions: tuple[str, ...]) -> bool:
    """Every account's policies repeat the same few action lists: each is matched once."""
    return any(fnmatch.fnmatchcase(action.lower(), pattern.lower()) for action in ASSUME_ACTIONS for pattern in actions)


def _short(value: Any) -> str:
    arn = parse_arn(value)
    return arn.short if arn else str(value)


def _iam_name(resource: dict[str, Any]) -> str:
    value = inputs(resource).get("name")
    return value if isinstance(value, str) and value else str(resource.get("name", "?"))
