from __future__ import annotations

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.devops.fargate.plugins.filter.awscli_version import FilterModule
from ansible_collections.devops.fargate.plugins.filter.awscli_version import awscli_version
from ansible_collections.devops.fargate.plugins.filter.awscli_version import install_action
from ansible_collections.devops.fargate.plugins.filter.awscli_version import parse_aws_version

V2_EXE = "aws-cli/2.15.30 Python/3.11.8 Linux/6.1.0-18-amd64 exe/x86_64.debian.12 prompt/off"
V2_DEBIAN = "aws-cli/2.9.19 Python/3.11.2 Linux/6.1.0 source/x86_64.debian.12 prompt/off"
V1_PIP = "aws-cli/1.36.0 Python/3.11.2 Linux/6.1.0 botocore/1.35.0"


@pytest.mark.parametrize(
    "output, expected",
    [
        (V2_EXE, {"found": True, "version": "2.15.30", "major": 2, "python": "3.11.8", "installer": "exe"}),
        (V2_DEBIAN, {"found": True, "version": "2.9.19", "major": 2, "python": "3.11.2", "installer": "source"}),
        (V1_PIP, {"found": True, "version": "1.36.0", "major": 1, "python": "3.11.2", "installer": ""}),
        (V2_EXE + "\n", {"found": True, "version": "2.15.30", "major": 2, "python": "3.11.8", "installer": "exe"}),
        ("", {"found": False, "version": "", "major": 0, "python": "", "installer": ""}),
        ("bash: aws: command not found", {"found": False, "version": "", "major": 0, "python": "", "installer": ""}),
        ("aws-cli/2.15 Python/3.11.8", {"found": False, "version": "", "major": 0, "python": "", "installer": ""}),
        ("not-aws-cli/2.15.30 Python/3.11.8", {"found": False, "version": "", "major": 0, "python": "", "installer": ""}),
    ],
)
def test_parse_aws_version(output, expected):
    assert parse_aws_version(output) == expected


@pytest.mark.parametrize(
    "installed, wanted, expected",
    [
        ("", "2.15.30", "install"),
        ("", "", "install"),
        ("2.15.30", "2.15.30", "none"),
        ("2.15.30", "", "none"),
        ("1.36.0", "", "none"),
        ("2.15.30", "2.15.31", "update"),
        ("2.15.31", "2.15.30", "update"),
        ("1.36.0", "2.15.30", "update"),
        ("2.9.19", "2.10.0", "update"),
    ],
)
def test_install_action(installed, wanted, expected):
    assert install_action(installed, wanted) == expected


@pytest.mark.parametrize("wanted", ["2", "2.15", "latest", "2.15.30-1", "v2.15.30", "2.15.x"])
def test_install_action_rejects_a_malformed_pin(wanted):
    with pytest.raises(AnsibleFilterError, match="MAJOR.MINOR.PATCH"):
        install_action("2.15.30", wanted)


@pytest.mark.parametrize(
    "result, wanted, expected",
    [
        # The registered result of `aws --version` that matches the pin: nothing to do.
        ({"rc": 0, "stdout": V2_EXE, "stderr": ""}, "2.15.30", {"found": True, "version": "2.15.30", "action": "none"}),
        ({"rc": 0, "stdout": V2_EXE, "stderr": ""}, "2.16.0", {"found": True, "version": "2.15.30", "action": "update"}),
        # Version 1 on an old Python prints its version to stderr.
        ({"rc": 0, "stdout": "", "stderr": V1_PIP}, "", {"found": True, "version": "1.36.0", "action": "none"}),
        # The command is missing: the module failed with rc 2.
        ({"rc": 2, "failed": True, "msg": "[Errno 2] No such file or directory", "stdout": "", "stderr": ""},
         "2.15.30", {"found": False, "version": "", "action": "install"}),
        # An aws that exits non-zero does not count as installed, whatever it printed.
        ({"rc": 1, "stdout": V2_EXE, "stderr": ""}, "2.15.30", {"found": False, "version": "", "action": "install"}),
        ({"skipped": True}, "2.15.30", {"found": False, "version": "", "action": "install"}),
        (V2_DEBIAN, "", {"found": True, "version": "2.9.19", "action": "none"}),
        (None, "", {"found": False, "version": "", "action": "install"}),
        ({"rc": 0, "stdout": V2_EXE, "stderr": ""}, " 2.15.30 ", {"found": True, "version": "2.15.30", "action": "none"}),
    ],
)
def test_awscli_version_decides(result, wanted, expected):
    facts = awscli_version(result, wanted=wanted)
    assert {key: facts[key] for key in expected} == expected
    assert facts["wanted"] == wanted.strip()


@pytest.mark.parametrize(
    "output, warned",
    [(V1_PIP, True), (V2_EXE, False), (V2_DEBIAN, False), ("", False)],
)
def test_end_of_support_warning_only_for_version_1(output, warned):
    warning = awscli_version(output)["end_of_support_warning"]
    assert bool(warning) is warned
    if warned:
        assert "1.36.0" in warning
        assert "July 2027" in warning


def test_rejects_input_of_another_type():
    with pytest.raises(AnsibleFilterError, match="registered command result or a string"):
        awscli_version(["aws-cli/2.15.30"])


def test_filter_is_registered():
    assert FilterModule().filters()["awscli_version"] is awscli_version
