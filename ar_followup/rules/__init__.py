# This file is part of ar_followup.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Pure business rules of the receivables follow-up.

Nothing in this package touches the database or imports Tryton: the models
fetch data set-wise, call these functions and write the results back.
"""


class RuleError(ValueError):
    """A rule refused its input.

    ``code`` names the case (each subclass documents its codes) and the
    offending values are given as keyword arguments, kept in ``values`` and
    as attributes, so that the models can raise a translated message."""

    def __init__(self, code, **values):
        super().__init__(code, values)
        self.code = code
        self.values = values
        for name, value in values.items():
            setattr(self, name, value)

    def __str__(self):
        details = ', '.join(
            f'{name}={value!r}' for name, value in sorted(self.values.items()))
        return f'{self.code}: {details}'
