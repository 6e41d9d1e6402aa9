import pytest

from criticality import profiles
from criticality.report import ReproductionTable, environment


def test_profile_from_environment(monkeypatch):
    monkeypatch.setenv(profiles.ENV_VAR, "paper")
    assert profiles.profile().name == "paper"
    monkeypatch.delenv(profiles.ENV_VAR)
    assert profiles.profile().name == "book"
    monkeypatch.setenv(profiles.ENV_VAR, "huge")
    with pytest.raises(ValueError, match="CRITICALITY_PROFILE"):
        profiles.profile()


def test_profiles_grow():
    q, b, p = (profiles.PROFILES[k] for k in ("quick", "book", "paper"))
    for field in ("n", "steps", "n_eig", "mlp_n", "mlp_depth"):
        assert getattr(q, field) <= getattr(b, field) <= getattr(p, field)


def test_reproduction_table_check_hides_run_dependent_values():
    t = ReproductionTable()
    t.add("exact claim", "src", "1", "1.000", True, exact=True)
    t.add("measured claim", "src", "x", "0.0123", False, "0.01")
    assert t.check() == "yes | exact claim = 1.000\nNO  | measured claim"
    assert not t.all_agree
    assert "**no**" in t._repr_markdown_()
    t.add("finite-size trend", "src", "0.5", "0.41", False, "0.05", sized=True)
    assert t.check().splitlines()[-1] == "  ~ | finite-size trend (verdict depends on the run size; see the table)"
    assert "0.41" in t._repr_markdown_()


def test_environment_reports_profile_and_versions():
    env = environment()
    assert env["profile"] in profiles.PROFILES and env["numpy"][0].isdigit()


def test_markdown_table_escapes_pipes():
    t = ReproductionTable().add("max |x|", "src", "1", "|d| = 0", True)
    row = t._repr_markdown_().splitlines()[-1]
    assert row.count("|") - row.count("\\|") == 7  # six cells, seven separators
