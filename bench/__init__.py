"""Benchmarks. Each module has ``main(argv) -> None`` and prints one JSON line per figure."""
