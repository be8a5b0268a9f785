"""The login throttle: growing waits for failing pairs, never a lock-out of a clean one."""

from __future__ import annotations

from server.services.throttle import FIRST_WAIT, WIDE_FACTOR, LoginThrottle


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_failing_pair_waits_after_the_limit_and_the_wait_doubles():
    clock = Clock()
    throttle = LoginThrottle(max_failures=3, window=600, clock=clock)
    locks = [throttle.record_failure("Ann", "10.0.0.1") for _ in range(3)]
    assert locks[:2] == [None, None] and locks[2].scope == "pair"
    assert locks[2].seconds == FIRST_WAIT == throttle.retry_after("ann", "10.0.0.1")
    clock.now += FIRST_WAIT
    assert throttle.retry_after("ann", "10.0.0.1") == 0
    assert throttle.record_failure("ann", "10.0.0.1").seconds == 2 * FIRST_WAIT
    assert throttle.record_failure("ann", "10.0.0.1").seconds == 4 * FIRST_WAIT
    clock.now += 601  # the window forgets
    assert throttle.retry_after("ann", "10.0.0.1") == 0


def test_the_wait_never_exceeds_the_window():
    throttle = LoginThrottle(max_failures=1, window=30, clock=Clock())
    for _ in range(20):
        lock = throttle.record_failure("bo", "a")
    assert lock.seconds == 30


def test_a_clean_address_is_never_held_back_by_others_failures():
    throttle = LoginThrottle(max_failures=2, window=60, clock=Clock())
    for index in range(50):  # one address spraying names, others guessing one account
        throttle.record_failure(f"name{index}", "127.0.0.1")
        throttle.record_failure("admin", f"10.0.0.{index}")
    assert throttle.retry_after("admin", "10.1.1.1") == 0
    assert throttle.retry_after("someone", "127.0.0.1") == 0
    assert throttle.retry_after("admin", "127.0.0.1") == 0


def test_wide_limits_slow_an_address_or_an_account_where_it_already_failed():
    throttle = LoginThrottle(max_failures=2, window=60, clock=Clock())
    for index in range(2 * WIDE_FACTOR):
        throttle.record_failure(f"name{index}", "10.9.9.9")
    assert throttle.retry_after("name0", "10.9.9.9") > 0  # address-wide wait on a failed pair
    for index in range(2 * WIDE_FACTOR):
        throttle.record_failure("cara", f"10.0.1.{index}")
    assert throttle.retry_after("cara", "10.0.1.0") > 0  # account-wide wait on a failed pair


def test_success_resets_only_that_pair():
    throttle = LoginThrottle(max_failures=2, window=60, clock=Clock())
    for _ in range(2):
        throttle.record_failure("dan", "a")
        throttle.record_failure("dan", "b")
    throttle.reset("dan", "a")
    assert throttle.retry_after("dan", "a") == 0
    assert throttle.retry_after("dan", "b") > 0
