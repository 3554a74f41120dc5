"""sqloupe fixture app: Django ORM (Debian python3-django) in one file, against a throwaway PostgreSQL.

settings.configure with DEBUG=True (Django logs SQL only then) and LOGGING for django.db.backends at
DEBUG on stdout. Runs authors/books/reviews jobs with planted loops (N+1 on a foreign key, a count per
author, per-row saves) and the same jobs set-based (select_related, prefetch_related,
annotate(Count), bulk_create) as negative controls. The ground truth (statements counted with
connection.execute_wrapper, and the planted loops) is written to --truth as JSON.

  /usr/bin/python3 scripts/orm/python/django_app.py --host 127.0.0.1 --port 5432 --log plain|verbose|sqlparse --truth t.json > out.log
"""
import argparse
import logging
import json
import sys

import django
import sqlparse
from django.conf import settings

ap = argparse.ArgumentParser()
ap.add_argument("--host", default="127.0.0.1")
ap.add_argument("--port", default="5432")
ap.add_argument("--log", default="plain", choices=["plain", "verbose", "sqlparse"])
ap.add_argument("--truth", required=True)
args = ap.parse_args()

FORMATS = {
    # no formatter: the message alone, as in the logging docs' first django.db.backends example
    "plain": "{message}",
    # the "verbose" formatter from Django's logging docs
    "verbose": "{levelname} {asctime} {module} {process:d} {thread:d} {message}",
    # the message alone, its SQL reindented by sqlparse (below)
    "sqlparse": "{message}",
}


class SqlparseFormatter(logging.Formatter):
    """The SQL of each record reindented with sqlparse.format(reindent=True, keyword_case="upper"), which is
    what Django 4.0+'s connection.ops.format_debug_sql() and `manage.py test --debug-sql` print, and what
    SQL-formatting log formatters do: the statement then spans several lines before "; args=…"."""

    def format(self, record):
        if isinstance(record.args, tuple) and len(record.args) >= 2 and isinstance(record.args[1], str):
            record.args = (record.args[0], sqlparse.format(record.args[1], reindent=True, keyword_case="upper"), *record.args[2:])
        return super().format(record)

settings.configure(
    DEBUG=True,
    INSTALLED_APPS=["__main__"],
    DATABASES={
        "default": {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": "app",
            "USER": "postgres",
            "HOST": args.host,
            "PORT": args.port,
        }
    },
    DEFAULT_AUTO_FIELD="django.db.models.AutoField",
    USE_TZ=True,
    LOGGING={
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"f": {"()": SqlparseFormatter, "format": FORMATS[args.log], "style": "{"} if args.log == "sqlparse" else {"format": FORMATS[args.log], "style": "{"}},
        "handlers": {"console": {"class": "logging.StreamHandler", "stream": sys.stdout, "formatter": "f"}},
        "loggers": {"django.db.backends": {"handlers": ["console"], "level": "DEBUG", "propagate": False}},
    },
)
django.setup()

from django.db import connection, models, transaction  # noqa: E402
from django.db.models import Count  # noqa: E402


class Author(models.Model):
    name = models.CharField(max_length=100)

    class Meta:
        app_label = "__main__"
        db_table = "authors"


class Book(models.Model):
    author = models.ForeignKey(Author, on_delete=models.CASCADE, related_name="books")
    title = models.CharField(max_length=200)

    class Meta:
        app_label = "__main__"
        db_table = "books"


class Review(models.Model):
    book = models.ForeignKey(Book, on_delete=models.CASCADE, related_name="reviews")
    stars = models.IntegerField()
    body = models.CharField(max_length=500, null=True)

    class Meta:
        app_label = "__main__"
        db_table = "reviews"


AUTHORS = 5
BOOKS_PER_AUTHOR = 3
truth = {"statements": 0, "executemany": 0, "atomic_blocks": 0}


def counter(execute, sql, params, many, context):
    truth["statements"] += 1
    if many:
        truth["executemany"] += 1
    return execute(sql, params, many, context)


def main():
    loops = []
    with connection.execute_wrapper(counter):
        with connection.cursor() as c:
            c.execute("DROP TABLE IF EXISTS reviews, books, authors CASCADE")
        with connection.schema_editor() as ed:
            ed.create_model(Author)
            ed.create_model(Book)
            ed.create_model(Review)

        # seed, set-based
        with transaction.atomic():
            truth["atomic_blocks"] += 1
            authors = Author.objects.bulk_create([Author(name=f"author {a}") for a in range(1, AUTHORS + 1)])
            Book.objects.bulk_create(
                [Book(author=a, title=f"book {i}.{b}") for i, a in enumerate(authors, 1) for b in range(1, BOOKS_PER_AUTHOR + 1)]
            )

        # planted: N+1, the author of each book through the foreign key
        names = [b.author.name for b in Book.objects.order_by("id")]
        loops.append({"kind": "n-plus-one", "table": "authors", "repeats": len(names), "job": "author name per book (lazy FK)"})

        # planted: aggregate loop, a count per author
        counts = {a.id: a.books.count() for a in Author.objects.order_by("id")}
        loops.append({"kind": "aggregate-loop", "table": "books", "repeats": len(counts), "job": "books per author (count in a loop)"})

        # planted: per-row inserts
        with transaction.atomic():
            truth["atomic_blocks"] += 1
            n = 0
            for b in Book.objects.order_by("id"):
                Review(book=b, stars=(b.id % 5) + 1, body=f"review of {b.title}").save()
                n += 1
        loops.append({"kind": "per-row-insert", "table": "reviews", "repeats": n, "job": "one review per book, saved one by one"})

        # negative controls
        names = [b.author.name for b in Book.objects.select_related("author").order_by("id")]
        titles = [b.title for a in Author.objects.prefetch_related("books").order_by("id") for b in a.books.all()]
        counts = {a.id: a.n for a in Author.objects.annotate(n=Count("books")).order_by("id")}
        Review.objects.bulk_create([Review(book_id=b, stars=3, body="bulk") for b in range(1, AUTHORS * BOOKS_PER_AUTHOR + 1)])
        # an executemany through the cursor
        with connection.cursor() as c:
            c.executemany("UPDATE reviews SET stars = %s WHERE id = %s", [(4, 1), (4, 2), (4, 3)])

    out = {
        "orm": "django",
        "version": django.get_version(),
        "log": args.log,
        "counted_with": "connection.execute_wrapper (every execute/executemany through Django's cursor wrapper)",
        **truth,
        "begin": 0,
        "commit": 0,
        "note": "Django < 4.2 does not log BEGIN/COMMIT (psycopg2 opens transactions implicitly); atomic_blocks says how many there were",
        "loops": loops,
        "controls": ["select_related('author')", "prefetch_related('books')", "annotate(Count('books'))", "bulk_create"],
    }
    with open(args.truth, "w") as f:
        json.dump(out, f, indent=2)
        f.write("\n")


main()
