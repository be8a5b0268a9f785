"""The login throttle's sliding window."""

from __future__ import annotations

from server.services.throttle import IP_FACTOR, LoginThrottle


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_user_names_are_locked_after_the_limit_and_released_after_the_window():
    clock = Clock()
    throttle = LoginThrottle(max_failures=3, window=60, clock=clock)
    for _ in range(3):
        assert throttle.retry_after("Ann", "10.0.0.1") == 0
        throttle.record_failure("Ann", "10.0.0.1")
    assert 0 < throttle.retry_after("ann", "10.0.0.2") <= 61
    clock.now += 61
    assert throttle.retry_after("ann", "10.0.0.2") == 0


def test_success_resets_the_user_count():
    throttle = LoginThrottle(max_failures=2, window=60, clock=Clock())
    throttle.record_failure("bo", "a")
    throttle.reset("bo")
    throttle.record_failure("bo", "a")
    assert throttle.retry_after("bo", "a") == 0


def test_one_address_trying_many_names_is_locked():
    throttle = LoginThrottle(max_failures=2, window=60, clock=Clock())
    for index in range(2 * IP_FACTOR):
        throttle.record_failure(f"name{index}", "10.9.9.9")
    assert throttle.retry_after("someone-new", "10.9.9.9") > 0
    assert throttle.retry_after("someone-new", "10.1.1.1") == 0
