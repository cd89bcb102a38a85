from datetime import UTC, datetime

import pytest

from bridge.ingest.coerce import (
    Unreadable,
    to_bool,
    to_int,
    to_ip,
    to_last_four,
    to_mapping,
    to_text,
    to_utc,
)


class TestToBool:
    @pytest.mark.parametrize("raw", [True, 1, "1", "on", "ON", " yes ", "true"])
    def test_php_truthy_spellings_are_true(self, raw):
        assert to_bool(raw) is True

    @pytest.mark.parametrize("raw", [False, 0, "0", "", "off", "no", "false", None])
    def test_php_falsy_spellings_are_false(self, raw):
        assert to_bool(raw) is False

    @pytest.mark.parametrize("raw", ["maybe", 2, 1.0, [], {}])
    def test_anything_else_is_unreadable(self, raw):
        with pytest.raises(Unreadable) as caught:
            to_bool(raw)
        assert caught.value.reason == "boolean"


class TestToInt:
    def test_ints_and_digit_strings_are_ints(self):
        assert to_int(42) == 42
        assert to_int(" 42 ") == 42

    def test_empty_is_none(self):
        assert to_int("") is None
        assert to_int(None) is None

    @pytest.mark.parametrize("raw", [True, 1.5, "4a", "-3", "١٢", "0x10"])
    def test_non_integers_are_unreadable(self, raw):
        with pytest.raises(Unreadable):
            to_int(raw)

    @pytest.mark.parametrize("raw", [2**63, str(2**63), "9" * 5000, -1])
    def test_out_of_range_values_are_refused(self, raw):
        with pytest.raises(Unreadable) as caught:
            to_int(raw)
        assert caught.value.reason == "range"

    def test_the_largest_bigint_is_accepted(self):
        assert to_int(2**63 - 1) == 2**63 - 1

    def test_minimum_is_enforced(self):
        with pytest.raises(Unreadable):
            to_int(0, minimum=1)


class TestOtherValues:
    def test_text_is_trimmed_and_numbers_become_text(self):
        assert to_text("  Jane ") == "Jane"
        assert to_text(12345) == "12345"

    def test_text_refuses_containers_and_floats(self):
        for raw in ([], {}, 1.5, True):
            with pytest.raises(Unreadable):
                to_text(raw)

    def test_last_four_keeps_at_most_four_digits(self):
        assert to_last_four("4111 1111 1111 1234") == "1234"
        assert to_last_four("1234") == "1234"
        assert to_last_four("") is None

    def test_ip_is_canonical_and_empty_means_none(self):
        assert to_ip(" 2001:DB8::1 ") == "2001:db8::1"
        assert to_ip("") is None
        with pytest.raises(Unreadable):
            to_ip("203.0.113.300")

    def test_an_empty_php_array_is_an_empty_object(self):
        assert to_mapping([]) == {}
        with pytest.raises(Unreadable):
            to_mapping([1])


class TestToUtc:
    def test_zulu_and_offsets_become_utc(self):
        assert to_utc("2026-11-24T20:00:00Z") == datetime(2026, 11, 24, 20, tzinfo=UTC)
        assert to_utc("2026-11-24T21:30:00.25+01:30").isoformat() == "2026-11-24T20:00:00.250000+00:00"

    def test_a_timestamp_without_zone_is_naive(self):
        with pytest.raises(Unreadable) as caught:
            to_utc("2026-11-24T20:00:00")
        assert caught.value.reason == "naive"

    @pytest.mark.parametrize(
        "raw", ["2026-13-01T00:00:00Z", "24/11/2026 20:00", "2026-11-24", 1764014400, None, ""]
    )
    def test_anything_but_rfc3339_is_refused(self, raw):
        with pytest.raises(Unreadable) as caught:
            to_utc(raw)
        assert caught.value.reason == "timestamp"
