"""The built-in synthetic scenario: the governance structure of Xinqiao Street
(SCENARIO.md beside this package lists every assumption and planted problem).

>>> from loaders.xinqiao import XinqiaoScenario, load_scenario

Modules, in the order the scenario is made:

- :mod:`~loaders.xinqiao.scenario`: :class:`XinqiaoScenario` (batches, planted) and
  :func:`load_scenario`;
- :mod:`~loaders.xinqiao.build`: the fixed part, running the builders in draw order;
- :mod:`~loaders.xinqiao.emit`: what builders share, the random streams and calendar
  (``Draws``) and the records made so far (``Emitter``);
- builders: :mod:`~loaders.xinqiao.places` (street, communities, grids, buildings),
  :mod:`~loaders.xinqiao.economy`, :mod:`~loaders.xinqiao.party` (with
  ``party_plan``, ``party_members``, ``party_homes``, ``party_events``),
  :mod:`~loaders.xinqiao.staff`, :mod:`~loaders.xinqiao.forces` (cases);
- :mod:`~loaders.xinqiao.check` and :mod:`~loaders.xinqiao.rules`: the self-check by
  the definitions of docs/domain.md §5;
- :mod:`~loaders.xinqiao.residents`: the streamed residents;
- tables and helpers: :mod:`~loaders.xinqiao.data`, :mod:`~loaders.xinqiao.people`,
  :mod:`~loaders.xinqiao.geometry`.
"""

from loaders.xinqiao.scenario import (
    EARLIEST_AS_OF,
    LOADING_META,
    MAX_RESIDENTS,
    MIN_RESIDENTS,
    XinqiaoScenario,
    load_scenario,
)

__all__ = ["EARLIEST_AS_OF", "LOADING_META", "MAX_RESIDENTS", "MIN_RESIDENTS",
           "XinqiaoScenario", "load_scenario"]
