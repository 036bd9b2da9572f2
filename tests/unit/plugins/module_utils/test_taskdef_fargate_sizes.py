from __future__ import annotations

import pytest

from ansible_collections.devops.fargate.plugins.module_utils.taskdef import FARGATE_CPU_MEMORY


@pytest.mark.parametrize(
    "cpu, first, last, count",
    [
        (256, 512, 2048, 3),
        (512, 1024, 4096, 4),
        (1024, 2048, 8192, 7),
        (2048, 4096, 16384, 13),
        (4096, 8192, 30720, 23),
        (8192, 16384, 61440, 12),
        (16384, 32768, 122880, 12),
    ],
)
def test_fargate_cpu_memory(cpu, first, last, count):
    memory = FARGATE_CPU_MEMORY[cpu]
    assert (memory[0], memory[-1], len(memory)) == (first, last, count)


def test_fargate_cpu_memory_has_only_documented_cpus():
    assert sorted(FARGATE_CPU_MEMORY) == [256, 512, 1024, 2048, 4096, 8192, 16384]
