"""Swedish and English text analysis for matching names of public services.

Plain Python (no Django).  The main entry point is :class:`Analyser`.
"""

from mellanrum.engines.textmatch.analyse import analyse
from mellanrum.engines.textmatch.analyser import Analyser
from mellanrum.engines.textmatch.analysis import Analysis
from mellanrum.engines.textmatch.compounds import split_compound
from mellanrum.engines.textmatch.lexicon import Lexicon
from mellanrum.engines.textmatch.ngrams import char_ngrams
from mellanrum.engines.textmatch.normalise import normalise
from mellanrum.engines.textmatch.stopwords import stop_words
from mellanrum.engines.textmatch.thesaurus import Thesaurus
from mellanrum.engines.textmatch.tokenise import tokenise
from mellanrum.engines.textmatch.weights import FeatureWeights

__all__ = [
    "Analyser",
    "Analysis",
    "FeatureWeights",
    "Lexicon",
    "Thesaurus",
    "analyse",
    "char_ngrams",
    "normalise",
    "split_compound",
    "stop_words",
    "tokenise",
]
