"""The AST's equality: what rules may share (walks, tables, subjects) when their nodes are equal."""

from __future__ import annotations

import pytest

from aimscheck.dsl import nodes as n
from aimscheck.source import Span


def test_equal_literals_are_equal_wherever_they_are_written() -> None:
    a, b = n.Literal(3, span=Span(1, 2, 3, 4)), n.Literal(3, span=Span(5, 6, 7, 8))
    assert a == b
    assert hash(a) == hash(b)


@pytest.mark.parametrize(("one", "other"), [(True, 1), (False, 0), (1, 1.0), ("1", 1)])
def test_literals_of_other_types_are_other_nodes(one: object, other: object) -> None:
    a, b = n.Literal(one), n.Literal(other)
    assert a != b
    compare = n.Binary("==", n.Name("x"), a)
    assert compare != n.Binary("==", n.Name("x"), b)
    assert len({compare, n.Binary("==", n.Name("x"), b)}) == 2
