"""What the test stages share, beyond devkit's local-stack tooling (shared with the benchmarks): the fixtures the
integration and reliability stages re-export, the Docker engine's shared lock, the IAM call record (awscalls), the
figures file, the user-stack check, and the reliability stage's deployed projects, fault proxy and reshaping.

On pytest's ``pythonpath`` (pytest.ini), imported as ``support.<module>``. The benchmarks do not import it."""
