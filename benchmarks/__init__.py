"""postmux's benchmarks: every figure a ratio against a baseline measured in the same run.

Run them all with ``python3 dev.py bench`` (``--quick`` for a fast subset, names
to pick figures); ``benchmarks/README.md`` says what each figure measures and
what the measurements found.
"""
