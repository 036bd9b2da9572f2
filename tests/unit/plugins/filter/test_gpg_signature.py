"""The awscli role's verdict on the installer's signature, from gpg's status lines (formerly Jinja in the role's
vars/main.yml). The status lines are gpg 2.2's, as `gpg --status-fd 1 --verify` prints them."""

from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.devops.fargate.plugins.filter.gpg_signature import gpg_signature

TEAM = "FB5DB77FD5C118B80511ADA8A6310ACC4672475C"
OTHER = "0123456789ABCDEF0123456789ABCDEF01234567"


def result(rc: int, *lines: str, stderr: str = "") -> dict:
    return {"rc": rc, "stdout_lines": ["[GNUPG:] " + line for line in lines], "stderr": stderr}


GOOD = result(
    0,
    "NEWSIG",
    f"KEY_CONSIDERED {TEAM} 0",
    "SIG_ID 3n0yq4zmJ3lW0Ckn5kXu4l0F2gU 2026-07-01 1782864000",
    f"KEY_CONSIDERED {TEAM} 0",
    "GOODSIG A6310ACC4672475C AWS CLI Team <aws-cli@amazon.com>",
    f"VALIDSIG {TEAM} 2026-07-01 1782864000 0 4 0 1 10 00 {TEAM}",
    "TRUST_UNDEFINED 0 pgp",
)


def judge(verify: dict, fingerprint: str = TEAM) -> dict:
    return gpg_signature(verify, fingerprint, trusted_name="the AWS CLI team's", key_option="awscli_official_public_key_file", refresh_from="the guide")


def test_the_trusted_keys_good_signature_is_good():
    verdict = judge(GOOD)
    assert verdict["good"] and verdict["problem"] == "" and verdict["signers"] == [TEAM]
    assert verdict["status"][0] == "NEWSIG"


def test_the_fingerprint_may_be_spaced_and_lower_case():
    assert judge(GOOD, "fb5d b77f d5c1 18b8 0511  ada8 a631 0acc 4672 475c")["good"]


def test_a_good_signature_by_another_key_is_refused_naming_its_signer():
    verdict = judge(GOOD, OTHER)
    assert not verdict["good"] and verdict["problem"] == f"it was made by {TEAM}, not by the trusted key"


@pytest.mark.parametrize("lines, problem", [
    (["NEWSIG", "BADSIG A6310ACC4672475C AWS CLI Team <aws-cli@amazon.com>"],
     "the signature does not match the file, which is damaged or was tampered with"),
    (["NEWSIG", "EXPKEYSIG A6310ACC4672475C AWS CLI Team <aws-cli@amazon.com>", f"VALIDSIG {TEAM} 2026-07-01 1782864000 0 4 0 1 10 00 {TEAM}"],
     "the key in awscli_official_public_key_file has expired; refresh it from the guide"),
    (["NEWSIG", "REVKEYSIG A6310ACC4672475C AWS CLI Team <aws-cli@amazon.com>"], "the key in awscli_official_public_key_file has been revoked"),
    (["NEWSIG", "ERRSIG 89ABCDEF01234567 1 10 00 1782864000 9 -", "NO_PUBKEY 89ABCDEF01234567"],
     "it was made by key 89ABCDEF01234567, which is not the trusted key (the AWS CLI team's)"),
])
def test_each_refusal_says_why(lines, problem):
    verdict = judge(result(1 if "BADSIG" in lines[1] or "ERRSIG" in lines[1] else 0, *lines))
    assert not verdict["good"] and verdict["problem"] == problem


def test_two_good_signatures_are_not_one():
    lines = [line.removeprefix("[GNUPG:] ") for line in GOOD["stdout_lines"]]
    assert not judge(result(0, *lines, *lines[4:6]))["good"]


def test_a_failed_gpg_is_refused_even_with_a_good_line():
    assert not judge(dict(GOOD, rc=2))["good"]


def test_no_status_at_all_gives_gpgs_message():
    verdict = judge(result(2, stderr="gpg: no signed data\n"))
    assert verdict["problem"] == "gpg found no valid signature (gpg: no signed data)"


def test_a_keyring_listing_gives_its_fingerprints():
    listing = {"stdout_lines": ["tru::1:1782864000:0:3:1:5", "pub:-:4096:1:A6310ACC4672475C:1568764800:1814400000::-:::scSC::::::23::0:",
                                f"fpr:::::::::{TEAM}:", "uid:-::::1782864000::0A1B::AWS CLI Team <aws-cli@amazon.com>::::::::::0:"]}
    assert gpg_signature(listing, keyring=True) == [TEAM]
    assert gpg_signature({"stdout_lines": []}, keyring=True) == []


@pytest.mark.parametrize("data, kwargs, rule", [("ok", {"fingerprint": TEAM}, "expects a command's result"), (GOOD, {}, "fingerprint is required")])
def test_misuse_fails_naming_the_rule(data, kwargs, rule):
    with pytest.raises(AnsibleFilterError, match=rule):
        gpg_signature(data, **kwargs)
