"""Stored property names that are not a model field's own name: written by graph/ingest/rows.py,
read by the registry (graph/kinds) and compared by Cypher, so spelled once, here.

A property named as its model field is (`title`, `kind`, `country`) is spelled by that field.
"""

from __future__ import annotations

from typing import Final

# Organisation identifiers and coordinates.
REGISTRY_CODE: Final = "registryCode"
GEONAMES_ID: Final = "geonamesId"
# A place held on the element itself: an agreement's, event's or project's (rows.py `_place`).
PLACE_CITY: Final = "placeCity"
PLACE_COUNTRY: Final = "placeCountry"
PLACE_REGION: Final = "placeRegion"
# An agreement's validity.
VALID_FROM: Final = "validFrom"
VALID_TO: Final = "validTo"
# A data set's access.
ACCESS_RIGHTS: Final = "accessRights"
ACCESS_LEGAL_BASIS: Final = "accessLegalBasis"
ACCESS_CONDITIONS: Final = "accessConditions"
ACCESS_LIMITATIONS: Final = "accessLimitations"
ACCESS_CONTACT: Final = "accessContact"
# A project's money, and a participant's contribution (on the PARTICIPATES_IN relationship).
BUDGET_AMOUNT: Final = "budgetAmount"
BUDGET_CURRENCY: Final = "budgetCurrency"
CONTRIBUTION_AMOUNT: Final = "contributionAmount"
CONTRIBUTION_CURRENCY: Final = "contributionCurrency"
FUNDING_SCHEME: Final = "fundingScheme"
# A signature's organisation (on the SIGNED relationship): the id of an Organisation node.
ON_BEHALF_OF: Final = "onBehalfOf"
