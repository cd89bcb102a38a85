import pytest

from bridge.ingest.secrets import MAX_DEPTH, TooDeep, drop_secrets, is_secret_key


class TestIsSecretKey:
    @pytest.mark.parametrize(
        "key",
        ["password", "password2", "Password", "authdata", "securityqid", "securityqans", "cardnum",
         "cardcvv", "cardstart", "cardissue", "remote_token", "mergefields", "token"],
    )
    def test_secret_keys_are_recognised(self, key):
        assert is_secret_key(key)

    @pytest.mark.parametrize(
        "key", ["cardtype", "cardlastfour", "email", "userid", "tokens_used", "old_password_hint"]
    )
    def test_other_keys_are_kept(self, key):
        assert not is_secret_key(key)


class TestDropSecrets:
    def test_secrets_are_removed_at_every_depth(self):
        data = {
            "email": "a@example.com",
            "password": "pw",
            "olddata": {"password": "hash", "authdata": "x", "email": "b@example.com"},
            "items": [{"cardnum": "4111111111111111", "cardtype": "Visa"}],
        }
        assert drop_secrets(data) == {
            "email": "a@example.com",
            "olddata": {"email": "b@example.com"},
            "items": [{"cardtype": "Visa"}],
        }

    def test_the_input_is_left_untouched(self):
        data = {"password": "pw"}
        drop_secrets(data)
        assert data == {"password": "pw"}

    def test_absurd_nesting_is_refused(self):
        data: dict = {}
        for _ in range(MAX_DEPTH + 2):
            data = {"a": data}
        with pytest.raises(TooDeep):
            drop_secrets(data)
