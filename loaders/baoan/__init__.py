"""The district scenario: Bao'an District's streets under the district committee
(``govgraph load scenario baoan``). Xinqiao is the street scenario itself
(:mod:`loaders.xinqiao`); the other streets are synthetic copies of its structure
under their own names and sizes (:mod:`loaders.baoan.relabel`), sized by the figures
in :mod:`loaders.baoan.data`.

>>> from loaders.baoan import BaoanScenario, load_district
"""

from loaders.baoan.data import DISTRICT, STREETS
from loaders.baoan.scenario import BaoanScenario, load_district, street_seed

__all__ = ["DISTRICT", "STREETS", "BaoanScenario", "load_district", "street_seed"]
