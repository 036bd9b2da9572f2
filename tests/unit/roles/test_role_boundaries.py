"""Each role stands alone: its defaults read only its own variables, the shared AWS connection (aws_*) and Ansible's
own. What one stage hands the next (the image's ID and version, the pushed digest) is a role output, passed on by
the project's playbooks (playbooks/vars/stages.yml), so a role used in another project does not pick up a variable
it never documented."""

import pathlib

import jinja2
import jinja2.meta
import pytest
import yaml

ROOT = pathlib.Path(__file__).resolve().parents[3]
ROLES = sorted(p.name for p in (ROOT / "roles").iterdir() if (p / "defaults" / "main.yml").is_file())
MAGIC = {"omit", "playbook_dir", "inventory_dir", "role_path"}


class AnyName(dict):
    """Ansible's filters and tests, without Ansible: parsing needs only to know they exist."""

    def __contains__(self, name):
        return True

    def __missing__(self, name):
        return lambda *args, **kwargs: None

    def get(self, name, default=None):
        return self[name]


JINJA = jinja2.Environment()
JINJA.filters, JINJA.tests = AnyName(), AnyName()


def names_read(value):
    """Every variable name a default's templates read."""
    if isinstance(value, dict):
        return set().union(*(names_read(v) for v in value.values())) if value else set()
    if isinstance(value, list):
        return set().union(*(names_read(v) for v in value)) if value else set()
    if isinstance(value, str) and ("{{" in value or "{%" in value):
        return jinja2.meta.find_undeclared_variables(JINJA.parse(value))
    return set()


def foreign(role, name):
    return not (name.startswith(role + "_") or name.startswith("aws_") or name.startswith("ansible_") or name in MAGIC)


@pytest.mark.parametrize("role", ROLES)
def test_a_roles_defaults_read_only_its_own_variables(role):
    defaults = yaml.safe_load((ROOT / "roles" / role / "defaults" / "main.yml").read_text()) or {}
    read = {name: sorted(n for n in names_read(value) if foreign(role, n)) for name, value in defaults.items()}
    assert {name: names for name, names in read.items() if names} == {}


def test_the_playbooks_hand_each_stage_the_earlier_stages_outputs():
    stages = yaml.safe_load((ROOT / "playbooks" / "vars" / "stages.yml").read_text())
    for playbook in ("image", "ecr", "fargate"):
        plays = yaml.safe_load((ROOT / "playbooks" / f"{playbook}.yml").read_text())
        assert all("vars/stages.yml" in play.get("vars_files", []) for play in plays), playbook
    assert set(names_read(stages)) <= {"image_built_id", "image_built_tag", "image_built_changed", "image_built_version",
                                       "image_built_architecture", "ecr_repository_uri", "ecr_pushed_digest",
                                       "ansible_check_mode"}
