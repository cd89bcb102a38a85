"""SqlTokenStore: staff tokens by digest."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine, insert, select, update
from sqlalchemy.exc import IntegrityError

from bridge.db.base import read_tx, write_tx
from bridge.db.models import StaffToken
from bridge.errors import Conflict
from bridge.tokens import TokenInfo

_T = StaffToken.__table__


def _info(row) -> TokenInfo:  # noqa: ANN001 - a Row of staff_tokens
    return TokenInfo(name=row.name, role=row.role, created_at=row.created_at,
                     revoked_at=row.revoked_at, token_hash=row.token_hash, console=bool(row.console))


class SqlTokenStore:
    def __init__(self, *, engine: Engine) -> None:
        self.engine = engine

    def add(self, *, name: str, role: str, token_hash: str, at: datetime, console: bool = False) -> None:
        try:
            with write_tx(self.engine) as conn:
                conn.execute(insert(_T).values(name=name, role=role, token_hash=token_hash, created_at=at,
                                               console=console))
        except IntegrityError:
            raise Conflict("a token with that name exists") from None

    def by_hash(self, token_hash: str) -> TokenInfo | None:
        with read_tx(self.engine) as conn:
            row = conn.execute(select(_T).where(_T.c.token_hash == token_hash)).first()
        return _info(row) if row else None

    def list(self) -> list[TokenInfo]:
        with read_tx(self.engine) as conn:
            return [_info(r) for r in conn.execute(select(_T).order_by(_T.c.name)).all()]

    def revoke(self, name: str, *, at: datetime) -> bool:
        with write_tx(self.engine) as conn:
            result = conn.execute(
                update(_T).where(_T.c.name == name, _T.c.revoked_at.is_(None)).values(revoked_at=at)
            )
            return result.rowcount > 0
