"""The benchmark's records: six users, nine products, eleven reviews of varied length."""

from __future__ import annotations

from typing import Any

Record = dict[str, Any]

_TEXT = (
    "Sturdy, quiet and exactly as described; it arrived early, the parts fitted without "
    "force and the finish has held up through months of daily use by a family of four. "
    "Customer service answered within the hour and replaced a scratched panel at no cost. "
)

USERS: list[Record] = [
    {"id": str(n), "name": name, "username": username, "birthday": 1234567890}
    for n, (name, username) in enumerate(
        [
            ("Ada Lovelace", "ada"),
            ("Alan Turing", "alan"),
            ("Grace Hopper", "grace"),
            ("Edsger Dijkstra", "edsger"),
            ("Barbara Liskov", "barbara"),
            ("Donald Knuth", "donald"),
        ],
        start=1,
    )
]

# (name, price, weight, in stock) by upc "1".."9"; price above 1000 ships free.
_PRODUCTS = [
    ("Table", 899, 100, True),
    ("Couch", 1299, 1000, False),
    ("Glass", 15, 20, False),
    ("Chair", 499, 100, False),
    ("TV", 1299, 1000, True),
    ("Lamp", 6999, 300, True),
    ("Grill", 3999, 2000, True),
    ("Fridge", 100000, 6000, False),
    ("Sofa", 9999, 800, True),
]
PRODUCTS: list[Record] = [
    {"upc": str(n), "name": name, "price": price, "weight": weight}
    for n, (name, price, weight, _) in enumerate(_PRODUCTS, start=1)
]
IN_STOCK: dict[str, bool] = {
    str(n): in_stock for n, (_, _, _, in_stock) in enumerate(_PRODUCTS, start=1)
}

# (product upc, body length) by review id "1".."11".
_REVIEWS = [
    ("1", 445), ("1", 300), ("1", 280), ("1", 145), ("2", 445), ("2", 300),
    ("2", 280), ("2", 145), ("3", 145), ("4", 145), ("4", 850),
]  # fmt: skip
REVIEWS: list[Record] = [
    {"id": str(n), "body": (_TEXT * 4)[:length], "product_upc": upc}
    for n, (upc, length) in enumerate(_REVIEWS, start=1)
]
AUTHOR_ID = "1"
"""Every review is written by user 1, and every user's reviews are reviews 1 and 2."""

USER_REVIEW_IDS = ("1", "2")


def shipping_estimate(price: int | None, weight: int | None) -> int | None:
    """Free above a price of 1000, else half the weight."""
    if price is None:
        return None
    if price > 1000:
        return 0
    return None if weight is None else weight // 2
