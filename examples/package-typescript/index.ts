// A dev-sized TKG account (one AZ, one NAT gateway, a generated key pair, manifests rendered to a
// directory) built by the tkg-aws package; the same keys as the stack config's, typed.
import * as tkgaws from "@pulumi/tkg-aws";

const tkg = new tkgaws.TkgAccount("tkg", {
    region: "us-west-2",
    environment: "team-dev",
    tags: { team: "platform" },
    network: {
        cidr: "10.0.0.0/16",
        availabilityZones: ["us-west-2a"],
        natGateways: "single",
        natGatewayAz: "us-west-2a",
        clusterNames: ["tkg-mgmt-team-dev", "tkg-wl-team-dev-1"],
        vpcEndpoints: { s3: true },
    },
    iam: { profile: "tkg", tmcPermissions: true },
    keyPair: { name: "tkg-team-dev" },
    managementCluster: {
        accountId: "123456789012",
        renderYamlToDirectory: "build/manifests/team-dev",
    },
});

export const vpcId = tkg.network.vpcId;
export const privateSubnetIds = tkg.network.privateSubnetIds;
export const controlPlaneInstanceProfile = tkg.iam.instanceProfileNames["controlPlane"];
export const tkgClusterConfig = tkg.tkgClusterConfig;
export const keyPairPrivateKey = tkg.keyPairPrivateKey;
