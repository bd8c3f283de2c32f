"""Every text a commenter or a moderator reads, in French and English."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    "fr": {
        "pending": "Merci ! Votre commentaire attend la modération.",
        "invalid": "Le commentaire n’a pas été envoyé : corrigez les champs signalés.",
        "name_required": "Indiquez votre nom.",
        "name_long": "Le nom fait au plus 200 caractères.",
        "email_invalid": "Cette adresse de courriel n’est pas valide.",
        "website_invalid": "Le site web doit être une adresse http:// ou https://.",
        "body_required": "Écrivez votre commentaire.",
        "body_long": "Le commentaire fait au plus {max} caractères (il en fait {n}).",
        "post_unknown": "Cet article n’existe pas ou n’accepte pas de commentaires.",
        "reply_unknown": "Le commentaire auquel vous répondez n’existe pas.",
        "confirm": "Une dernière étape contre les robots : vérifiez votre commentaire puis "
        "confirmez l’envoi.",
        "expired": "Le formulaire a expiré ; vérifiez votre commentaire puis renvoyez-le.",
        "too_fast": "Envoyé trop vite : attendez quelques secondes puis renvoyez le formulaire.",
        "rate_limited": "Trop de commentaires envoyés depuis votre connexion ; réessayez "
        "dans {minutes} minutes.",
        "duplicate": "Vous avez déjà envoyé ce commentaire ; il attend la modération.",
        "field_bad": "Ce champ n’est pas valide.",
        "title_confirm": "Confirmer votre commentaire",
        "title_errors": "Votre commentaire n’a pas été envoyé",
        "send": "Envoyer",
        "confirm_button": "Confirmer l’envoi",
        "back": "Revenir à l’article",
        "name": "Nom",
        "email": "Courriel (facultatif, jamais publié)",
        "notify": "Me prévenir par courriel d’une réponse à mon commentaire",
        "website": "Site web (facultatif)",
        "body": "Commentaire (Markdown)",
        "reply_to": "En réponse à",
        "unsubscribed": "C’est noté : vous ne recevrez plus de courriel pour les réponses "
        "à vos commentaires.",
        "unsubscribe_bad": "Ce lien de désinscription n’est pas valide.",
        "unsubscribe_title": "Ne plus recevoir de courriels",
        "unsubscribe_ask": "Ne plus recevoir de courriel quand quelqu’un répond à vos "
        "commentaires ?",
        "unsubscribe_button": "Me désinscrire",
        "mail_reply_subject": "Réponse à votre commentaire sur « {post} »",
        "mail_reply_body": "Bonjour {name},\n\n{author} a répondu à votre commentaire :\n\n"
        "{body}\n\nLire la réponse : {url}\n\nNe plus recevoir ces courriels : {unsubscribe}\n",
    },
    "en": {
        "pending": "Thank you! Your comment awaits moderation.",
        "invalid": "The comment was not sent: please fix the fields marked below.",
        "name_required": "Please give your name.",
        "name_long": "The name is at most 200 characters.",
        "email_invalid": "This e-mail address is not valid.",
        "website_invalid": "The website must be an http:// or https:// address.",
        "body_required": "Please write your comment.",
        "body_long": "A comment is at most {max} characters (this one has {n}).",
        "post_unknown": "This post does not exist or does not take comments.",
        "reply_unknown": "The comment you reply to does not exist.",
        "confirm": "One last step against robots: check your comment, then confirm.",
        "expired": "The form expired; check your comment and send it again.",
        "too_fast": "Sent too fast: wait a few seconds, then send the form again.",
        "rate_limited": "Too many comments from your connection; try again in {minutes} minutes.",
        "duplicate": "You already sent this comment; it awaits moderation.",
        "field_bad": "This field is not valid.",
        "title_confirm": "Confirm your comment",
        "title_errors": "Your comment was not sent",
        "send": "Send",
        "confirm_button": "Confirm and send",
        "back": "Back to the post",
        "name": "Name",
        "email": "E-mail (optional, never published)",
        "notify": "E-mail me when someone replies to my comment",
        "website": "Website (optional)",
        "body": "Comment (Markdown)",
        "reply_to": "Replying to",
        "unsubscribed": "Done: you will no longer get e-mails about replies to your comments.",
        "unsubscribe_bad": "This unsubscribe link is not valid.",
        "unsubscribe_title": "Stop e-mails",
        "unsubscribe_ask": "Stop e-mails when someone replies to your comments?",
        "unsubscribe_button": "Unsubscribe",
        "mail_reply_subject": "A reply to your comment on “{post}”",
        "mail_reply_body": "Hello {name},\n\n{author} replied to your comment:\n\n{body}\n\n"
        "Read the reply: {url}\n\nStop these e-mails: {unsubscribe}\n",
    },
}


def t(lang: str, key: str, **values: object) -> str:
    """The message `key` in `lang` (French when the language is unknown)."""
    table = MESSAGES.get(lang) or MESSAGES["fr"]
    text = table.get(key) or MESSAGES["en"][key]
    return text.format(**values) if values else text


def pick_lang(value: str | None) -> str:
    value = (value or "").strip().lower()[:2]
    return value if value in MESSAGES else "fr"
