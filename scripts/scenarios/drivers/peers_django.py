"""Django 3.2 driver of the peers set (scripts/scenarios/peers.mjs): the shapes of nplusone's Django tests
(one-to-many through a reverse foreign key, many-to-one, one-to-one both ways, many-to-many both ways,
nested, one object) on our own models (the np_ tables), each as a positive (lazy loads in a loop) and a
negative control (select_related / prefetch_related). `django.db.backends` at DEBUG goes to the case's
ORM log file (djangoboot.py).

  /usr/bin/python3 scripts/scenarios/drivers/peers_django.py <spec.json>
"""
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from pyspec import run_peers  # noqa: E402
from djangoboot import OrmLog, meta  # noqa: E402  (configures Django from the spec)

from django.db import connections, models, transaction  # noqa: E402


class Hobby(models.Model):
    name = models.TextField()
    Meta = meta("np_hobbies")


class User(models.Model):
    name = models.TextField()
    hobbies = models.ManyToManyField(Hobby, db_table="np_users_hobbies", related_name="users")
    Meta = meta("np_users")


class Address(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="addresses")
    city = models.TextField()
    Meta = meta("np_addresses")


class Occupation(models.Model):
    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="occupation")
    name = models.TextField()
    Meta = meta("np_occupations")


def each(model, *related):
    """The parents in id order, with a select_related/prefetch_related call when given."""
    qs = model.objects.order_by("id")
    for how, paths in related:
        qs = getattr(qs, how)(*paths)
    return list(qs)


def occupation_of(user):
    # a user without one raises Occupation.DoesNotExist (an AttributeError) after its query
    return getattr(user, "occupation", None)


def one_to_many(*r):
    return [list(u.addresses.all()) for u in each(User, *r)]


def many_to_one(*r):
    return [a.user.name for a in each(Address, *r)]


def one_to_one(*r):
    return [o.user.name for o in each(Occupation, *r)]


def one_to_one_reverse(*r):
    return [occupation_of(u) for u in each(User, *r)]


def many_to_many(*r):
    return [list(u.hobbies.all()) for u in each(User, *r)]


def many_to_many_reverse(*r):
    return [list(h.users.all()) for h in each(Hobby, *r)]


def nested(*r):
    return [occupation_of(a.user) for a in each(Address, *r)]


def one_object():
    # nplusone's one_to_one_first, many_to_many_get and many_to_many_impossible: one lazy load each
    Occupation.objects.first().user.name
    list(User.objects.get(pk=1).hobbies.all())
    user = User.objects.order_by("id").first()
    list(User.objects.all())
    list(user.hobbies.all())


def sel(*paths):
    return ("select_related", paths)


def pre(*paths):
    return ("prefetch_related", paths)


# id: (the loop, its control's select_related/prefetch_related)
CASES = {
    "d01": (one_to_many, pre("addresses")),
    "d02": (many_to_one, sel("user")),
    "d03": (many_to_one, pre("user")),
    "d04": (one_to_one, sel("user")),
    "d05": (one_to_one, pre("user")),
    "d06": (one_to_one_reverse, sel("occupation")),
    "d07": (many_to_many, pre("hobbies")),
    "d08": (many_to_many_reverse, pre("users")),
    "d09": (nested, sel("user__occupation")),
    "d10": (nested, pre("user__occupation")),
}


def run(sc):
    if sc["id"] == "d11":
        one_object()
        return
    loop, control = CASES[sc["id"]]
    if sc["role"] == "neg":
        loop(control)
    else:
        loop()


def run_case(pg, sc):
    log = OrmLog(sc["app"], sc["ormLog"])
    try:
        if sc["connection"] == "transaction":
            with transaction.atomic():  # rolled back at the end, as a django TestCase does
                run(sc)
                transaction.set_rollback(True)
        else:
            run(sc)
    finally:
        connections.close_all()
        log.close()


if __name__ == "__main__":
    run_peers(sys.argv[1], run_case)
