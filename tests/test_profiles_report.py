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


def test_markdown_cells_keep_myst_markup_and_check_prints_plain_text():
    t = ReproductionTable().add(r"$g_c - 1 = (3\sigma_b^2/4)^{1/3}$ ({eq}`eq-mlp-small-bias`)",
                                "this book, {eq}`eq-mlp-small-bias`", "1", "$1.0$", True, exact=True)
    row = t._repr_markdown_().splitlines()[-1]
    assert "{eq}`eq-mlp-small-bias`" in row and r"$g_c - 1 = (3\sigma_b^2/4)^{1/3}$" in row
    check = t.check()
    assert check == "yes | g_c - 1 = (3σ_b^2/4)^(1/3) (Eq. mlp-small-bias) = 1.0"
    assert not any(c in check for c in "{}`$\\")


def test_plain_text_of_references():
    from criticality.report import plain_text

    assert plain_text("{numref}`fig-gl-hist`") == "Fig. gl-hist"
    assert plain_text("{numref}`Fig. %s <fig-gl-hist>`") == "Fig. gl-hist"
    assert plain_text("{ref}`the limits <sec-crit-limits>`") == "the limits"
    assert plain_text("{cite:p}`bar2025glorot`, thesis §4.2") == "bar2025glorot, thesis §4.2"
    assert plain_text("no markup, a | b") == "no markup, a | b"


@pytest.mark.parametrize("tex, text", [
    (r"$\sigma_b \leq 2$", "σ_b ≤ 2"),
    (r"$h^* \sim \mathcal{N}(0, q^*)$", "h* ~ N(0, q*)"),
    (r"$g\langle\tanh'(h^*)^2\rangle^{1/2} = \sqrt{\chi}$", "g⟨tanh'(h*)^2⟩^(1/2) = √χ"),
    (r"$\ln\chi(g)$", "ln χ(g)"),
    (r"$T_{\max} = 3, \dots, 1000$, $N = \infty$", "T_max = 3, …, 1000, N = ∞"),
    (r"$\max|g_c - 2| < 10^{-12}$", "max|g_c - 2| < 10^(-12)"),
    (r"$\mathbb{E}\lVert U^k x\rVert^2 \approx N$", "E‖U^k x‖^2 ≈ N"),
    (r"$P(\rho(U) < 1) \to e^{-1}$", "P(ρ(U) < 1) → e^(-1)"),
    (r"$\frac{N}{k+1}\,\sqrt{q}$", "(N)/(k+1) √q"),
    (r"$\lambda_{\max} = \tfrac12\ln\chi$", "λ_max = (1/2) ln χ"),
])
def test_plain_text_of_math(tex, text):
    from criticality.report import plain_text

    assert plain_text(tex) == text
