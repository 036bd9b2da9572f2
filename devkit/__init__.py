"""The local-stack tooling the test stages and the benchmarks share: a moto server and a registry of their own,
ansible-playbook runs with the collection on the path, copies of the project to deploy, and the recorded requests'
actions. Test-only code (fixtures, fault proxy, reshaping, the IAM record) stays in tests/support.

On pytest's ``pythonpath`` (pytest.ini, the repository root); the benchmarks put the root on ``sys.path`` once
(bench/common.py)."""
