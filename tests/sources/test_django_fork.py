"""django-cors-middleware, the fork that reads only the old django-cors-headers names."""

from __future__ import annotations

from pathlib import Path

from conftest import lint_tree

SETTINGS = (
    "INSTALLED_APPS = ['corsheaders']\n"
    "MIDDLEWARE = ['corsheaders.middleware.CorsMiddleware', 'django.middleware.common.CommonMiddleware']\n"
    "CORS_ORIGIN_WHITELIST = ('https://app.example.com',)\n"
)


def codes(root: Path) -> list[str]:
    return [f.code for f in lint_tree(root, {"select": ["ALL"]}).findings]


def test_rename_advice_only_for_django_cors_headers(tmp_path: Path) -> None:
    (tmp_path / "web").mkdir()
    (tmp_path / "web" / "settings.py").write_text(SETTINGS)
    assert codes(tmp_path) == ["CORS502"]  # nothing pinned: django-cors-headers is the package that reads this
    (tmp_path / "requirements.txt").write_text("Django==2.2\ndjango-cors-middleware==1.5.0\n")
    assert codes(tmp_path) == []
    (tmp_path / "requirements.txt").write_text("Django==4.2\ndjango-cors-headers==4.3.1\n")
    assert codes(tmp_path) == ["CORS502"]


def test_under_the_fork_new_names_are_ignored(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text("django-cors-middleware\n")
    (tmp_path / "settings.py").write_text(SETTINGS + "CORS_ALLOWED_ORIGINS = ['https://b.example.com']\n")
    result = lint_tree(tmp_path, {"select": ["ALL"]})
    [finding] = result.findings
    assert finding.code == "CORS505" and finding.location.line == 4
    assert "django-cors-middleware does not know `CORS_ALLOWED_ORIGINS`" in finding.message
    assert "pinned at requirements.txt:1" in finding.message
    assert "Did you mean `CORS_ORIGIN_WHITELIST`?" in finding.message
    [policy] = result.policies
    assert [rule.value for rule in policy.origins] == ["https://app.example.com"]


def test_settings_chosen_by_a_package_init_that_is_not_analysed_are_still_read(tmp_path: Path) -> None:
    settings = tmp_path / "proj" / "settings"
    settings.mkdir(parents=True)
    # __init__ mentions no CORS, so it is not analysed; it star-imports dev/prod, which must still count as leaves
    (settings / "__init__.py").write_text("import os\nif os.environ.get('ENV') == 'dev':\n    from .dev import *\nelse:\n    from .prod import *\n")
    (settings / "base.py").write_text("from .cors import *\nINSTALLED_APPS = ['corsheaders']\n")
    (settings / "cors.py").write_text("CORS_ALLOWED_ORIGINS = ['https://app.example.com']\n")
    (settings / "prod.py").write_text("from .base import *\nCORS_ALLOW_ALL_ORIGINS = True\n")
    result = lint_tree(tmp_path, {"select": ["ALL"]})
    assert [p.location.path for p in result.policies] == ["proj/settings/prod.py"]
    assert [f.code for f in result.findings] == ["CORS103"]
