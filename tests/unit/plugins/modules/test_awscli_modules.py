"""The awscli role's two modules, run whole (AnsibleModule's exit and fail caught): awscli_info asks the AWS CLI and
reads its links, awscli_profiles places the rendered profile files for their owner, idempotently, in check mode too."""

from __future__ import annotations

import os
import pwd
import stat
import types

import pytest
from ansible.module_utils import basic
from ansible.module_utils.testing import patch_module_args

from ansible_collections.devops.fargate.plugins.filter.awscli_version import awscli_version
from ansible_collections.devops.fargate.plugins.modules import awscli_info
from ansible_collections.devops.fargate.plugins.modules import awscli_profiles

ME = pwd.getpwuid(os.geteuid())
CONFIG = "# Managed by Ansible\n\n[profile local]\nregion = us-east-1\n"
CREDENTIALS = "# Managed by Ansible\n\n[local]\naws_access_key_id = AKIDEXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG\n"


class _Done(Exception):
    pass


@pytest.fixture
def run(monkeypatch):
    def finish(self, **kwargs):
        raise _Done(kwargs)

    def fail(self, **kwargs):
        raise _Done(dict(kwargs, failed=True))

    monkeypatch.setattr(basic.AnsibleModule, "exit_json", finish)
    monkeypatch.setattr(basic.AnsibleModule, "fail_json", fail)

    def _run(module, check_mode: bool = False, diff: bool = False, **params) -> dict:
        with patch_module_args(dict(params, _ansible_check_mode=check_mode, _ansible_diff=diff)), pytest.raises(_Done) as done:
            module.main()
        return done.value.args[0]

    return _run


def _fake_aws(path, output: str = "aws-cli/1.46.3 Python/3.11.7 Linux/6.1 botocore/1.43.62"):
    path.write_text(f"#!/bin/sh\necho '{output}'\n")
    path.chmod(0o755)
    return str(path)


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


# -- awscli_info -------------------------------------------------------------------------------------------------------

def test_info_answers_as_the_command_module_and_names_the_links_that_are_wrong(tmp_path, run):
    aws = _fake_aws(tmp_path / "aws")
    os.symlink(aws, tmp_path / "aws-link")
    os.symlink(str(tmp_path / "elsewhere"), tmp_path / "completer-link")
    found = run(awscli_info, command=aws, links={
        str(tmp_path / "aws-link"): aws, str(tmp_path / "completer-link"): str(tmp_path / "aws_completer"),
        str(tmp_path / "missing-link"): aws})
    assert found["answer"]["rc"] == 0 and found["answer"]["stdout"].startswith("aws-cli/1.46.3") and not found["changed"]
    assert awscli_version(found["answer"])["version"] == "1.46.3", "the filter reads the answer as the command module's"
    assert found["links_wrong"] == [str(tmp_path / "completer-link"), str(tmp_path / "missing-link")]


def test_info_on_a_missing_command_is_rc_127_not_a_failure(tmp_path, run):
    found = run(awscli_info, command=str(tmp_path / "absent" / "aws"))
    assert found["answer"]["rc"] == 127 and "rc" not in found, "an answer, not a failed task (Ansible fails a result whose rc is not 0)"
    assert found["links_wrong"] == [] and awscli_version(found["answer"])["action"] == "install"


def _profiles_pending(run, aws, path, **profiles):
    return run(awscli_info, command=aws, profiles=dict(dict(path=str(path), config=CONFIG), **profiles))["profiles_pending"]


def test_info_says_what_awscli_profiles_would_change_and_nothing_once_it_wrote_them(tmp_path, run):
    """The role's probe is given the profiles too: a run with nothing to change skips the write's module run."""
    aws, path = _fake_aws(tmp_path / "aws"), tmp_path / "profiles"
    assert run(awscli_info, command=aws)["profiles_pending"] is None, "not asked, not read"
    assert _profiles_pending(run, aws, path, credentials=CREDENTIALS) == [str(path), str(path / "config"), str(path / "credentials")]
    written = run(awscli_profiles, path=str(path), config=CONFIG, credentials=CREDENTIALS)["changes"]
    assert _profiles_pending(run, aws, path, credentials=CREDENTIALS) == [] and written == [str(path), str(path / "config"), str(path / "credentials")]
    assert _profiles_pending(run, aws, path) == [], "without credentials, that file is not looked at (the write leaves it)"
    assert path.joinpath("config").read_text() == CONFIG


@pytest.mark.parametrize("drift, pending", [
    (lambda path: path.joinpath("config").write_text("edited by hand\n"), ["config"]),
    (lambda path: path.joinpath("credentials").chmod(0o644), ["credentials"]),
    (lambda path: path.chmod(0o755), [""]),
    (lambda path: path.joinpath("credentials").unlink(), ["credentials"]),
])
def test_info_names_each_drift_as_awscli_profiles_would_fix_it(tmp_path, run, drift, pending):
    aws, path = _fake_aws(tmp_path / "aws"), tmp_path / "profiles"
    run(awscli_profiles, path=str(path), config=CONFIG, credentials=CREDENTIALS)
    drift(path)
    wanted = [str(path / name) if name else str(path) for name in pending]
    assert _profiles_pending(run, aws, path, credentials=CREDENTIALS) == wanted
    assert run(awscli_profiles, check_mode=True, path=str(path), config=CONFIG, credentials=CREDENTIALS)["changes"] == wanted


def test_info_hands_a_bad_owner_or_path_to_the_write_which_fails_naming_it(tmp_path, run):
    aws = _fake_aws(tmp_path / "aws")
    assert _profiles_pending(run, aws, tmp_path, owner="no-such-user-here") == ["no-such-user-here"]
    assert _profiles_pending(run, aws, "relative/aws") == ["relative/aws"]


def test_info_never_returns_the_credentials(tmp_path, run):
    aws, path = _fake_aws(tmp_path / "aws"), tmp_path / "profiles"
    found = run(awscli_info, command=aws, profiles={"path": str(path), "config": CONFIG, "credentials": CREDENTIALS})
    assert "wJalrXUtnFEMI" not in repr(found) and "AKIDEXAMPLE" not in repr(found)


# -- awscli_profiles ---------------------------------------------------------------------------------------------------

def test_profiles_are_written_once_then_left_alone(tmp_path, run):
    path = tmp_path / "aws"
    first = run(awscli_profiles, path=str(path), config=CONFIG, credentials=CREDENTIALS)
    assert first["changed"] and first["changes"] == [str(path), str(path / "config"), str(path / "credentials")]
    assert (path / "config").read_text() == CONFIG and (path / "credentials").read_text() == CREDENTIALS
    assert (_mode(path), _mode(path / "config"), _mode(path / "credentials")) == (0o700, 0o600, 0o600)
    assert first["owner"] == ME.pw_name and os.stat(path / "config").st_uid == ME.pw_uid
    again = run(awscli_profiles, path=str(path), config=CONFIG, credentials=CREDENTIALS)
    assert not again["changed"] and again["changes"] == []


def test_check_mode_predicts_and_writes_nothing(tmp_path, run):
    path = tmp_path / "aws"
    predicted = run(awscli_profiles, check_mode=True, path=str(path), config=CONFIG, credentials=CREDENTIALS)
    assert predicted["changed"] and not path.exists()
    run(awscli_profiles, path=str(path), config=CONFIG)
    predicted = run(awscli_profiles, check_mode=True, path=str(path), config=CONFIG + "output = json\n")
    assert predicted["changes"] == [str(path / "config")] and (path / "config").read_text() == CONFIG


def test_a_mode_or_content_drift_is_put_back(tmp_path, run):
    path = tmp_path / "aws"
    run(awscli_profiles, path=str(path), config=CONFIG, credentials=CREDENTIALS)
    (path / "credentials").chmod(0o644)
    (path / "config").write_text("edited by hand\n")
    fixed = run(awscli_profiles, path=str(path), config=CONFIG, credentials=CREDENTIALS)
    assert fixed["changes"] == [str(path / "config"), str(path / "credentials")]
    assert (path / "config").read_text() == CONFIG and _mode(path / "credentials") == 0o600


def test_without_credentials_the_credentials_file_is_left_as_it_is(tmp_path, run):
    path = tmp_path / "aws"
    path.mkdir(mode=0o700)
    (path / "credentials").write_text("[mine]\n")
    done = run(awscli_profiles, path=str(path), config=CONFIG)
    assert done["changes"] == [str(path / "config")] and (path / "credentials").read_text() == "[mine]\n"


def test_the_diff_shows_the_config_and_never_the_credentials(tmp_path, run):
    path = tmp_path / "aws"
    shown = run(awscli_profiles, diff=True, path=str(path), config=CONFIG, credentials=CREDENTIALS)
    text = repr(shown["diff"])
    assert "[profile local]" in text and "(content not shown)" in text
    assert "wJalrXUtnFEMI" not in text and "AKIDEXAMPLE" not in text


def test_an_unknown_owner_fails_naming_the_option_before_any_write(tmp_path, run):
    failed = run(awscli_profiles, owner="no-such-user-here", path=str(tmp_path / "aws"), config=CONFIG)
    assert failed["failed"] and "awscli_profiles_owner 'no-such-user-here' is not a user" in failed["msg"]
    assert not (tmp_path / "aws").exists()


def test_the_default_directory_is_the_owners_home(tmp_path, run, monkeypatch):
    me_at_home = types.SimpleNamespace(pw_name=ME.pw_name, pw_uid=ME.pw_uid, pw_gid=ME.pw_gid, pw_dir=str(tmp_path))
    monkeypatch.setattr(awscli_profiles.pwd, "getpwuid", lambda uid: me_at_home)
    done = run(awscli_profiles, config=CONFIG)
    assert done["path"] == str(tmp_path / ".aws") and (tmp_path / ".aws" / "config").read_text() == CONFIG
