"""The registry's data model; see each module for its invariants."""

from agreements.models.arrangements import Arrangement, ArrangementParty, Source
from agreements.models.blocs import Bloc, BlocMembership
from agreements.models.claims import Claim
from agreements.models.corrections import CorrectionReport
from agreements.models.economies import Economy, EconomyMembership
from agreements.models.programmes import Programme, ProgrammeCount
from agreements.models.sources import LinkCheck, SourceDocument
from agreements.models.territories import Territory
from agreements.models.versioning import DataVersion

__all__ = [
    "Arrangement",
    "ArrangementParty",
    "Bloc",
    "BlocMembership",
    "Claim",
    "CorrectionReport",
    "DataVersion",
    "Economy",
    "EconomyMembership",
    "LinkCheck",
    "Programme",
    "ProgrammeCount",
    "Source",
    "SourceDocument",
    "Territory",
]
