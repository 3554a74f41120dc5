"""SQLAlchemy 1.4 driver (Debian python3-sqlalchemy): lazy relationship loads and per-row flushes in
the loops (the identity map dedups repeated many-to-one keys by itself), selectinload/joinedload,
executemany, GROUP BY, DISTINCT ON and ON CONFLICT for the controls. The `sqlalchemy.engine` log, in
echo's format, goes to the scenario's ORM log file.

  /usr/bin/python3 scripts/scenarios/drivers/sqlalchemy_driver.py <spec.json>
"""
import logging
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from pyspec import run_spec  # noqa: E402

from sqlalchemy import Column, DateTime, ForeignKey, Integer, String, and_, create_engine, delete, func, inspect, insert, select, update  # noqa: E402
from sqlalchemy.dialects.postgresql import insert as pg_insert  # noqa: E402
from sqlalchemy.orm import Session, declarative_base, foreign, joinedload, relationship, selectinload  # noqa: E402

Base = declarative_base()


class Author(Base):
    __tablename__ = "authors"
    id = Column(Integer, primary_key=True)
    name = Column(String)
    books = relationship("Book", back_populates="author", order_by="Book.id")
    profile = relationship("Profile", uselist=False, back_populates="author")


class Profile(Base):
    __tablename__ = "profiles"
    id = Column(Integer, primary_key=True)
    author_id = Column(Integer, ForeignKey("authors.id"))
    bio = Column(String)
    author = relationship("Author", back_populates="profile")


class Tagging(Base):
    __tablename__ = "taggings"
    id = Column(Integer, primary_key=True)
    book_id = Column(Integer, ForeignKey("books.id"))
    tag_id = Column(Integer, ForeignKey("tags.id"))


class Tag(Base):
    __tablename__ = "tags"
    id = Column(Integer, primary_key=True)
    name = Column(String)


class Comment(Base):
    __tablename__ = "comments"
    id = Column(Integer, primary_key=True)
    commentable_type = Column(String)
    commentable_id = Column(Integer)
    body = Column(String)


class Book(Base):
    __tablename__ = "books"
    id = Column(Integer, primary_key=True)
    author_id = Column(Integer, ForeignKey("authors.id"))
    title = Column(String)
    price = Column(Integer)
    created_at = Column(DateTime(timezone=True))
    author = relationship("Author", back_populates="books")
    tags = relationship("Tag", secondary="taggings", viewonly=True)
    comments = relationship(
        "Comment",
        primaryjoin=lambda: and_(Comment.commentable_type == "Book", foreign(Comment.commentable_id) == Book.id),
        viewonly=True,
    )


class Holder(Base):
    __tablename__ = "holders"
    id = Column(Integer, primary_key=True)
    name = Column(String)


class Series(Base):
    __tablename__ = "series"
    id = Column(Integer, primary_key=True)
    name = Column(String)


class Debenture(Base):
    __tablename__ = "debentures"
    id = Column(Integer, primary_key=True)
    holder_id = Column(Integer, ForeignKey("holders.id"))
    series_id = Column(Integer, ForeignKey("series.id"))
    batch = Column(Integer)
    price = Column(Integer)
    holder = relationship("Holder")
    series = relationship("Series")


class Review(Base):
    __tablename__ = "reviews"
    id = Column(Integer, primary_key=True)
    book_id = Column(Integer, ForeignKey("books.id"))
    stars = Column(Integer)
    body = Column(String)


class Label(Base):
    __tablename__ = "labels"
    id = Column(Integer, primary_key=True)
    name = Column(String, unique=True)


def up_to(model, k, col="id"):
    return select(model).where(getattr(model, col) <= k).order_by(model.id)


def pos(shape, s, c):
    k = c.k
    if shape == "belongs-to":
        books = s.scalars(up_to(Book, k)).all()
        c.after_parent("books")
        c.each(books, lambda b: b.author.name)
    elif shape == "identity-map-dedup":
        books = s.scalars(up_to(Book, k, "author_id")).all()
        c.after_parent("books")
        c.each(books, lambda b: b.author.name)  # the identity map answers repeated keys
    elif shape == "has-many":
        authors = s.scalars(up_to(Author, k)).all()
        c.after_parent("authors")
        c.each(authors, lambda a: len(a.books))
    elif shape == "has-one":
        authors = s.scalars(up_to(Author, k)).all()
        c.after_parent("authors")
        c.each(authors, lambda a: a.profile and a.profile.bio)
    elif shape == "has-many-through":
        books = s.scalars(up_to(Book, k)).all()
        c.after_parent("books")
        c.each(books, lambda b: len(b.tags))
    elif shape == "polymorphic":
        books = s.scalars(up_to(Book, k)).all()
        c.after_parent("books")
        c.each(books, lambda b: len(b.comments))
    elif shape == "two-relations":
        ds = s.scalars(select(Debenture).where(Debenture.batch == k).order_by(Debenture.id)).all()
        c.after_parent("debentures")
        c.each(ds, lambda d: (d.holder.name, d.series.name))
    elif shape == "per-row-insert":
        books = s.scalars(up_to(Book, k)).all()
        c.after_parent("books")

        def add(b):
            s.add(Review(book_id=b.id, stars=1 + b.id % 5, body=c.tag))
            s.flush()

        c.each(books, add)
    elif shape == "per-row-update":
        books = s.scalars(up_to(Book, k)).all()
        c.after_parent("books")

        def bump(b):
            b.price = b.price + 1
            s.flush()

        c.each(books, bump)
    elif shape == "per-row-delete":
        s.execute(insert(Review), [{"book_id": i + 1, "stars": 1, "body": c.tag} for i in range(k)])
        rows = s.scalars(select(Review).where(Review.body == c.tag).order_by(Review.id)).all()
        c.after_parent("reviews")

        def rm(r):
            s.delete(r)
            s.flush()

        c.each(rows, rm)
    elif shape == "aggregate":
        authors = s.scalars(up_to(Author, k)).all()
        c.after_parent("authors")
        c.each(authors, lambda a: s.scalar(select(func.sum(Book.price)).where(Book.author_id == a.id)))
    elif shape == "latest-per-parent":
        authors = s.scalars(up_to(Author, k)).all()
        c.after_parent("authors")
        c.each(authors, lambda a: s.scalars(select(Book).where(Book.author_id == a.id).order_by(Book.created_at.desc()).limit(1)).first())
    elif shape == "get-or-create":
        authors = s.scalars(up_to(Author, k)).all()
        c.after_parent("authors")

        def goc(a):
            name = f"{c.tag}:{a.id}"
            if s.scalars(select(Label).where(Label.name == name)).first() is None:
                s.add(Label(name=name))
                s.flush()

        c.each(authors, goc)
    elif shape == "independent-requests":
        a = s.get(Author, c.n + 1)
        len(a.books)
    else:
        raise ValueError(shape)


def neg(shape, s, c):
    k = c.k
    if shape == "belongs-to":
        s.scalars(up_to(Book, k).options(joinedload(Book.author))).all()
    elif shape == "identity-map-dedup":
        s.scalars(up_to(Book, k, "author_id").options(selectinload(Book.author))).all()
    elif shape == "has-many":
        s.scalars(up_to(Author, k).options(selectinload(Author.books))).all()
    elif shape == "has-one":
        s.scalars(up_to(Author, k).options(selectinload(Author.profile))).all()
    elif shape == "has-many-through":
        s.scalars(up_to(Book, k).options(selectinload(Book.tags))).all()
    elif shape == "polymorphic":
        s.scalars(up_to(Book, k).options(selectinload(Book.comments))).all()
    elif shape == "two-relations":
        s.scalars(select(Debenture).where(Debenture.batch == k).order_by(Debenture.id).options(selectinload(Debenture.holder), selectinload(Debenture.series))).all()
    elif shape == "per-row-insert":
        books = s.scalars(up_to(Book, k)).all()
        s.execute(insert(Review), [{"book_id": b.id, "stars": 1 + b.id % 5, "body": c.tag} for b in books])
    elif shape == "per-row-update":
        ids = [b.id for b in s.scalars(up_to(Book, k)).all()]
        s.execute(update(Book).where(Book.id.in_(ids)).values(price=Book.price + 1))
    elif shape == "per-row-delete":
        s.execute(insert(Review), [{"book_id": i + 1, "stars": 1, "body": c.tag} for i in range(k)])
        ids = s.scalars(select(Review.id).where(Review.body == c.tag)).all()
        s.execute(delete(Review).where(Review.id.in_(ids)))
    elif shape == "aggregate":
        s.execute(select(Book.author_id, func.sum(Book.price)).where(Book.author_id <= k).group_by(Book.author_id)).all()
    elif shape == "latest-per-parent":
        s.scalars(select(Book).where(Book.author_id <= k).distinct(Book.author_id).order_by(Book.author_id, Book.created_at.desc())).all()
    elif shape == "get-or-create":
        names = [f"{c.tag}:{i + 1}" for i in range(k)]
        s.execute(pg_insert(Label).values([{"name": n} for n in names]).on_conflict_do_nothing())
        s.scalars(select(Label).where(Label.name.in_(names))).all()
    elif shape == "independent-requests":
        pos(shape, s, c)
    else:
        raise ValueError(shape)


class Run:
    def __init__(self, pg, sc):
        self.sc = sc
        url = f"postgresql+psycopg2://{pg['user']}@{pg['host']}:{pg['port']}/{pg['database']}"
        pooled = sc["connection"] == "pool"
        kw = {} if sc["connection"] == "transaction" else {"isolation_level": "AUTOCOMMIT"}
        self.engine = create_engine(url, future=True, pool_size=sc.get("poolSize", 3) if pooled else 1, max_overflow=0, connect_args={"application_name": sc["app"]}, **kw)
        self.handler = logging.FileHandler(sc["ormLog"], mode="w")
        # the format echo=True uses (sqlalchemy.log: "%(asctime)s %(levelname)s %(name)s %(message)s")
        self.handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
        log = logging.getLogger("sqlalchemy.engine")
        log.addHandler(self.handler)
        log.setLevel(logging.INFO)

    def run(self, shape, role, ctx):
        with Session(self.engine) as s:
            done = [False]

            def after_parent(table):
                if self.sc["connection"] != "dedicated" or done[0]:
                    return
                done[0] = True
                inspect(s.connection()).get_columns(table)  # reflection, as a script's first touch of a table does

            ctx.after_parent = after_parent
            (neg if role == "neg" else pos)(shape, s, ctx)
            s.commit()

    def close(self):
        self.engine.dispose()
        logging.getLogger("sqlalchemy.engine").removeHandler(self.handler)
        self.handler.close()


if __name__ == "__main__":
    run_spec(sys.argv[1], Run)
