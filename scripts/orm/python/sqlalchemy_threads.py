"""sqloupe fixture app: SQLAlchemy (Debian python3-sqlalchemy) written by several threads at once.

Each worker thread has its own Session (its own pooled connection) and runs the same planted loops
(an N+1 of lazy loads, a count per author, per-row inserts); the sqlalchemy.engine logger writes one
log for all of them with the thread name in the format, so records of different threads interleave:
a statement line of one thread can be followed by the params line of another. The ground truth
(statements counted per thread by a counting psycopg2 cursor, as in sqlalchemy_app.py) goes to --truth.

  /usr/bin/python3 scripts/orm/python/sqlalchemy_threads.py --url postgresql+psycopg2://postgres@127.0.0.1:5432/app \
      --threads 4 --truth threads.truth.json > threads.log
"""
import argparse
import json
import logging
import sys
import threading

import psycopg2.extensions
import sqlalchemy
from sqlalchemy import ForeignKey, Integer, String, create_engine, event, func, insert, select, text
from sqlalchemy.orm import Session, declarative_base, relationship

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


class Review(Base):
    __tablename__ = "reviews"
    id = sqlalchemy.Column(Integer, primary_key=True)
    book_id = sqlalchemy.Column(Integer, ForeignKey("books.id"), nullable=False, index=True)
    stars = sqlalchemy.Column(Integer, nullable=False)


AUTHORS = 5
BOOKS_PER_AUTHOR = 3
ROUNDS = 3


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", required=True)
    ap.add_argument("--threads", type=int, default=4)
    ap.add_argument("--truth", required=True)
    args = ap.parse_args()

    # a common production format: time, thread name, level, logger; records of all threads in one stream
    logging.basicConfig(stream=sys.stdout, format="%(asctime)s %(threadName)s %(levelname)s %(name)s %(message)s")
    logging.getLogger("sqlalchemy.engine").setLevel(logging.INFO)
    # switch threads often, so their records interleave the way they do under load
    sys.setswitchinterval(1e-6)

    lock = threading.Lock()
    per_thread = {}

    def through_connection():
        f = sys._getframe(2)
        while f is not None:
            if f.f_code.co_name == "_execute_context":
                return True
            f = f.f_back
        return False

    def count():
        if through_connection():
            name = threading.current_thread().name
            with lock:
                per_thread[name] = per_thread.get(name, 0) + 1

    class CountingCursor(psycopg2.extensions.cursor):
        def execute(self, query, vars=None):
            count()
            return super().execute(query, vars)

        def executemany(self, query, vars_list):
            count()
            return super().executemany(query, vars_list)

    engine = create_engine(args.url, future=True, pool_size=args.threads + 1, connect_args={"cursor_factory": CountingCursor})
    tx = {"begin": 0, "commit": 0, "rollback": 0}

    @event.listens_for(engine, "begin")
    def count_begin(conn):
        with lock:
            tx["begin"] += 1

    @event.listens_for(engine, "commit")
    def count_commit(conn):
        with lock:
            tx["commit"] += 1

    with engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS reviews, books, authors"))
    Base.metadata.create_all(engine)
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

    start = threading.Barrier(args.threads)

    def worker(n):
        start.wait()
        for r in range(ROUNDS):
            with Session(engine) as s:
                titles = 0
                for a in s.scalars(select(Author).order_by(Author.id)):
                    for b in a.books:  # planted N+1: a lazy load per author
                        titles += len(b.title)
                for a in s.scalars(select(Author).order_by(Author.id)):
                    s.scalar(select(func.count(Book.id)).where(Book.author_id == a.id))  # planted: a count per author
                for b in range(1, 4):
                    s.add(Review(book_id=b + n, stars=(r % 5) + 1))
                    s.flush()  # planted: per-row insert
                s.commit()

    threads = [threading.Thread(target=worker, args=(i,), name=f"worker-{i + 1}") for i in range(args.threads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    engine.dispose()
    logging.shutdown()

    out = {
        "orm": "sqlalchemy",
        "version": sqlalchemy.__version__,
        "log": "threads",
        "format": "%(asctime)s %(threadName)s %(levelname)s %(name)s %(message)s",
        "counted_with": "a counting psycopg2 cursor, calls made by SQLAlchemy Connection._execute_context (what the engine logger reports), per thread name; begin/commit: engine events",
        "statements": sum(per_thread.values()),
        "per_thread": dict(sorted(per_thread.items())),
        **tx,
        "loops_per_thread_round": [
            {"kind": "n-plus-one", "table": "books", "repeats": AUTHORS},
            {"kind": "aggregate-loop", "table": "books", "repeats": AUTHORS},
            {"kind": "per-row-insert", "table": "reviews", "repeats": 3},
        ],
    }
    with open(args.truth, "w") as f:
        json.dump(out, f, indent=2)


if __name__ == "__main__":
    main()
