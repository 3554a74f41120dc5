"""SQLAlchemy 1.4 driver of the peers set (scripts/scenarios/peers.mjs): the shapes of nplusone's
SQLAlchemy tests (one-to-many, many-to-one, many-to-many both ways, nested, one object) on our own
models, each as a positive (lazy loads in a loop) and a negative control (subqueryload / joinedload /
selectinload). The `sqlalchemy.engine` log, in echo's format, goes to the case's ORM log file.

  /usr/bin/python3 scripts/scenarios/drivers/peers_sqlalchemy.py <spec.json>
"""
import logging
import os
import sys

from sqlalchemy import Column, ForeignKey, Integer, String, Table, create_engine, select
from sqlalchemy.orm import Session, declarative_base, joinedload, relationship, selectinload, subqueryload

sys.path.insert(0, os.path.dirname(__file__))
from pyspec import run_peers  # noqa: E402

Base = declarative_base()

users_hobbies = Table(
    "np_users_hobbies", Base.metadata,
    Column("user_id", ForeignKey("np_users.id")), Column("hobby_id", ForeignKey("np_hobbies.id")),
)


class User(Base):
    __tablename__ = "np_users"
    id = Column(Integer, primary_key=True)
    name = Column(String)
    addresses = relationship("Address", back_populates="user", order_by="Address.id")
    hobbies = relationship("Hobby", secondary=users_hobbies, back_populates="users", order_by="Hobby.id")


class Address(Base):
    __tablename__ = "np_addresses"
    id = Column(Integer, primary_key=True)
    user_id = Column(Integer, ForeignKey("np_users.id"))
    city = Column(String)
    user = relationship("User", back_populates="addresses")


class Hobby(Base):
    __tablename__ = "np_hobbies"
    id = Column(Integer, primary_key=True)
    name = Column(String)
    users = relationship("User", secondary=users_hobbies, back_populates="hobbies", order_by="User.id")


def q(model, *opts):
    return select(model).order_by(model.id).options(*opts)


POS = {
    "n01": lambda s: [list(u.addresses) for u in s.scalars(q(User)).all()],
    "n02": lambda s: [list(u.addresses) for u in s.scalars(q(User)).all()],
    "n03": lambda s: [a.user.name for a in s.scalars(q(Address)).all()],
    "n04": lambda s: [a.user.name for a in s.scalars(q(Address)).all()],
    "n05": lambda s: [list(u.hobbies) for u in s.scalars(q(User)).all()],
    "n06": lambda s: [list(h.users) for h in s.scalars(q(Hobby)).all()],
    "n07": lambda s: [[list(u.addresses) for u in h.users] for h in s.scalars(q(Hobby)).all()],
}

NEG = {
    "n01": lambda s: [list(u.addresses) for u in s.scalars(q(User, subqueryload(User.addresses))).all()],
    "n02": lambda s: [list(u.addresses) for u in s.scalars(q(User, joinedload(User.addresses))).unique().all()],
    "n03": lambda s: [a.user.name for a in s.scalars(q(Address, joinedload(Address.user))).all()],
    "n04": lambda s: [a.user.name for a in s.scalars(q(Address, selectinload(Address.user))).all()],
    "n05": lambda s: [list(u.hobbies) for u in s.scalars(q(User, subqueryload(User.hobbies))).all()],
    "n06": lambda s: [list(h.users) for h in s.scalars(q(Hobby, selectinload(Hobby.users))).all()],
    "n07": lambda s: [[list(u.addresses) for u in h.users] for h in s.scalars(q(Hobby, selectinload(Hobby.users).selectinload(User.addresses))).all()],
    "n08": lambda s: list(s.scalars(q(User)).first().addresses),
}


def run_case(pg, sc):
    url = f"postgresql+psycopg2://{pg['user']}@{pg['host']}:{pg['port']}/{pg['database']}"
    kw = {} if sc["connection"] == "transaction" else {"isolation_level": "AUTOCOMMIT"}
    engine = create_engine(url, future=True, pool_size=1, max_overflow=0, connect_args={"application_name": sc["app"]}, **kw)
    handler = logging.FileHandler(sc["ormLog"], mode="w")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    log = logging.getLogger("sqlalchemy.engine")
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    try:
        with Session(engine) as s:
            (NEG if sc["role"] == "neg" else POS)[sc["id"]](s)
            s.rollback()  # as a test's fixture session does
    finally:
        engine.dispose()
        log.removeHandler(handler)
        handler.close()


if __name__ == "__main__":
    run_peers(sys.argv[1], run_case)
