"""Django 3.2 driver (Debian python3-django): foreign keys, reverse relations and per-row save()/delete()
in the loops (a dict memo where an app would cache), select_related/prefetch_related, bulk_create,
update(), annotate/aggregate, distinct(field) and bulk_create(ignore_conflicts) for the controls.
`django.db.backends` at DEBUG, with the logging docs' "verbose" formatter, goes to the scenario's ORM log.

  /usr/bin/python3 scripts/scenarios/drivers/django_driver.py <spec.json>
"""
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from pyspec import memo, run_spec  # noqa: E402
from djangoboot import OrmLog, meta  # noqa: E402  (configures Django from the spec)

from django.db import connection, connections, models, transaction  # noqa: E402
from django.db.models import F, Sum  # noqa: E402


class Author(models.Model):
    name = models.TextField()
    Meta = meta("authors")


class Profile(models.Model):
    author = models.OneToOneField(Author, on_delete=models.CASCADE, related_name="profile")
    bio = models.TextField()
    Meta = meta("profiles")


class Tag(models.Model):
    name = models.TextField()
    Meta = meta("tags")


class Book(models.Model):
    author = models.ForeignKey(Author, on_delete=models.CASCADE, related_name="books")
    title = models.TextField()
    price = models.IntegerField()
    created_at = models.DateTimeField()
    tags = models.ManyToManyField(Tag, through="Tagging", related_name="books")
    Meta = meta("books")


class Tagging(models.Model):
    book = models.ForeignKey(Book, on_delete=models.CASCADE)
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE)
    Meta = meta("taggings")


class Comment(models.Model):
    commentable_type = models.TextField()
    commentable_id = models.IntegerField()
    body = models.TextField()
    Meta = meta("comments")


class Holder(models.Model):
    name = models.TextField()
    Meta = meta("holders")


class Series(models.Model):
    name = models.TextField()
    Meta = meta("series")


class Debenture(models.Model):
    holder = models.ForeignKey(Holder, on_delete=models.CASCADE)
    series = models.ForeignKey(Series, on_delete=models.CASCADE)
    batch = models.IntegerField()
    price = models.IntegerField()
    Meta = meta("debentures")


class Review(models.Model):
    book = models.ForeignKey(Book, on_delete=models.CASCADE)
    stars = models.IntegerField()
    body = models.TextField()
    Meta = meta("reviews")


class Label(models.Model):
    name = models.TextField(unique=True)
    Meta = meta("labels")


def pos(shape, c):
    k = c.k
    if shape == "belongs-to":
        books = list(Book.objects.filter(id__lte=k).order_by("id"))
        c.after_parent("books")
        c.each(books, lambda b: b.author.name)
    elif shape == "identity-map-dedup":
        books = list(Book.objects.filter(author_id__lte=k).order_by("id"))
        c.after_parent("books")
        m = memo()
        c.each(books, lambda b: m(b.author_id, lambda: b.author.name))
    elif shape == "has-many":
        authors = list(Author.objects.filter(id__lte=k).order_by("id"))
        c.after_parent("authors")
        c.each(authors, lambda a: list(a.books.order_by("id")))
    elif shape == "has-one":
        authors = list(Author.objects.filter(id__lte=k).order_by("id"))
        c.after_parent("authors")
        c.each(authors, lambda a: a.profile.bio)
    elif shape == "has-many-through":
        books = list(Book.objects.filter(id__lte=k).order_by("id"))
        c.after_parent("books")
        c.each(books, lambda b: list(b.tags.all()))
    elif shape == "polymorphic":
        books = list(Book.objects.filter(id__lte=k).order_by("id"))
        c.after_parent("books")
        c.each(books, lambda b: list(Comment.objects.filter(commentable_type="Book", commentable_id=b.id)))
    elif shape == "two-relations":
        ds = list(Debenture.objects.filter(batch=k).order_by("id"))
        c.after_parent("debentures")
        h, s = memo(), memo()
        c.each(ds, lambda d: (h(d.holder_id, lambda: d.holder.name), s(d.series_id, lambda: d.series.name)))
    elif shape == "per-row-insert":
        books = list(Book.objects.filter(id__lte=k).order_by("id"))
        c.after_parent("books")
        c.each(books, lambda b: Review.objects.create(book_id=b.id, stars=1 + b.id % 5, body=c.tag))
    elif shape == "per-row-update":
        books = list(Book.objects.filter(id__lte=k).order_by("id"))
        c.after_parent("books")

        def bump(b):
            b.price += 1
            b.save(update_fields=["price"])

        c.each(books, bump)
    elif shape == "per-row-delete":
        Review.objects.bulk_create([Review(book_id=i + 1, stars=1, body=c.tag) for i in range(k)])
        rows = list(Review.objects.filter(body=c.tag).order_by("id"))
        c.after_parent("reviews")
        c.each(rows, lambda r: r.delete())
    elif shape == "aggregate":
        authors = list(Author.objects.filter(id__lte=k).order_by("id"))
        c.after_parent("authors")
        c.each(authors, lambda a: a.books.aggregate(Sum("price")))
    elif shape == "latest-per-parent":
        authors = list(Author.objects.filter(id__lte=k).order_by("id"))
        c.after_parent("authors")
        c.each(authors, lambda a: a.books.order_by("-created_at").first())
    elif shape == "get-or-create":
        authors = list(Author.objects.filter(id__lte=k).order_by("id"))
        c.after_parent("authors")
        c.each(authors, lambda a: Label.objects.get_or_create(name=f"{c.tag}:{a.id}"))
    elif shape == "independent-requests":
        a = Author.objects.get(id=c.n + 1)
        list(a.books.all())
    else:
        raise ValueError(shape)


def neg(shape, c):
    k = c.k
    if shape == "belongs-to":
        [b.author.name for b in Book.objects.filter(id__lte=k).select_related("author").order_by("id")]
    elif shape == "identity-map-dedup":
        [b.author.name for b in Book.objects.filter(author_id__lte=k).prefetch_related("author").order_by("id")]
    elif shape == "has-many":
        [list(a.books.all()) for a in Author.objects.filter(id__lte=k).prefetch_related("books").order_by("id")]
    elif shape == "has-one":
        [a.profile.bio for a in Author.objects.filter(id__lte=k).select_related("profile").order_by("id")]
    elif shape == "has-many-through":
        [list(b.tags.all()) for b in Book.objects.filter(id__lte=k).prefetch_related("tags").order_by("id")]
    elif shape == "polymorphic":
        ids = list(Book.objects.filter(id__lte=k).values_list("id", flat=True))
        list(Comment.objects.filter(commentable_type="Book", commentable_id__in=ids))
    elif shape == "two-relations":
        [(d.holder.name, d.series.name) for d in Debenture.objects.filter(batch=k).select_related("holder", "series").order_by("id")]
    elif shape == "per-row-insert":
        books = list(Book.objects.filter(id__lte=k).order_by("id"))
        Review.objects.bulk_create([Review(book_id=b.id, stars=1 + b.id % 5, body=c.tag) for b in books])
    elif shape == "per-row-update":
        ids = list(Book.objects.filter(id__lte=k).values_list("id", flat=True))
        Book.objects.filter(id__in=ids).update(price=F("price") + 1)
    elif shape == "per-row-delete":
        Review.objects.bulk_create([Review(book_id=i + 1, stars=1, body=c.tag) for i in range(k)])
        ids = list(Review.objects.filter(body=c.tag).values_list("id", flat=True))
        Review.objects.filter(id__in=ids).delete()
    elif shape == "aggregate":
        list(Book.objects.filter(author_id__lte=k).values("author_id").annotate(total=Sum("price")))
    elif shape == "latest-per-parent":
        list(Book.objects.filter(author_id__lte=k).order_by("author_id", "-created_at").distinct("author_id"))
    elif shape == "get-or-create":
        names = [f"{c.tag}:{i + 1}" for i in range(k)]
        Label.objects.bulk_create([Label(name=n) for n in names], ignore_conflicts=True)
        list(Label.objects.filter(name__in=names))
    elif shape == "independent-requests":
        pos(shape, c)
    else:
        raise ValueError(shape)


class Run:
    def __init__(self, pg, sc):
        self.sc = sc
        self.log = OrmLog(sc["app"], sc["ormLog"])

    def run(self, shape, role, ctx):
        done = [False]

        def after_parent(table):
            if self.sc["connection"] != "dedicated" or done[0]:
                return
            done[0] = True
            with connection.cursor() as cur:
                connection.introspection.get_table_description(cur, table)

        ctx.after_parent = after_parent
        f = neg if role == "neg" else pos
        try:
            if self.sc["connection"] == "transaction":
                with transaction.atomic():
                    f(shape, ctx)
            else:
                f(shape, ctx)
        finally:
            if self.sc["connection"] == "pool":
                connections.close_all()  # this thread's connection

    def close(self):
        connections.close_all()
        self.log.close()


if __name__ == "__main__":
    run_spec(sys.argv[1], Run)
