"""The component package: this program's platforms for any Pulumi program (TypeScript, Go, C#, YAML, Python).

provider/ hosts these components as a plugin (`pulumi package add <repository>/provider`); Pulumi infers
the schema from their annotations. Each platform component takes the stack config's sections under
the same keys and builds what a stack of this program builds for that platform (building.py).

The vSphere TKG Service platform (components/vsphere/) joins the list as its own component
(`VsphereTkgService`, sections of its config) once its composition is in components/stack.py.
"""

import pulumi

from components.package.eks_outposts import EksLocalCluster
from components.package.network import Network
from components.package.openshift import OpenShiftCluster
from components.package.tkg import TkgAccount

COMPONENTS: list[type[pulumi.ComponentResource]] = [Network, TkgAccount, OpenShiftCluster, EksLocalCluster]
"""Every public component, foundations first; the package's schema holds exactly these."""
