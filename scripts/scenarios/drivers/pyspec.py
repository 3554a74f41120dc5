"""Shared by the Python drivers: pause rhythm, loop helper, and the scenario runner (threads for pools)."""
import json
import random
import threading
import time


class Ctx:
    def __init__(self, sc, rnd, n, counter):
        self.sc = sc
        self.k = sc["size"]
        self.n = n
        self.tag = f"{sc['app']}-r{n}"
        self._rnd = rnd
        self._counter = counter
        self.after_parent = lambda table: None

    def pause(self):
        if self.sc["rhythm"] == "slow":
            time.sleep(0.003)
        elif self.sc["rhythm"] == "jitter":
            time.sleep(self._rnd.random() * 0.010)

    def each(self, items, fn):
        for x in items:
            self._counter()
            fn(x)
            self.pause()


def memo():
    m = {}

    def get(key, load):
        if key not in m:
            m[key] = load()
        return m[key]

    return get


def run_spec(spec_path, open_session):
    """open_session(pg, sc) -> object with run(shape, role, ctx) and close()."""
    with open(spec_path) as f:
        spec = json.load(f)
    results = {}
    for sc in spec["scenarios"]:
        rnd = random.Random(sc["seed"] * 31 + (1 if sc["role"] == "neg" else 0))
        lock = threading.Lock()
        count = [0]

        def counter():
            with lock:
                count[0] += 1

        session = open_session(spec["pg"], sc)
        try:
            if sc["shape"] == "independent-requests":
                requests = sc["size"]
            elif sc["connection"] == "pool":
                requests = spec["pool"]["requests"]
            else:
                requests = 1
            concurrency = spec["pool"]["connections"] if sc["connection"] == "pool" else 1
            nxt = [0]

            def worker():
                while True:
                    with lock:
                        if nxt[0] >= requests:
                            return
                        n = nxt[0]
                        nxt[0] += 1
                    ctx = Ctx(sc, rnd, n, counter)
                    session.run(sc["shape"], sc["role"], ctx)
                    if sc["shape"] == "independent-requests":
                        ctx.pause()

            if concurrency == 1:
                worker()
            else:
                threads = [threading.Thread(target=worker) for _ in range(concurrency)]
                for t in threads:
                    t.start()
                for t in threads:
                    t.join()
        finally:
            session.close()
        results[sc["app"]] = {"iterations": count[0]}
        print(f"  {sc['app']} {sc['shape']} {sc['connection']} {sc['rhythm']} k={sc['size']}: {count[0]} iterations", flush=True)
    with open(spec["results"], "w") as f:
        json.dump(results, f, indent=2)
        f.write("\n")


def run_peers(spec_path, run_case):
    """The peers set's runner (scripts/scenarios/peers.mjs): run_case(pg, sc) runs one case's positive or
    negative once, on its own connection named sc["app"], logging into sc["ormLog"]."""
    with open(spec_path) as f:
        spec = json.load(f)
    results = {}
    for sc in spec["scenarios"]:
        run_case(spec["pg"], sc)
        results[sc["app"]] = {"iterations": 0 if sc["role"] == "neg" else sc["size"]}
        print(f"  {sc['app']} {sc['shape']} {sc['connection']}", flush=True)
    with open(spec["results"], "w") as f:
        json.dump(results, f, indent=2)
        f.write("\n")
