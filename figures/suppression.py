"""Small-cell suppression: the published variant of the figures (partners, exports "for
publication") must not let anyone work out a count of fewer than `threshold` people.

1. Primary: every COUNT cell from 1 to threshold-1. Zero is published: it reveals nobody,
   and since a zero is never hidden, a reader knows that every hidden count is at least 1
   (the audit below grants the reader that knowledge).
2. Followers: every FRACTION or NUMBER cell made of a hidden count (`Table.made_of`): a
   reach ratio times the published number detained would give the count back.
3. Complementary: more cells, so that no hidden cell can be worked out from what is
   published through the declared sums (`Figures.sums`, within a table and across tables).
   A complement is a published non-zero cell (a hidden zero would give the value back),
   an inner cell rather than a total, as small as possible.

Exact, not a heuristic: a cheap first pass gives every sum with one hidden cell a second
one, then `exposed()` audits the whole system and more cells are hidden until nothing is
exposed. A hidden cell is exposed when its value is the same in every solution of

    the declared sums, with the published values put in,   A x = b
    every hidden count >= 1, every other hidden cell >= 0,  x >= l

The set of solutions is a polyhedron P; a coordinate is constant on P iff it is constant
on P's affine hull, and the affine hull is {A x = b, x_j = l_j for the implicit equalities
j} (the bounds that hold with equality at every point of P, e.g. two hidden counts that
sum to 2). So: one exact linear programme per connected group of hidden cells finds the
implicit equalities (`_pinned`), then exact Gaussian elimination over the rationals tells
which unit vectors lie in the row space of [A; the implicit equalities] (`_echelon`):
those cells are exposed. Everything is computed with fractions.Fraction, no rounding.

The reasoning is over the rationals: a reader who also uses that counts are integers could
in principle narrow an interval to one integer where the rational interval is wider. The
sums of a table with its margins form a network matrix, whose polyhedra have integral
vertices, so the two agree there; tests/figures/test_suppression.py also runs an integer
adversary (scipy's MILP) on every case.
"""

from collections import defaultdict
from fractions import Fraction

from django.conf import settings

from figures.tables import COUNT, Cell, Figures

# How many candidates are tried, cheapest first, for the one complement that protects an
# exposed cell, before taking the cheapest and auditing again.
CANDIDATES_TRIED = 12


def suppress(figures: Figures, threshold: int | None = None) -> Figures:
    """Hide, in place, every cell from 1 to threshold-1 and enough others that none of them
    can be worked out; return `figures`. A hidden cell's value becomes None and its address
    goes into `Table.suppressed`."""
    if threshold is None:
        threshold = settings.MOVE_FIGURES_SUPPRESSION_THRESHOLD
    system = _System(figures)
    system.check_sums()
    hidden = {cell for cell in system.order if system.hidden_before(cell)}
    for cell in system.order:
        value = system.value[cell]
        if system.kind[cell] == COUNT and _numeric(value) and 1 <= value < threshold:
            system.hide(cell, hidden)
    for cell in list(hidden):
        system.hide(cell, hidden)  # their followers
    system.complete(hidden)
    for table in figures.tables:
        for row, column in [(cell[1], cell[2]) for cell in hidden if cell[0] == table.key]:
            table.cells[(row, column)] = None
            table.suppressed.add((row, column))
    figures.threshold = threshold
    return figures


def audit(figures: Figures) -> list[Cell]:
    """The suppressed cells that a reader could still work out from the published values and
    the declared sums (with every hidden count at least 1), in the tables' order; [] when
    the figures are safe. Reads only what is published."""
    system = _System(figures)
    hidden = {cell for cell in system.order if system.hidden_before(cell)}
    return sorted(system.exposed(hidden), key=system.order.__getitem__)


def _numeric(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _exact(value) -> Fraction:
    """A published value as a fraction; None (not applicable) counts as nothing."""
    return Fraction(0) if value is None else Fraction(value)


class _System:
    """The cells of every table and the sums between them, as the suppression sees them."""

    def __init__(self, figures: Figures):
        self.order: dict[Cell, int] = {}  # the tables' order: which exposed cell comes first
        self.kind: dict[Cell, str] = {}
        self.value: dict[Cell, int | float | None] = {}  # true values, None where unknown
        self.suppressed: set[Cell] = set()  # hidden before this run
        self.followers: dict[Cell, list[Cell]] = defaultdict(list)
        self.totals: set[Cell] = set()
        for table in figures.tables:
            self._add_table(table)
        self.known: dict[frozenset[Cell], set[Cell]] = {}  # each group's exposed cells
        self.equations: list[dict[Cell, int]] = []
        self.equations_of: dict[Cell, list[int]] = defaultdict(list)
        for total, parts in figures.sums:
            self._add_sum(tuple(total), [tuple(part) for part in parts])

    def _add_table(self, table) -> None:
        for row, _label in table.rows:
            for column, _label, kind in table.columns:
                cell = (table.key, row, column)
                self.order[cell] = len(self.order)
                self.kind[cell] = kind
                self.value[cell] = table.cells.get((row, column))
                if (row, column) in table.suppressed:
                    self.suppressed.add(cell)
                    self.value[cell] = None
                if row == table.total_row or column == table.total_column:
                    self.totals.add(cell)
        for (row, column), sources in table.made_of.items():
            if sources and isinstance(sources[0], str):
                sources = [sources]
            for source in sources:
                self.followers[tuple(source)].append((table.key, row, column))

    def _add_sum(self, total: Cell, parts: list[Cell]) -> None:
        coefficients = defaultdict(int)
        coefficients[total] += 1
        for part in parts:
            coefficients[part] -= 1
        equation = {cell: a for cell, a in coefficients.items() if a}
        unknown = [cell for cell in equation if cell not in self.order]
        if unknown:
            raise ValueError(f"A sum names cells that no table has: {unknown}")
        index = len(self.equations)
        self.equations.append(equation)
        for cell in equation:
            self.equations_of[cell].append(index)
        self.totals.add(total)

    def hidden_before(self, cell: Cell) -> bool:
        return cell in self.suppressed

    def check_sums(self) -> None:
        """A declared sum that the values break is a bug in what declared it (a count of
        distinct people is not a sum over quarters): say so rather than reason on it."""
        for equation in self.equations:
            if any(cell in self.suppressed for cell in equation):
                continue
            balance = sum(a * _exact(self.value[cell]) for cell, a in equation.items())
            if abs(balance) > Fraction(1, 10**6):
                raise ValueError(f"A declared sum does not hold: {sorted(equation)}")

    def hide(self, cell: Cell, hidden: set[Cell]) -> None:
        """Hide `cell` and every fraction or number made of it."""
        hidden.add(cell)
        for follower in self.followers.get(cell, ()):
            if follower not in hidden and self.kind[follower] != COUNT:
                self.hide(follower, hidden)

    # --- Complementary suppression ---------------------------------------------------

    def complete(self, hidden: set[Cell]) -> None:
        """Hide complements until no hidden cell is exposed."""
        unprotectable: set[Cell] = set()
        while True:
            self._second_in_every_sum(hidden)
            exposed = self.exposed(hidden) - unprotectable
            if not exposed:
                return
            cell = min(exposed, key=self.order.__getitem__)
            complement = self._complement_for(cell, hidden)
            if complement is None:
                # Every cell around it is hidden or zero. Not a count then: the true
                # values, scaled, would move every hidden count. A zero fraction or number
                # pinned at 0 tells nothing, and nothing more can be hidden.
                unprotectable.add(cell)
            else:
                self.hide(complement, hidden)

    def _second_in_every_sum(self, hidden: set[Cell]) -> None:
        """A sum with exactly one hidden cell gives it away: hide a second one. Cheap, and
        it does most of the work; the audit does the rest."""
        changed = True
        while changed:
            changed = False
            for index, equation in enumerate(self.equations):
                if sum(cell in hidden for cell in equation) != 1:
                    continue
                candidates = self._candidates([index], hidden)
                if candidates:
                    self.hide(candidates[0], hidden)
                    changed = True

    def _candidates(self, indexes, hidden: set[Cell]) -> list[Cell]:
        """The published non-zero cells of these sums, best complement first: a count, an
        inner cell before a total, one that also gives a second hidden cell to another sum
        that has only one (it closes a rectangle), then the smallest."""
        cells = {
            cell
            for index in indexes
            for cell in self.equations[index]
            if cell not in hidden and _numeric(self.value[cell]) and self.value[cell] != 0
        }

        def alone_elsewhere(cell):
            return any(
                index not in indexes and sum(c in hidden for c in self.equations[index]) == 1
                for index in self.equations_of[cell]
            )

        def cost(cell):
            return (
                self.kind[cell] != COUNT,
                cell in self.totals,
                not alone_elsewhere(cell),
                abs(self.value[cell]),
                self.order[cell],
            )

        return sorted(cells, key=cost)

    def _complement_for(self, cell: Cell, hidden: set[Cell]) -> Cell | None:
        """Of the cheapest candidates, the one that protects `cell` with the least loss
        once every sum it enters has its second hidden cell; else the one that loses least
        (the next audit shows what is still missing)."""
        candidates = self._candidates(self.equations_of[cell], hidden)
        if not candidates:
            group = self._groups(hidden, around=cell)[0]
            indexes = sorted({i for member in group for i in self.equations_of[member]})
            candidates = self._candidates(indexes, hidden)
        best = None
        for candidate in candidates[:CANDIDATES_TRIED]:
            trial = set(hidden)
            self.hide(candidate, trial)
            self._second_in_every_sum(trial)
            added = trial - hidden
            loss = (
                cell in self.exposed(trial, around=cell),
                sum(other in self.totals for other in added),
                sum(abs(_exact(self.value[other])) for other in added),
                self.order[candidate],
            )
            if best is None or loss < best[0]:
                best = (loss, candidate)
        return None if best is None else best[1]

    # --- The audit -------------------------------------------------------------------

    def exposed(self, hidden: set[Cell], around: Cell | None = None) -> set[Cell]:
        """The hidden cells whose value is the same in every solution (see the module's
        docstring); only in the group of `around` when given."""
        exposed = set()
        for group in self._groups(hidden, around):
            exposed |= self._exposed_in(group, hidden)
        return exposed

    def _groups(self, hidden: set[Cell], around: Cell | None = None) -> list[list[Cell]]:
        """The hidden cells that share sums, transitively (each group is solved alone)."""
        parent = {}

        def root(cell):
            while parent[cell] != cell:
                parent[cell] = parent[parent[cell]]
                cell = parent[cell]
            return cell

        for equation in self.equations:
            inside = [cell for cell in equation if cell in hidden]
            for cell in inside:
                parent.setdefault(cell, cell)
            for cell in inside[1:]:
                parent[root(cell)] = root(inside[0])
        if around is not None and around not in parent:
            return [[around]] if around in hidden else []
        groups = defaultdict(list)
        for cell in sorted(parent, key=self.order.__getitem__):
            groups[root(cell)].append(cell)
        if around is not None:
            return [groups[root(around)]]
        return list(groups.values())

    def _exposed_in(self, group: list[Cell], hidden: set[Cell]) -> set[Cell]:
        key = frozenset(group)  # the group decides: its sums, and the published rest of them
        if key not in self.known:
            self.known[key] = self._solve(group, hidden)
        return self.known[key]

    def _solve(self, group: list[Cell], hidden: set[Cell]) -> set[Cell]:
        index = {cell: i for i, cell in enumerate(group)}
        rows = []
        for number in sorted({i for cell in group for i in self.equations_of[cell]}):
            equation = self.equations[number]
            coefficients = {index[c]: Fraction(a) for c, a in equation.items() if c in hidden}
            rhs = -sum(a * _exact(self.value[c]) for c, a in equation.items() if c not in hidden)
            rows.append((coefficients, rhs))
        if not rows:
            return set()
        lower = [Fraction(1 if self.kind[cell] == COUNT else 0) for cell in group]
        values = [self.value[cell] for cell in group]
        if any(value is None for value in values):  # a reader's view: solve from scratch
            pinned = _pinned(rows, lower)
            if pinned is None:  # the published values contradict the sums: assume the worst
                return set(group)
        else:  # the true values are a solution: look around it
            on_bound = {j for j, value in enumerate(values) if value <= lower[j]}
            pinned = _pinned_around(rows, on_bound)
        equalities = [coefficients for coefficients, _rhs in rows]
        equalities += [{j: Fraction(1)} for j in sorted(pinned)]
        return {group[j] for j, row in _echelon(equalities).items() if len(row) == 1}


def _echelon(rows: list[dict[int, Fraction]]) -> dict[int, dict[int, Fraction]]:
    """The reduced row echelon form of `rows`, exact, as {pivot column: its row}; columns
    are eliminated in increasing order. A unit vector e_j lies in the row space iff j is a
    pivot whose row has no other entry: then the equations fix unknown j."""
    pivots: dict[int, dict[int, Fraction]] = {}
    for row in rows:
        row = {j: a for j, a in row.items() if a}
        for column, pivot_row in pivots.items():
            factor = row.get(column)
            if factor:
                _subtract(row, pivot_row, factor)
        if not row:
            continue
        column = min(row)
        scale = row[column]
        row = {j: a / scale for j, a in row.items()}
        for pivot_row in pivots.values():
            factor = pivot_row.get(column)
            if factor:
                _subtract(pivot_row, row, factor)
        pivots[column] = row
    return pivots


def _subtract(row: dict, other: dict, factor: Fraction) -> None:
    """row -= factor * other, keeping the rows sparse."""
    for j, a in other.items():
        value = row.get(j, 0) - factor * a
        if value:
            row[j] = value
        else:
            row.pop(j, None)


def _pinned(rows: list[tuple[dict[int, Fraction], Fraction]], lower: list[Fraction]):
    """The implicit equalities of {A x = b, x >= lower}: the unknowns equal to their lower
    bound in every solution. None if there is no solution.

    One linear programme (Goldman and Tucker's homogenisation): with y = x - lam * lower,
    lam = 1 + w,
        maximise sum(t)  subject to  A y = lam * (b - A lower),  t_j <= y_j,  0 <= t_j <= 1,
    y, w >= 0. Its solutions are the cone over P's points, so a y_j that can be positive can
    be made >= 1: at the optimum t_j = 1 exactly for the unknowns that can leave their
    bound, and 0 for the pinned ones."""
    k = len(lower)
    w = k  # columns: y_j = j, w, t_j = k+1+j, s_j = 2k+1+j, u_j = 3k+1+j

    def t(j):
        return k + 1 + j

    constraints = []
    for coefficients, rhs in rows:
        shifted = rhs - sum(a * lower[j] for j, a in coefficients.items())
        row = dict(coefficients)
        if shifted:
            row[w] = -shifted
        constraints.append((row, shifted))
    for j in range(k):
        constraints.append(({j: Fraction(-1), t(j): Fraction(1), 2 * k + 1 + j: Fraction(1)}, 0))
        constraints.append(({t(j): Fraction(1), 3 * k + 1 + j: Fraction(1)}, 1))
    solution = _maximise({t(j): Fraction(1) for j in range(k)}, constraints)
    if solution is None:
        return None
    return {j for j in range(k) if not solution.get(t(j))}


def _pinned_around(rows, on_bound: set[int]) -> set[int]:
    """The implicit equalities, knowing a solution x* (the true values) and which unknowns
    sit on their bound there: the same as those of the cone of directions that stay
    feasible, {A d = 0, d_j >= 0 for j on its bound}. The other unknowns are free in it:
    eliminated first, they leave B d_Z = 0, d_Z >= 0 over the unknowns on their bound
    alone, a much smaller programme (none at all when no unknown sits on its bound)."""
    if not on_bound:
        return set()
    free = sorted(set().union(*(coefficients.keys() for coefficients, _rhs in rows)) - on_bound)
    bound = sorted(on_bound)
    column = {j: i for i, j in enumerate(free + bound)}  # the free ones first
    echelon = _echelon([{column[j]: a for j, a in c.items()} for c, _rhs in rows])
    cone = [
        ({column_of - len(free): a for column_of, a in row.items()}, 0)
        for pivot, row in echelon.items()
        if pivot >= len(free)
    ]
    if not cone:
        return set()
    pinned = _pinned(cone, [Fraction(0)] * len(bound))
    return {bound[i] for i in pinned}


def _maximise(objective: dict[int, Fraction], constraints) -> dict[int, Fraction] | None:
    """max objective . x subject to `constraints` [(coefficients, rhs)] as equalities and
    x >= 0: the primal simplex, two phases, exact, Bland's rule (no cycling). Returns x at an
    optimum (only the non-zero values), or None when there is no solution. The callers'
    programmes are bounded."""
    rows, rhs, basis, artificial = _starting_basis(constraints)
    if artificial:
        _pivot_to_optimum(rows, rhs, basis, {a: Fraction(-1) for a in artificial})
        if any(rhs[i] for i, column in enumerate(basis) if column in artificial):
            return None
        _drive_out(rows, rhs, basis, artificial)
    _pivot_to_optimum(rows, rhs, basis, objective)
    return {column: rhs[i] for i, column in enumerate(basis) if rhs[i]}


def _starting_basis(constraints):
    """Rows with a non-negative right-hand side, each with a basic column: one of its own
    (coefficient 1, in no other row) where it has one, else an artificial one."""
    rows_with = defaultdict(int)
    for coefficients, _rhs in constraints:
        for column in coefficients:
            rows_with[column] += 1
    next_column = max(rows_with, default=-1) + 1
    rows, rhs, basis, artificial = [], [], [], set()
    for coefficients, b in constraints:
        row = {j: Fraction(a) for j, a in coefficients.items() if a}
        b = Fraction(b)
        if b < 0:
            row, b = {j: -a for j, a in row.items()}, -b
        own = [j for j, a in sorted(row.items()) if a == 1 and rows_with[j] == 1]
        if own:
            column = own[0]
        else:
            column = next_column
            next_column += 1
            row[column] = Fraction(1)
            artificial.add(column)
        rows.append(row)
        rhs.append(b)
        basis.append(column)
    return rows, rhs, basis, artificial


def _pivot_to_optimum(rows, rhs, basis, objective) -> None:
    reduced = dict(objective)
    for i, column in enumerate(basis):
        cost = objective.get(column)
        if cost:
            _subtract(reduced, rows[i], cost)
    while True:
        entering = min((j for j, d in reduced.items() if d > 0), default=None)
        if entering is None:
            return
        ratios = [
            (rhs[i] / row[entering], basis[i], i)
            for i, row in enumerate(rows)
            if row.get(entering, 0) > 0
        ]
        if not ratios:
            raise ValueError("Unbounded linear programme")
        leaving = min(ratios)[2]  # Bland: the smallest ratio, then the smallest column
        _pivot(rows, rhs, basis, leaving, entering)
        _subtract(reduced, rows[leaving], reduced[entering])


def _pivot(rows, rhs, basis, r, column) -> None:
    scale = rows[r][column]
    rows[r] = {j: a / scale for j, a in rows[r].items()}
    rhs[r] /= scale
    for i, row in enumerate(rows):
        factor = row.get(column) if i != r else None
        if factor:
            _subtract(row, rows[r], factor)
            rhs[i] -= factor * rhs[r]
    basis[r] = column


def _drive_out(rows, rhs, basis, artificial) -> None:
    """After phase one, artificial columns still basic (at zero) leave the basis, or their
    row goes when it repeats the others; then the artificial columns go."""
    for i in reversed(range(len(rows))):
        if basis[i] not in artificial:
            continue
        column = min((j for j in rows[i] if j not in artificial), default=None)
        if column is None:
            del rows[i], rhs[i], basis[i]
        else:
            _pivot(rows, rhs, basis, i, column)  # degenerate: the value stays zero
    for row in rows:
        for column in artificial & row.keys():
            del row[column]
