"""What generated code calls while it runs: the run's indexes, join tables and shared walks.

`codegen.py` writes the source; the names here (`BASE`) are the namespace of every module it
generates. Shared walks and tables are computed with the others of their group the first time
one is needed (`fusion.py`, imported only then).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, cast

from aimscheck.budget import BudgetSpent
from aimscheck.context import Context, Path_, get_path
from aimscheck.dsl.compiler import _PLAIN_ORDER, _member, field_step, follow, iterate
from aimscheck.dsl.shared import Member, Table, Walk, Walked
from aimscheck.functions import fn_age, fn_len
from aimscheck.values import MISSING, arith, equal, is_empty, order, truth

if TYPE_CHECKING:
    from aimscheck.dsl.compiler import Fn

_NONE: tuple[()] = ()


# What a join's table is when building it met an error or the end of the budget.
FAILED = object()


def _index(c: Context, cell: list[Any], collection: str, path: Path_, multi: bool) -> object:
    """The run's index, kept in the module's `cell` with the run it belongs to."""
    cell[0], cell[1] = c.index(collection, path, multi), c
    return cell[0]


def _memo(c: Context, member: Member) -> object:
    """`member`'s value in the run's memo; the first time, computed with the other pending
    members of its group (`fusion.py`). None: it is computed alone."""
    found = c.memo.get(member.key)
    if found is None:
        group = c.shared.take(member.group, c.memo)
        if len(group) > 1:
            from aimscheck.dsl.fusion import compute_together  # the group's code, written now

            compute_together(c, group)
            found = c.memo.get(member.key)
    return found


def _hoist(c: Context, cell: list[Any], member: Table, build: Fn, f: list[Any]) -> object:
    """The table of a hoisted join for this run: built once, and shared by every rule whose
    join reads the same (`member.key`); the first time, with the other tables of the same
    collection the run's rules need (`fusion.py`). Building it is not charged to the budget:
    it is work the rule would otherwise do record by record. When a record's condition raises
    an error or the budget runs out, the table is FAILED and the loop walks the records as
    written, meeting the same error or spending the same steps as without a table."""
    table = _memo(c, member)
    if table is None:
        left = c.budget.left
        try:
            table = build(c, f)
        except BudgetSpent:
            table = FAILED  # this rule's budget: the next rule may build it
        except Exception:  # the walk meets it again, where the rule reads it
            table = c.memo[member.key] = FAILED
        else:
            c.memo[member.key] = table
        finally:
            c.budget.left = left
    cell[0], cell[1] = table, c
    return table


def _walk(c: Context, f: list[Any], member: Walk) -> object:
    """The value of a closed `filter` or `count`, computed once per run: the first time, in
    one walk with the others of its group (`fusion.py`), else alone. Each evaluation is
    charged the steps that computing it took, so budgets run out where they would."""
    got = cast("Walked | None", _memo(c, member))
    if got is None or (got.short and isinstance(got.error, BudgetSpent)):
        left = c.budget.left  # not computed, or stopped short of what this rule may spend
        value = _alone(c, member)(c, f)
        c.memo[member.key] = Walked(value, left - c.budget.left, None, False)
        return value
    c.spend(got.spent)
    if got.error is not None:
        raise got.error
    return got.value


def _alone(c: Context, member: Walk) -> Fn:
    """A function computing `member` by itself, written the first time it is needed (most
    members are computed with their group)."""
    found = c.shared.alone.get(member)
    if found is not None:
        return found
    from aimscheck.dsl.codegen import _Module  # the writer, which names this module's BASE

    module = _Module(member.rule, share=True)
    walk = module.walk
    name = module.extra("A", lambda: [*walk(member.e, member.plan, {}, {}, "r"), "return r"])
    source = "".join(module.builds)
    try:
        code = compile(source, f"<aimscheck rule {member.rule.info.id}>", "exec")
    except (SyntaxError, RecursionError, MemoryError):  # too deep for Python: the closure
        found = member.rule.trace[id(member.e)][0]
    else:
        scope = dict(module.names)
        exec(code, scope)  # our own source, written from the rule's checked AST
        found = cast("Fn", scope[name])
        for inner in module.members:  # the tables and walks it reads: computed together
            c.shared.add(inner)
    c.shared.alone[member] = found
    return found


# Names every generated module can read.
BASE: dict[str, object] = {
    "M": MISSING,
    "NONE": _NONE,
    "PLAIN": _PLAIN_ORDER,
    "DATE": dt.date,
    "ORD": order,
    "EQ": equal,
    "MEM": _member,
    "ARITH": arith,
    "EMPTY": is_empty,
    "TRUTH": truth,
    "FIELD": field_step,
    "ITER": iterate,
    "AGE": fn_age,
    "LEN": fn_len,
    "SET": list.__setitem__,
    "DEREF": follow,
    "INDEX": _index,
    "GETPATH": get_path,
    "HOIST": _hoist,
    "WALK": _walk,
    "FAILED": FAILED,
}
