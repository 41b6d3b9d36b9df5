"""The vSphere TKG Service platform: VM classes, vSphere Namespaces and TKG clusters on a Supervisor."""
