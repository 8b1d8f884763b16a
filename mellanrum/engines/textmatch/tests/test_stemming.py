"""Stemmers shared between request threads must not corrupt each other's words."""

from __future__ import annotations

import threading

from mellanrum.engines.textmatch.stemming import stemmer

WORDS = ["bostadsanpassningsbidrag", "hemtjänsten", "förskoleplatser", "ansökningar"] * 500


def test_each_thread_gets_its_own_stemmer_and_the_same_stems() -> None:
    expected = [stemmer("sv").stemWord(w) for w in WORDS]
    results: dict[int, list[str]] = {}
    seen: dict[int, object] = {}
    errors: list[BaseException] = []

    def work(number: int) -> None:
        try:
            seen[number] = stemmer("sv")
            results[number] = [stemmer("sv").stemWord(w) for w in WORDS]
        except BaseException as exc:  # an IndexError here was the bug
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert all(results[n] == expected for n in range(8))
    assert len({id(s) for s in seen.values()}) == 8
    assert stemmer("sv") is stemmer("sv")
    assert stemmer("en").stemWord("services") == "servic"
