"""One TOML file configures the engagement service. It is validated at start so a typo
stops the service with a message naming the key, instead of a surprise at run time.

Each concern owns one section (a dataclass below). Secrets are never here: they are
generated into the data directory (see ownmedia.secrets)."""

from __future__ import annotations

import dataclasses
import ipaddress
import tomllib
import typing
from dataclasses import dataclass, field
from pathlib import Path


class ConfigError(ValueError):
    """A configuration problem, with a message a site owner can act on."""


@dataclass
class ServerConfig:
    host: str = "127.0.0.1"
    port: int = 8000
    site: str = "output"          # built static site served on the same port
    data: str = "data"            # SQLite files and generated secrets
    trusted_proxies: list[str] = field(default_factory=list)  # X-Forwarded-For only from these
    access_log: bool = True
    access_log_client_address: bool = False  # opt in: the access log then holds raw IPs
    public_url: str = ""          # e.g. https://blog.example.org ; used in mails and mentions
    header_timeout_seconds: float = 10.0   # a request's headers must be complete by then
    keep_alive_seconds: float = 5.0        # an idle keep-alive connection is closed after
    max_connections: int = 1000   # beyond: new requests are answered 503 at once
    content_security_policy: str = ""  # site pages: "" = built-in policy, "off" = none


@dataclass
class AnalyticsConfig:
    domains: list[str] = field(default_factory=lambda: ["127.0.0.1", "localhost"])
    forward_url: str = ""         # an upstream Plausible instance, e.g. https://plausible.io
    forward_max_attempts: int = 0  # 0 = retry for ever with backoff
    goals: list[dict] = field(default_factory=list)  # {"event_name": ..} or {"page_path": ..}
    commit_mode: str = "group"    # "group" or "each"
    forward_backoff_seconds: float = 1.0   # first retry delay, doubled each attempt ...
    forward_backoff_max_seconds: float = 300.0  # ... up to this
    forward_timeout_seconds: float = 10.0
    max_batch: int = 512          # group commit: most events written in one transaction
    geoip_database: str = ""      # an MMDB file (GeoLite2/DB-IP, country or city): locations


@dataclass
class CommentsConfig:
    content_dir: str = "content"        # comment files go to <content_dir>/comments/<slug>/
    pelican_settings: str = "pelicanconf.py"
    min_seconds: float = 3.0            # between page load and submit
    rate_limit: int = 5                 # comments per visitor ...
    rate_window_seconds: int = 600      # ... in this window
    max_links: int = 3
    max_body_chars: int = 10000
    moderator_email: str = ""
    owner_name: str = ""                # author of replies made in /admin/ ("" = "Admin")
    live_publish: bool = True           # re-render the post's page on approval


@dataclass
class SmtpConfig:
    host: str = ""                      # "" = no mail
    port: int = 25
    sender: str = "ownmedia@localhost"
    starttls: bool = False
    username: str = ""
    password_env: str = ""              # name of an environment variable holding the password


@dataclass
class MentionsConfig:
    allow_private_addresses: bool = False  # tests only: verify sources on loopback
    timeout_seconds: float = 10.0
    max_redirects: int = 5
    max_bytes: int = 1_000_000
    max_attempts: int = 6                  # verifications of a received mention, then "failed"
    retry_backoff_seconds: float = 30.0    # first retry delay, doubled each attempt ...
    retry_backoff_max_seconds: float = 21600.0  # ... up to this (6 h)
    pingback_parsers: int = 2              # XML-RPC bodies parsed at once (in threads)


@dataclass
class StorageConfig:
    url: str = ""  # "" = the SQLite files in [server] data; or postgresql://user@host/db
    pool_size: int = 10  # PostgreSQL: the most connections one process opens (every store)


@dataclass
class ReviewConfig:
    currency: str = "EUR"         # money of costs when the events' revenue names none
    weekly_to: list[str] = field(default_factory=list)  # the review mailed every Monday
    weekly_hour: int = 7          # UTC hour from which Monday's mail goes out
    # [[review.funnels]] name = "Newsletter", steps = ["/newsletter/", "Newsletter signup"]:
    # 2 to 8 steps, each a page path (starting with /) or a goal name (ownmedia/review/funnels.py)
    funnels: list[dict] = field(default_factory=list)


@dataclass
class Config:
    server: ServerConfig = field(default_factory=ServerConfig)
    analytics: AnalyticsConfig = field(default_factory=AnalyticsConfig)
    comments: CommentsConfig = field(default_factory=CommentsConfig)
    smtp: SmtpConfig = field(default_factory=SmtpConfig)
    mentions: MentionsConfig = field(default_factory=MentionsConfig)
    storage: StorageConfig = field(default_factory=StorageConfig)
    review: ReviewConfig = field(default_factory=ReviewConfig)
    campaigns: list = field(default_factory=list)  # [[campaigns]]: ownmedia.campaigns.model
    source: str = ""  # the file it was read from, for messages

    @property
    def data_dir(self) -> Path:
        return Path(self.server.data)

    @property
    def site_dir(self) -> Path:
        return Path(self.server.site)


def _check_type(value: object, annotation: object, where: str) -> object:
    origin = typing.get_origin(annotation)
    if annotation is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if origin is list:
        if not isinstance(value, list):
            raise ConfigError(f"{where}: expected a list, got {type(value).__name__}")
        (item_type,) = typing.get_args(annotation) or (object,)
        return [_check_type(v, item_type, f"{where}[{i}]") for i, v in enumerate(value)]
    if origin is dict or annotation is dict:
        if not isinstance(value, dict):
            raise ConfigError(f"{where}: expected a table, got {type(value).__name__}")
        return value
    if annotation in (str, int, float, bool):
        ok = isinstance(value, annotation) and not (annotation is int and isinstance(value, bool))
        if not ok:
            raise ConfigError(
                f"{where}: expected {annotation.__name__}, got {type(value).__name__} {value!r}"
            )
    return value


def _build_section(cls: type, raw: object, name: str, source: str) -> object:
    if not isinstance(raw, dict):
        raise ConfigError(f"{source}: [{name}] must be a table")
    hints = typing.get_type_hints(cls)
    known = {f.name for f in dataclasses.fields(cls)}
    unknown = sorted(set(raw) - known)
    if unknown:
        raise ConfigError(
            f"{source}: unknown key(s) in [{name}]: {', '.join(unknown)} "
            f"(known: {', '.join(sorted(known))})"
        )
    values = {k: _check_type(v, hints[k], f"{source}: [{name}] {k}") for k, v in raw.items()}
    return cls(**values)


def load_config(path: str | Path | None = None, **overrides: dict) -> Config:
    """Read and validate a TOML file (or the defaults when path is None).

    `overrides` maps a section name to keys that win over the file (CLI flags)."""
    raw: dict = {}
    source = "defaults"
    if path is not None:
        source = str(path)
        try:
            raw = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError(f"{source}: no such configuration file") from None
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{source}: not valid TOML: {exc}") from None
    sections = {f.name: f.type for f in dataclasses.fields(Config)
                if f.name not in ("source", "campaigns")}
    unknown = sorted(set(raw) - set(sections) - {"campaigns"})
    if unknown:
        raise ConfigError(
            f"{source}: unknown section(s): {', '.join(unknown)} "
            f"(known: {', '.join(sorted(sections))})"
        )
    hints = typing.get_type_hints(Config)
    built = {}
    for name in sections:
        merged = dict(raw.get(name, {}))
        merged.update({k: v for k, v in overrides.get(name, {}).items() if v is not None})
        built[name] = _build_section(hints[name], merged, name, source)
    config = Config(**built, campaigns=_campaigns(raw.get("campaigns", []), source),
                    source=source)
    if config.analytics.commit_mode not in ("group", "each"):
        raise ConfigError(f"{source}: [analytics] commit_mode must be 'group' or 'each'")
    _check_analytics(config)
    _check_comments(config)
    if not 0 < config.server.port < 65536:
        raise ConfigError(f"{source}: [server] port must be between 1 and 65535")
    _check_server_limits(config)
    _check_review(config)
    return config


def _check_review(config: Config) -> None:
    """[review] funnels: each a name and 2 to 8 steps (as Plausible's funnels)."""
    r, src = config.review, config.source
    if not (len(r.currency) == 3 and r.currency.isalpha() and r.currency.isupper()):
        raise ConfigError(f"{src}: [review] currency must be an ISO 4217 code such as EUR")
    for address in r.weekly_to:
        if "@" not in address or any(c in address for c in " \r\n,;<>"):
            raise ConfigError(f"{src}: [review] weekly_to: {address!r} is not an e-mail address")
    if not 0 <= r.weekly_hour <= 23:
        raise ConfigError(f"{src}: [review] weekly_hour must be between 0 and 23")
    if r.weekly_to and not config.smtp.host:
        raise ConfigError(f"{src}: [review] weekly_to needs an SMTP server: set [smtp] host")
    names: set[str] = set()
    for i, funnel in enumerate(r.funnels):
        where = f"{src}: [[review.funnels]] #{i + 1}"
        unknown = sorted(set(funnel) - {"name", "steps"})
        if unknown:
            raise ConfigError(f"{where}: unknown key(s) {', '.join(unknown)} (known: name, steps)")
        name, steps = funnel.get("name"), funnel.get("steps")
        if not isinstance(name, str) or not name.strip() or name in names:
            raise ConfigError(f"{where}: needs a name, different from the other funnels'")
        names.add(name)
        if not isinstance(steps, list) or not 2 <= len(steps) <= 8 or not all(
                isinstance(x, str) and x.strip() for x in steps):
            raise ConfigError(f"{where} ({name}): steps must list 2 to 8 page paths "
                              "('/pricing/') or goal names ('Signup')")


def _campaigns(raw: object, source: str) -> list:
    """[[campaigns]] tables, checked now so a typo stops the command that reads them."""
    from ownmedia.campaigns.model import CampaignError, campaigns_from_config

    try:
        return campaigns_from_config(raw, source)
    except CampaignError as exc:
        raise ConfigError(str(exc)) from None


def _check_server_limits(config: Config) -> None:
    if config.storage.pool_size < 2:  # the event writer keeps one connection for the others
        raise ConfigError(f"{config.source}: [storage] pool_size must be at least 2")
    s = config.server
    if s.header_timeout_seconds <= 0 or s.keep_alive_seconds <= 0 or s.max_connections < 1:
        raise ConfigError(f"{config.source}: [server] need header_timeout_seconds > 0, "
                          "keep_alive_seconds > 0 and max_connections >= 1")
    if any(c in s.content_security_policy for c in "\r\n\x00"):
        raise ConfigError(f"{config.source}: [server] content_security_policy must be one line")


def _check_analytics(config: Config) -> None:
    """[analytics] values that are the right type but still make no sense."""
    a, src = config.analytics, config.source
    for entry in config.server.trusted_proxies:
        try:
            ipaddress.ip_network(entry, strict=False)
        except ValueError:
            raise ConfigError(
                f"{src}: [server] trusted_proxies: {entry!r} is not an IP address or network"
            ) from None
    if not a.domains or not all(d.strip() for d in a.domains):
        raise ConfigError(f"{src}: [analytics] domains must list at least one non-empty domain")
    if a.forward_url and not a.forward_url.startswith(("http://", "https://")):
        raise ConfigError(f"{src}: [analytics] forward_url must start with http:// or https://")
    if a.forward_max_attempts < 0:
        raise ConfigError(f"{src}: [analytics] forward_max_attempts must be >= 0")
    if not 0 < a.forward_backoff_seconds <= a.forward_backoff_max_seconds:
        raise ConfigError(
            f"{src}: [analytics] need 0 < forward_backoff_seconds <= forward_backoff_max_seconds"
        )
    if a.forward_timeout_seconds <= 0 or a.max_batch < 1:
        raise ConfigError(f"{src}: [analytics] forward_timeout_seconds and max_batch must be > 0")
    for i, goal in enumerate(a.goals):
        kinds = [k for k in ("event_name", "page_path") if goal.get(k)]
        extra = sorted(set(goal) - {"event_name", "page_path", "display_name", "domain"})
        if len(kinds) != 1 or extra:
            raise ConfigError(
                f"{src}: [analytics] goals[{i}] needs exactly one of event_name or page_path "
                "(optional: display_name, domain)"
            )
        if not all(isinstance(v, str) for v in goal.values()):
            raise ConfigError(f"{src}: [analytics] goals[{i}]: values must be strings")


def _check_comments(config: Config) -> None:
    """[comments], [smtp] and [mentions] values that are the right type but make no sense."""
    c, m, src = config.comments, config.mentions, config.source
    problems = []
    if c.min_seconds < 0:
        problems.append("[comments] min_seconds must be >= 0")
    if c.rate_limit < 1 or c.rate_window_seconds < 1:
        problems.append("[comments] rate_limit and rate_window_seconds must be >= 1")
    if c.max_links < 0:
        problems.append("[comments] max_links must be >= 0")
    if not 1 <= c.max_body_chars <= 100_000:
        problems.append("[comments] max_body_chars must be between 1 and 100000")
    if c.moderator_email and "@" not in c.moderator_email:
        problems.append("[comments] moderator_email must be an e-mail address")
    if not 0 < config.smtp.port < 65536:
        problems.append("[smtp] port must be between 1 and 65535")
    if m.timeout_seconds <= 0 or m.max_bytes < 1 or not 0 <= m.max_redirects <= 20:
        problems.append("[mentions] need timeout_seconds > 0, max_bytes >= 1, "
                        "0 <= max_redirects <= 20")
    if m.max_attempts < 1 or m.retry_backoff_seconds < 0 or m.pingback_parsers < 1 or \
            m.retry_backoff_max_seconds < m.retry_backoff_seconds:
        problems.append("[mentions] need max_attempts >= 1, pingback_parsers >= 1, "
                        "0 <= retry_backoff_seconds <= retry_backoff_max_seconds")
    if problems:
        raise ConfigError(f"{src}: {problems[0]}")
