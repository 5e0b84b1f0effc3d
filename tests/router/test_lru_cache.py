"""The bounded cache the router keeps documents, operations, analyses and buckets in."""

from __future__ import annotations

from renku_fed.router.lru_cache import LruCache


def test_the_least_recently_read_entry_is_forgotten() -> None:
    cache: LruCache[str, int] = LruCache(2)
    cache.put("a", 1)
    cache.put("b", 2)
    assert cache.get("a") == 1

    cache.put("c", 3)

    assert (cache.get("a"), cache.get("b"), cache.get("c")) == (1, None, 3)


def test_storing_again_counts_as_a_use() -> None:
    cache: LruCache[str, int] = LruCache(2)
    cache.put("a", 1)
    cache.put("b", 2)
    cache.put("a", 10)

    cache.put("c", 3)

    assert (cache.get("a"), cache.get("b"), cache.get("c")) == (10, None, 3)
