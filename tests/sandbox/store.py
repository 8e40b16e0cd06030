"""The object store: etcd plus the watch cache, in memory, single-threaded (asyncio loop).

resourceVersion is one global counter, as in etcd. Every change is kept in a bounded event
log so a watch started at resourceVersion N replays what happened after N; older versions
get the real 410 "too old resource version".
"""

from __future__ import annotations

import asyncio
import copy
import datetime as dt
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from tests.sandbox.resources import ResourceType
from tests.sandbox.status import already_exists, conflict, gone, not_found

Key = tuple[str, str, str, str]  # (group, plural, namespace, name)


def now_iso() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class Event:
    type: str  # ADDED | MODIFIED | DELETED
    rt: ResourceType
    obj: dict
    old: dict | None
    rv: int


@dataclass
class Watcher:
    rt: ResourceType
    namespace: str | None
    queue: asyncio.Queue = field(default_factory=asyncio.Queue)


class Store:
    """Holds every object; notifies watchers and in-process listeners of each change."""

    def __init__(self, *, log_size: int = 5000) -> None:
        self._objs: dict[Key, dict] = {}
        self._rv = 1
        self._log: deque[Event] = deque(maxlen=log_size)
        self._watchers: list[Watcher] = []
        self._listeners: list[Callable[[Event], None]] = []

    @property
    def resource_version(self) -> str:
        return str(self._rv)

    @staticmethod
    def key(rt: ResourceType, namespace: str | None, name: str) -> Key:
        return (rt.group, rt.plural, namespace or "" if rt.namespaced else "", name)

    def listen(self, fn: Callable[[Event], None]) -> None:
        self._listeners.append(fn)

    def _emit(self, ev: Event) -> None:
        self._log.append(ev)
        for w in self._watchers:
            if w.rt == ev.rt and (w.namespace is None or
                                  w.namespace == ev.obj["metadata"].get("namespace")):
                w.queue.put_nowait(ev)
        for fn in list(self._listeners):
            fn(ev)

    def get(self, rt: ResourceType, namespace: str | None, name: str) -> dict:
        obj = self._objs.get(self.key(rt, namespace, name))
        if obj is None:
            raise not_found(res=rt.res, name=name)
        return copy.deepcopy(obj)

    def peek(self, rt: ResourceType, namespace: str | None, name: str) -> dict | None:
        """Like get, but no copy and None when absent: for in-process readers that don't mutate."""
        return self._objs.get(self.key(rt, namespace, name))

    def list(self, rt: ResourceType, namespace: str | None = None) -> list[dict]:
        return [copy.deepcopy(o) for k, o in sorted(self._objs.items())
                if k[0] == rt.group and k[1] == rt.plural
                and (namespace is None or k[2] == namespace)]

    def create(self, rt: ResourceType, obj: dict) -> dict:
        md = obj.setdefault("metadata", {})
        k = self.key(rt, md.get("namespace"), md["name"])
        if k in self._objs:
            raise already_exists(res=rt.res, name=md["name"])
        self._rv += 1
        md["resourceVersion"] = str(self._rv)
        md.setdefault("uid", str(uuid.uuid4()))
        md.setdefault("creationTimestamp", now_iso())
        obj["apiVersion"], obj["kind"] = rt.api_version, rt.kind
        self._objs[k] = copy.deepcopy(obj)
        self._emit(Event("ADDED", rt, copy.deepcopy(obj), None, self._rv))
        return obj

    def update(self, rt: ResourceType, obj: dict, *, expect_rv: str | None = None) -> dict:
        md = obj["metadata"]
        k = self.key(rt, md.get("namespace"), md["name"])
        old = self._objs.get(k)
        if old is None:
            raise not_found(res=rt.res, name=md["name"])
        if expect_rv and expect_rv != old["metadata"]["resourceVersion"]:
            raise conflict(res=rt.res, name=md["name"],
                           why="the object has been modified; please apply your changes to "
                               "the latest version and try again")
        md["uid"] = old["metadata"]["uid"]
        md["creationTimestamp"] = old["metadata"]["creationTimestamp"]
        obj["apiVersion"], obj["kind"] = rt.api_version, rt.kind
        cmp_old = {**old, "metadata": {**old["metadata"], "resourceVersion": None}}
        cmp_new = {**obj, "metadata": {**md, "resourceVersion": None}}
        if cmp_old == cmp_new:  # no-op writes keep the resourceVersion, like the real server
            md["resourceVersion"] = old["metadata"]["resourceVersion"]
            return copy.deepcopy(old)
        self._rv += 1
        md["resourceVersion"] = str(self._rv)
        self._objs[k] = copy.deepcopy(obj)
        self._emit(Event("MODIFIED", rt, copy.deepcopy(obj), copy.deepcopy(old), self._rv))
        return obj

    def delete(self, rt: ResourceType, namespace: str | None, name: str) -> dict:
        k = self.key(rt, namespace, name)
        old = self._objs.pop(k, None)
        if old is None:
            raise not_found(res=rt.res, name=name)
        self._rv += 1
        obj = copy.deepcopy(old)
        obj["metadata"]["resourceVersion"] = str(self._rv)
        self._emit(Event("DELETED", rt, copy.deepcopy(obj), old, self._rv))
        return obj

    def watch(self, rt: ResourceType, namespace: str | None, since: int | None) -> Watcher:
        """Register a watcher; with `since`, first queue the logged events newer than it."""
        w = Watcher(rt, namespace)
        if since is not None:
            oldest = self._log[0].rv if self._log else self._rv + 1
            if since < oldest - 1 and since < self._rv:
                raise gone(f"too old resource version: {since} ({oldest - 1})")
            for ev in self._log:
                if ev.rv > since and ev.rt == rt and (
                        namespace is None or ev.obj["metadata"].get("namespace") == namespace):
                    w.queue.put_nowait(ev)
        self._watchers.append(w)
        return w

    def unwatch(self, w: Watcher) -> None:
        if w in self._watchers:
            self._watchers.remove(w)
