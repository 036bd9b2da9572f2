"""What the test stages and the benchmarks share: moto and registry servers of their own (helpers), the fixtures the
integration and reliability stages re-export, the Docker engine's shared lock, the IAM call record (awscalls), the
figures file, the user-stack check, and the reliability stage's deployed projects, fault proxy and reshaping.

On pytest's ``pythonpath`` (pytest.ini), imported as ``support.<module>``; the benchmarks put ``tests`` on
``sys.path`` themselves."""
