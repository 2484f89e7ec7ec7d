"""Package and print-batch numbers (SHIP-1) come from the company's sequence: two approvals or two print runs at the
same moment never get the same number, even before either has saved its rows."""

from zhanggui.fulfilment.services import printing
from zhanggui.fulfilment.services.packages import package_numbers


def test_SHIP_1_two_approvals_at_once_get_different_package_numbers(db):
    first = package_numbers(3)
    second = package_numbers(2)  # nothing saved in between: the second approval must not reuse the range
    assert len(set(first + second)) == 5
    assert [int(n[7:]) for n in first + second] == [1, 2, 3, 4, 5]


def test_SHIP_1_two_print_runs_at_once_get_different_batch_numbers(db):
    assert printing.next_batch_no() != printing.next_batch_no()
