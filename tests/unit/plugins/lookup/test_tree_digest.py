from __future__ import annotations

import os

import pytest

from ansible.errors import AnsibleLookupError

from ansible_collections.devops.fargate.plugins.lookup.tree_digest import iter_files
from ansible_collections.devops.fargate.plugins.lookup.tree_digest import tree_digest

EXCLUDE = ["__pycache__", "*.pyc"]


@pytest.fixture
def tree(tmp_path):
    (tmp_path / "app" / "pkg").mkdir(parents=True)
    (tmp_path / "app" / "pkg" / "__init__.py").write_text("x = 1\n")
    (tmp_path / "app" / "pkg" / "views.py").write_text("def f():\n    return 1\n")
    (tmp_path / "Dockerfile").write_text("FROM scratch\n")
    return tmp_path


def digest(root):
    return tree_digest(str(root), ["Dockerfile", "app"], EXCLUDE)


def test_same_content_same_digest(tree):
    assert digest(tree) == digest(tree)


def test_mtime_does_not_count(tree):
    before = digest(tree)
    os.utime(tree / "Dockerfile", (0, 0))
    assert digest(tree) == before


def test_one_line_edit_changes_digest(tree):
    before = digest(tree)
    (tree / "app" / "pkg" / "views.py").write_text("def f():\n    return 2\n")
    assert digest(tree) != before


def test_added_file_changes_digest(tree):
    before = digest(tree)
    (tree / "app" / "pkg" / "new.py").write_text("")
    assert digest(tree) != before


def test_rename_changes_digest(tree):
    before = digest(tree)
    (tree / "app" / "pkg" / "views.py").rename(tree / "app" / "pkg" / "routes.py")
    assert digest(tree) != before


def test_exec_bit_changes_digest(tree):
    before = digest(tree)
    os.chmod(tree / "Dockerfile", 0o755)
    assert digest(tree) != before


def test_moving_bytes_between_files_changes_digest(tree):
    (tree / "app" / "pkg" / "a.py").write_text("ab")
    (tree / "app" / "pkg" / "b.py").write_text("")
    before = digest(tree)
    (tree / "app" / "pkg" / "a.py").write_text("a")
    (tree / "app" / "pkg" / "b.py").write_text("b")
    assert digest(tree) != before


def test_excluded_files_do_not_count(tree):
    before = digest(tree)
    (tree / "app" / "pkg" / "__pycache__").mkdir()
    (tree / "app" / "pkg" / "__pycache__" / "views.cpython-311.pyc").write_bytes(b"\0")
    (tree / "app" / "stray.pyc").write_bytes(b"\0")
    assert digest(tree) == before


def test_iter_files_sorted_and_relative(tree):
    assert iter_files(str(tree), ["app", "Dockerfile"], EXCLUDE) == [
        "Dockerfile",
        os.path.join("app", "pkg", "__init__.py"),
        os.path.join("app", "pkg", "views.py"),
    ]


def test_missing_path_is_an_error(tree):
    with pytest.raises(AnsibleLookupError, match="neither a file nor a directory"):
        tree_digest(str(tree), ["nope"], EXCLUDE)
