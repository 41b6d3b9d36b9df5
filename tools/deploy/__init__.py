"""What runs around a real deployment: OpenShift's install-config.yaml before the installer
(openshift_install_config.py), the render directory kept across CI runners (rendered_manifests.py),
the sandbox workflow's ephemeral stack (sandbox_stack.py).
"""
