"""`python -m bench` refuses bad options before anything starts (one argparse line each), so
a mistyped run never spends minutes on a benchmark it cannot finish."""

from __future__ import annotations

import pytest

from bench.__main__ import options_from, parse_args


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (["--size", "1,,2"], "give sizes like 1000,10000"),
        (["--size", "abc"], "give sizes like 1000,10000"),
        (["--size", "10"], "each size must be at least 50"),
        (["--systems", "ours,nope"], "'nope': systems are any of baseline, codec, ours"),
        (["--systems", "ours,ours"], "a system is named twice"),
        (["--workers", "0"], "'0': must be 1 or more"),
        (["--reminders", "0"], "'0': must be 1 or more"),
        (["--events-max", "x"], "'x' is not a whole number"),
        (["--rate", "-1"], "'-1': must be more than 0"),
        (["--rate-seconds", "0"], "'0': must be more than 0"),
        (["--worker-env", "FOO"], "'FOO': give KEY=VALUE"),
        (["--worker-env", "=1"], "'=1': give KEY=VALUE"),
    ],
)
def test_a_bad_option_is_refused_with_what_is_wrong(argv, said, capsys):
    with pytest.raises(SystemExit) as exited:
        parse_args(argv)
    assert exited.value.code == 2
    assert said in capsys.readouterr().err


def test_good_options_reach_the_run():
    options = options_from(
        parse_args(["--size", "1_000,10000", "--systems", "ours", "--worker-env", "A=b=c"])
    )
    assert options.sizes == [1000, 10000] and options.systems == ["ours"]
    assert options.worker_env == {"A": "b=c"}
    assert options_from(parse_args([])).systems == ["baseline", "codec", "ours"]
