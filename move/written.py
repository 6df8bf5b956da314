"""A condition written out as SQL around columns of the query's own model.

Built with the ORM at every request, a few conditions of the lists (the words searched in
a language, a code among space-separated codes) cost more than the rest of the query.
Written out as RawSQL with the table's name, they broke once the query became a subquery
(Django then names the table U0: "invalid reference to FROM-clause entry"). Here the
columns are F() expressions that Django resolves and renames as it does any other, and
only the SQL around them is written."""

import re

from django.db.models import BooleanField, F
from django.db.models.expressions import Expression


class Condition(Expression):
    """`template` with {0}, {1}… for the columns `fields` (field names of the query's
    model, or expressions) and %s for `params`, in order. True or false per row."""

    conditional = True

    def __init__(self, template: str, params, *fields):
        super().__init__(output_field=BooleanField())
        self.template, self.params = template, tuple(params)
        if template.count("%s") != len(self.params):
            raise ValueError(f"{template!r} has not one %s for each of {len(self.params)} params")
        self.sources = [F(field) if isinstance(field, str) else field for field in fields]

    def get_source_expressions(self):
        return self.sources

    def set_source_expressions(self, exprs):
        self.sources = list(exprs)

    def as_sql(self, compiler, connection):
        compiled = [compiler.compile(source) for source in self.sources]
        # The parameters in the order their placeholders stand in the SQL: a column's own
        # (an expression may have some) where the column stands, the template's at each %s.
        params, given = [], iter(self.params)
        for column, _ in _PLACEHOLDER.findall(self.template):
            params.extend(compiled[int(column)][1] if column else [next(given)])
        return self.template.format(*(sql for sql, _ in compiled)), tuple(params)


_PLACEHOLDER = re.compile(r"\{(\d+)\}|(%s)")
