"""sqloupe fixture app: SQLAlchemy (Debian python3-sqlalchemy) against a throwaway PostgreSQL.

Runs authors/books/reviews jobs with planted database loops (N+1 lazy loads, a count per parent,
per-row inserts) and the same jobs written set-based (selectinload/joinedload, GROUP BY, executemany)
as negative controls. The engine log goes to stdout in the form chosen by --log; the ground truth
(statements counted with the before_cursor_execute hook, transactions with begin/commit/rollback
hooks, and the planted loops) is written to --truth as JSON.

  /usr/bin/python3 scripts/orm/python/sqlalchemy_app.py --url postgresql+psycopg2://postgres@127.0.0.1:5432/app \
      --log echo|debug|basic|bare|doubled --truth out.truth.json > out.log
"""
import argparse
import json
import logging
import sys

import psycopg2.extensions
import sqlalchemy
from sqlalchemy import ForeignKey, Integer, String, create_engine, event, func, insert, select, text
from sqlalchemy.orm import Session, declarative_base, joinedload, relationship, selectinload

Base = declarative_base()


class Author(Base):
    __tablename__ = "authors"
    id = sqlalchemy.Column(Integer, primary_key=True)
    name = sqlalchemy.Column(String(100), nullable=False)
    books = relationship("Book", back_populates="author", order_by="Book.id")


class Book(Base):
    __tablename__ = "books"
    id = sqlalchemy.Column(Integer, primary_key=True)
    author_id = sqlalchemy.Column(Integer, ForeignKey("authors.id"), nullable=False, index=True)
    title = sqlalchemy.Column(String(200), nullable=False)
    author = relationship("Author", back_populates="books")
    reviews = relationship("Review", back_populates="book", order_by="Review.id")


class Review(Base):
    __tablename__ = "reviews"
    id = sqlalchemy.Column(Integer, primary_key=True)
    book_id = sqlalchemy.Column(Integer, ForeignKey("books.id"), nullable=False, index=True)
    stars = sqlalchemy.Column(Integer, nullable=False)
    body = sqlalchemy.Column(String(500))
    book = relationship("Book", back_populates="reviews")


AUTHORS = 5
BOOKS_PER_AUTHOR = 3


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", required=True)
    ap.add_argument("--log", default="echo", choices=["echo", "debug", "basic", "bare", "doubled"])
    ap.add_argument("--truth", required=True)
    args = ap.parse_args()

    echo = {"echo": True, "debug": "debug", "doubled": True}.get(args.log, False)
    if args.log == "basic":
        # logging.basicConfig's default format: LEVEL:logger:message
        logging.basicConfig(stream=sys.stdout)
        logging.getLogger("sqlalchemy.engine").setLevel(logging.INFO)
    elif args.log == "bare":
        # a handler with no prefix at all, as when the prefix is lost
        h = logging.StreamHandler(sys.stdout)
        h.setFormatter(logging.Formatter("%(message)s"))
        logging.getLogger("sqlalchemy.engine").addHandler(h)
        logging.getLogger("sqlalchemy.engine").setLevel(logging.INFO)
    elif args.log == "doubled":
        # echo=True plus a root handler: every record is written twice (a classic misconfiguration)
        logging.basicConfig(stream=sys.stdout, level=logging.WARNING)

    truth = {"statements": 0, "driver_statements": 0, "hook_statements": 0, "begin": 0, "commit": 0, "rollback": 0, "executemany": 0}

    def through_connection():
        # True when SQLAlchemy's Connection runs this statement (what its logger reports); the dialect
        # also runs a few queries on the raw DBAPI connection (isolation level, hstore oids), unlogged.
        f = sys._getframe(2)
        while f is not None:
            if f.f_code.co_name == "_execute_context":
                return True
            f = f.f_back
        return False

    class CountingCursor(psycopg2.extensions.cursor):
        """Counts statements at the driver, so the dialect's first-connect queries count too
        (they run on a connection without events and escape before_cursor_execute)."""

        def execute(self, query, vars=None):
            truth["driver_statements"] += 1
            if through_connection():
                truth["statements"] += 1
            return super().execute(query, vars)

        def executemany(self, query, vars_list):
            truth["driver_statements"] += 1
            if through_connection():
                truth["statements"] += 1
            return super().executemany(query, vars_list)

    engine = create_engine(args.url, echo=echo, future=True, connect_args={"cursor_factory": CountingCursor})

    @event.listens_for(engine, "before_cursor_execute")
    def count_stmt(conn, cursor, statement, parameters, context, executemany):
        truth["hook_statements"] += 1
        if executemany:
            truth["executemany"] += 1

    @event.listens_for(engine, "begin")
    def count_begin(conn):
        truth["begin"] += 1

    @event.listens_for(engine, "commit")
    def count_commit(conn):
        truth["commit"] += 1

    @event.listens_for(engine, "rollback")
    def count_rollback(conn):
        truth["rollback"] += 1

    with engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS reviews, books, authors"))
    Base.metadata.create_all(engine)

    loops = []

    # seed, set-based: one executemany per table
    with engine.begin() as conn:
        conn.execute(insert(Author), [{"id": a, "name": f"author {a}"} for a in range(1, AUTHORS + 1)])
        conn.execute(
            insert(Book),
            [
                {"id": (a - 1) * BOOKS_PER_AUTHOR + b, "author_id": a, "title": f"book {a}.{b}"}
                for a in range(1, AUTHORS + 1)
                for b in range(1, BOOKS_PER_AUTHOR + 1)
            ],
        )
        conn.execute(text("SELECT setval('authors_id_seq', :n)"), {"n": AUTHORS})
        conn.execute(text("SELECT setval('books_id_seq', :n)"), {"n": AUTHORS * BOOKS_PER_AUTHOR})

    # planted: N+1 lazy loads of books per author
    with Session(engine) as s:
        titles = 0
        for a in s.scalars(select(Author).order_by(Author.id)):
            for b in a.books:
                titles += len(b.title)
        loops.append({"kind": "n-plus-one", "table": "books", "repeats": AUTHORS, "job": "titles per author (lazy load)"})

    # planted: aggregate loop, a count per author
    with Session(engine) as s:
        counts = {}
        for a in s.scalars(select(Author).order_by(Author.id)):
            counts[a.id] = s.scalar(select(func.count(Book.id)).where(Book.author_id == a.id))
        loops.append({"kind": "aggregate-loop", "table": "books", "repeats": AUTHORS, "job": "books per author (count in a loop)"})

    # planted: per-row inserts, one flush per review
    with Session(engine) as s:
        n = 0
        for b in s.scalars(select(Book).order_by(Book.id)):
            s.add(Review(book_id=b.id, stars=(b.id % 5) + 1, body=f"review of {b.title}"))
            s.flush()
            n += 1
        s.commit()
        loops.append({"kind": "per-row-insert", "table": "reviews", "repeats": n, "job": "one review per book, flushed one by one"})

    # negative controls: the same jobs set-based
    with Session(engine) as s:
        for a in s.scalars(select(Author).options(selectinload(Author.books)).order_by(Author.id)):
            for b in a.books:
                titles += len(b.title)
        for a in s.execute(select(Author).options(joinedload(Author.books)).order_by(Author.id)).unique().scalars():
            for b in a.books:
                titles += len(b.title)
        counts = dict(s.execute(select(Book.author_id, func.count(Book.id)).group_by(Book.author_id)).all())
        s.execute(
            insert(Review),
            [{"book_id": b, "stars": 3, "body": "bulk"} for b in range(1, AUTHORS * BOOKS_PER_AUTHOR + 1)],
        )
        s.commit()

    # a rolled-back transaction
    with Session(engine) as s:
        s.execute(text("UPDATE reviews SET stars = stars WHERE id = :id"), {"id": 1})
        s.rollback()

    engine.dispose()
    out = {
        "orm": "sqlalchemy",
        "version": sqlalchemy.__version__,
        "log": args.log,
        "counted_with": "statements: a counting psycopg2 cursor, calls made by SQLAlchemy Connection._execute_context (what the engine logger reports); driver_statements: every cursor call, including the dialect's unlogged raw-connection queries; hook_statements: before_cursor_execute (misses the dialect's first-connect queries); begin/commit/rollback: engine events",
        **truth,
        "loops": loops,
        "controls": ["selectinload(Author.books)", "joinedload(Author.books)", "GROUP BY count", "executemany insert"],
    }
    with open(args.truth, "w") as f:
        json.dump(out, f, indent=2)
        f.write("\n")


if __name__ == "__main__":
    main()
