import pytest
from django.core.exceptions import ValidationError

from home.identity import mask_mobile, mask_name, normalise_email, normalise_mobile, phone_key


@pytest.mark.parametrize(
    "raw, expected",
    [("138 0013 8000", "+8613800138000"), ("+86 138-0013-8000", "+8613800138000"),
     ("0086 13800138000", "+8613800138000"), ("+44 7700 900123", "+447700900123"), ("", "")],
)
def test_normalise_mobile(raw, expected):
    assert normalise_mobile(raw) == expected


@pytest.mark.parametrize("raw", ["12345", "+86 123 4567 8901", "phone", "+0123456789"])
def test_invalid_mobile_is_refused(raw):
    with pytest.raises(ValidationError):
        normalise_mobile(raw)


def test_normalise_email():
    assert normalise_email("  Li.Lei@Example.COM ") == "li.lei@example.com"
    with pytest.raises(ValidationError):
        normalise_email("not-an-email")


def test_masks():
    assert mask_mobile("+8613800138000") == "•••• 8000"
    assert mask_name("张三丰") == "张*丰"
    assert mask_name("李雷") == "李*"
    assert mask_name("Alice Smith") == "A**** S****"


@pytest.mark.parametrize("stored, typed", [
    ("(010) 8888-1234", "88881234"), ("(010) 8888-1234", "010 8888 1234"), ("(010) 8888-1234", "+86 10 8888 1234"),
    ("021-6888 1234", "0086 21 68881234"), ("+86 138 0013 8001", "13800138001"),
])
def test_a_phone_number_is_found_by_the_prefix_of_its_reversed_key(stored, typed):
    assert phone_key(stored).startswith(phone_key(typed))


def test_a_different_number_has_another_key():
    assert not phone_key("(010) 8888-1234").startswith(phone_key("8888 1235"))
