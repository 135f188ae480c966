"""Benchmark harness: what one machine carries, ours (DisagreementWorkflow) side by side with
a bare-SDK baseline of the same shape. `python -m bench --help`; see bench/README.md."""
