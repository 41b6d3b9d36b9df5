"""The EC2 instance catalog: the vendored file matches its maintained sources, and lookups read it right."""

from __future__ import annotations

from components.config import instance_types
from tools.generate import instance_catalog


def test_the_vendored_catalog_is_what_the_installed_botocore_and_moto_give():
    # Fails after an upgrade of either package: run `python -m tools.generate.instance_catalog` and review the diff.
    assert instance_types.CATALOG.read_text() == instance_catalog.render(instance_catalog.catalog())


def test_a_gpu_type_has_its_vcpus_memory_architecture_and_nvidia_gpus():
    g5 = instance_types.lookup("g5.xlarge")
    assert (g5.vcpus, g5.memory_gib, g5.architectures, g5.nvidia_gpus) == (4, 16.0, ("x86_64",), 1)
    graviton = instance_types.lookup("m7g.large")
    assert graviton.architectures == ("arm64",) and graviton.nvidia_gpus == 0
    assert instance_types.lookup("t3.medium").burstable


def test_names_ec2_does_not_know_are_unknown_with_the_nearest_names():
    for name in ("g5.3xlarge", "g4dn.8xl", "M5.large", "m5.huge"):
        assert not instance_types.exists(name)
        assert instance_types.lookup(name) is None
    assert "did you mean g4dn.8xlarge?" in instance_types.unknown_message("g4dn.8xl")
    assert "m5.large" in instance_types.unknown_message("M5.large")


def test_retired_types_exist_by_name_without_specs():
    assert instance_types.exists("p3.2xlarge")
    assert instance_types.lookup("p3.2xlarge") is None
