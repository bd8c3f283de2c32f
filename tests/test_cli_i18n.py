from ownmedia.cli_i18n import cli_language, tr


def test_language_follows_gettext_order(monkeypatch):
    for var in ("OWNMEDIA_LANG", "LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(var, raising=False)
    assert cli_language() == "en"
    monkeypatch.setenv("LANG", "fr_FR.UTF-8")
    assert cli_language() == "fr"
    assert tr("Comments", "Commentaires") == "Commentaires"
    monkeypatch.setenv("LC_ALL", "C.UTF-8")
    assert cli_language() == "en"
    monkeypatch.setenv("LANGUAGE", "fr:en")
    assert cli_language() == "fr"
    monkeypatch.setenv("OWNMEDIA_LANG", "en")
    assert tr("Comments", "Commentaires") == "Comments"
