"""The vSphere TKG Service platform: VM classes, vSphere Namespaces and TKG clusters on a Supervisor.

platform.py composes it, args.py builds its components' Args from the config.
"""
