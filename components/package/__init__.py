"""The component package: this program's platforms for any Pulumi program (TypeScript, Go, C#, YAML, Python).

provider/ hosts these components as a plugin (`pulumi package add <repository>/provider`); Pulumi infers
the schema from their annotations. Each platform component takes the stack config's sections under
the same keys and builds what a stack of this program builds for that platform (building.py).
"""

import pulumi

from components.package.eks_outposts import EksLocalCluster
from components.package.network import Network
from components.package.openshift import OpenShiftCluster
from components.package.tkg import TkgAccount
from components.package.vsphere import VsphereTkgService

COMPONENTS: list[type[pulumi.ComponentResource]] = [
    Network,
    TkgAccount,
    OpenShiftCluster,
    EksLocalCluster,
    VsphereTkgService,
]
"""Every public component, foundations first; the package's schema holds exactly these."""
