"""Settings from the environment (prefix FULFILMENT_), one object passed to every edge."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Every FULFILMENT_* variable; README lists them all."""

    model_config = SettingsConfigDict(env_prefix="FULFILMENT_", env_file=None, extra="ignore")

    database_url: str = "sqlite:///var/fulfilment.db"
    # keyed hash of ID numbers and encryption of the full ID (needed only in customs messages)
    secret_key: str = "dev-secret-change-me"
    reservation_ttl_minutes: int = 30
    wave_interval_minutes: int = 5
    wave_time_limit_s: float = 20.0
    scheduler_enabled: bool = True
    webhook_timeout_s: float = 5.0
    webhook_max_attempts: int = 8
    # group commit at intake: how many waiting orders one transaction may reserve together
    intake_batch_max: int = 64
    db_pool_size: int = 20
    # how long a process trusts a key it has looked up (a revoked key works at most this long)
    api_key_cache_seconds: float = 10.0
    # largest request body a route reads (MiB): a year of signals and sales for 5,000 SKUs, as
    # one POST /signals body, is about 90
    max_body_mb: int = Field(128, ge=1, le=4096)
    # customs parties (codes sent in clearance messages)
    customs_code: str = "3105"
    port_code: str = "3105"
    platform_code: str = "3301960001"
    platform_name: str = "Demo Cross-border Platform"
    merchant_code: str = "3301960002"
    merchant_name: str = "Demo Import Merchant"
    agent_code: str = "3301980003"
    agent_name: str = "Demo Declaring Agent"
    payment_code: str = "3100960005"
    payment_name: str = "Demo Pay"
    # customs logistics enterprise code per courier (JSON object in the environment)
    logistics_codes: dict[str, str] = {"SF": "4403180001", "JD": "1101980002",
                                       "YTO": "3101980003", "ZTO": "3101980004",
                                       "EMS": "1101980005", "DHL": "3101980006"}
    customs_outbox: Path = Path("var/customs/outbox")
    customs_inbox: Path = Path("var/customs/inbox")
    # floor
    printer_host: str | None = None
    printer_port: int = 9100
    forecast_refresh_hour: int = 2
    plan_proposal_hours: int = 6
    # the scheduled proposal's budget: CNY text as `POST /plans` takes it ("50000.00")
    plan_budget: str = "50000.00"

    @field_validator("plan_budget")
    @classmethod
    def _cny(cls, raw: str) -> str:
        _fen(raw)
        return raw.strip()

    @property
    def plan_budget_fen(self) -> int:
        return _fen(self.plan_budget)

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def _fen(raw: str) -> int:
    """CNY text -> integer fen by the planning API's own rule; more than 0 (a budget of 0
    proposes an empty plan over the buyer's current one)."""
    from inventory.purchasing_catalogue import money_fen  # here: it loads the solver

    problems: list[dict] = []
    fen = money_fen(raw.strip(), "plan_budget", problems)
    if problems or fen <= 0:
        reason = problems[0]["reason"] if problems else "must be more than 0 CNY"
        raise ValueError(reason)
    return fen


@lru_cache
def get_settings() -> Settings:
    return Settings()
