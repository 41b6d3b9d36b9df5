"""The stack config: typed models and defaults (models.py), field rules (validators.py), rules
across keys (rules.py), the stack's provider settings (provider_settings.py), stack files
(stack_files.py), for the sections every platform shares (network, keyPair, managementCluster).

The ground floor: nothing here imports a platform. Each platform's own sections and rules live in
its folder (components/<platform>/config.py, rules.py); components/stack_config assembles them into
StackConfig and loads a stack's keys with every problem reported at once.
"""
