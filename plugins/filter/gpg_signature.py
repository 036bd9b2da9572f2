# -*- coding: utf-8 -*-
# Copyright: Contributors to the devops.fargate project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
name: gpg_signature
short_description: Whether gpg's verification of a detached signature shows the trusted key made it, and if not why
version_added: 0.3.0
description:
  - Reads the result of C(gpg --status-fd 1 --verify <sig> <file>) (an M(ansible.builtin.command) result) by gpg's
    machine-readable status lines, not its messages. The signature is good only when gpg exits 0, reports exactly one
    C(GOODSIG), and the one C(VALIDSIG) names the trusted key's fingerprint as the signer's primary key.
  - Otherwise it says why, the most telling reason first - the file does not match the signature, the key has expired
    or was revoked, another key made it, or gpg found no valid signature.
  - Given C(--with-colons --list-keys) output instead, with O(keyring=true), it lists the keyring's fingerprints.
author:
  - devops.fargate maintainers (@devops-fargate)
options:
  _input:
    description: The gpg command's result (C(rc), C(stdout_lines), C(stderr)).
    type: dict
    required: true
  fingerprint:
    description: The trusted key's fingerprint (40 hex digits; spaces and case do not matter).
    type: str
  trusted_name:
    description: Whose key the trusted key is, named when another key made the signature.
    type: str
    default: ""
  key_option:
    description: The option naming the key file, in the messages about the key.
    type: str
    default: the key file
  refresh_from:
    description: Where a fresh copy of an expired key is published, named in that message.
    type: str
    default: ""
  keyring:
    description: The input lists a keyring (C(--with-colons --list-keys)); return its fingerprints.
    type: bool
    default: false
"""

EXAMPLES = r"""
- name: Refuse a file the trusted key did not sign
  ansible.builtin.fail:
    msg: "refused: {{ signature.problem }}"
  vars:
    signature: "{{ gpg_verify | devops.fargate.gpg_signature('FB5DB77FD5C118B80511ADA8A6310ACC4672475C') }}"
  when: not signature.good
"""

RETURN = r"""
_value:
  description: The verdict; with O(keyring=true), the list of the keyring's fingerprints instead.
  type: dict
  contains:
    good:
      description: The trusted key made the signature and the file matches it.
      type: bool
    problem:
      description: Why the signature is refused; empty when it is good.
      type: str
    status:
      description: gpg's status lines without their C([GNUPG:]) prefix.
      type: list
      elements: str
    signers:
      description: The primary-key fingerprints of the valid signatures (VALIDSIG).
      type: list
      elements: str
"""

from ansible.errors import AnsibleFilterError

PREFIX = "[GNUPG:] "


def keyring_fingerprints(listing: dict) -> list[str]:
    """The fingerprints of ``gpg --with-colons --list-keys``: field 10 of each ``fpr`` record."""
    return [line.split(":")[9] for line in listing.get("stdout_lines") or [] if line.startswith("fpr:") and len(line.split(":")) > 9]


def verdict(result: dict, fingerprint: str, trusted_name: str = "", key_option: str = "the key file", refresh_from: str = "") -> dict:
    trusted = fingerprint.replace(" ", "").upper()
    status = [line[len(PREFIX):] for line in result.get("stdout_lines") or [] if line.startswith(PREFIX)]
    words = [line.split() for line in status if line.split()]
    keywords = [fields[0] for fields in words]
    signers = [fields[-1] for fields in words if fields[0] == "VALIDSIG"]
    good = result.get("rc") == 0 and keywords.count("GOODSIG") == 1 and signers == [trusted]
    problem = "" if good else _problem(result, words, signers, trusted_name, key_option, refresh_from)
    return {"good": good, "problem": problem, "status": status, "signers": signers}


def _problem(result: dict, words: list[list[str]], signers: list[str], trusted_name: str, key_option: str, refresh_from: str) -> str:
    keywords = [fields[0] for fields in words]
    if "BADSIG" in keywords:
        return "the signature does not match the file, which is damaged or was tampered with"
    if "EXPKEYSIG" in keywords:
        return f"the key in {key_option} has expired; refresh it{f' from {refresh_from}' if refresh_from else ''}"
    if "REVKEYSIG" in keywords:
        return f"the key in {key_option} has been revoked"
    unknown = [fields for fields in words if fields[0] in ("NO_PUBKEY", "ERRSIG")]
    if unknown:
        other = unknown[0][1] if len(unknown[0]) > 1 else "unknown"
        return f"it was made by key {other}, which is not the trusted key{f' ({trusted_name})' if trusted_name else ''}"
    if signers:
        return f"it was made by {', '.join(signers)}, not by the trusted key"
    return f"gpg found no valid signature ({(result.get('stderr') or '').strip()})"


def gpg_signature(result: dict, fingerprint: str | None = None, trusted_name: str = "", key_option: str = "the key file", refresh_from: str = "",
                  keyring: bool = False):
    if not isinstance(result, dict):
        raise AnsibleFilterError(f"gpg_signature: expects a command's result, got {type(result).__name__}")
    if keyring:
        return keyring_fingerprints(result)
    if not fingerprint:
        raise AnsibleFilterError("gpg_signature: fingerprint is required to judge a signature")
    return verdict(result, str(fingerprint), trusted_name, key_option, refresh_from)


class FilterModule:
    def filters(self):
        return {"gpg_signature": gpg_signature}
