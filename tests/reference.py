"""Independent reference answers the tests hold core against: brute force, no formulas."""


def smallest_k_by_multiplying(delta, tau) -> int:
    """Fewest factors delta whose product is at or below tau, by repeated multiplication."""
    product, k = 1, 0
    while product > tau:
        product *= delta
        k += 1
    return k


def first_n_above(kernel: int, factor, limit: int = 100_000) -> int | None:
    """Smallest whole N whose reduction 1 / (1/N + 1/D_K^2) exceeds factor, by trying every N."""
    return next((n for n in range(1, limit) if 1 / (1 / n + 1 / kernel**2) > factor), None)
